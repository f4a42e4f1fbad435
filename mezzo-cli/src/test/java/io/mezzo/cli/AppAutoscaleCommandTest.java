package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.json.Json;
import io.mezzo.services.app.AutoscalingValidator.Problem;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.autoscaler.policy.ScalingPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mezzo app autoscale} and the autoscaling line of {@code mezzo app show} against a scripted
 * master: the PATCH each builds (each policy flag its own JSON member, over a {@code --policy} file's),
 * what they print, bad flags refused (exit 2, naming the flag) before any request, and the master's
 * 422 details printed (exit 1); and the host's {@link PolicyValidator}, which turns the autoscaler's
 * problems into 422 details.
 */
class AppAutoscaleCommandTest {
  private static final String APP_3 = "{\"app\": {\"id\": \"/web\", \"cmd\": \"sleep 1\", \"instances\": 3}}";

  private final FakeMarathon master = new FakeMarathon();

  @AfterEach
  void stop() {
    master.close();
  }

  private CliRun run(String... args) {
    return CliRun.against(master.address(), args);
  }

  private JsonNode patchSent() throws IOException {
    List<JsonNode> patches = patchesSent();
    assertThat(patches).hasSize(1);
    return patches.get(0);
  }

  private List<JsonNode> patchesSent() throws IOException {
    List<JsonNode> bodies = new ArrayList<>();
    for (FakeMarathon.Seen s : master.seen()) {
      if (s.method().equals("PATCH")) {
        assertThat(s.path()).isEqualTo("/v2/apps/web");
        bodies.add(Json.MAPPER.readTree(s.body()));
      }
    }
    return bodies;
  }

  @Test
  void setsThePolicyWithoutTouchingTheCountAndSaysNoInstanceRestarted() throws IOException {
    master.on("GET", "/v2/apps/web", 200, APP_3)
        .on("PATCH", "/v2/apps/web", 200, "{\"version\": \"2026-11-27T09:00:00.000Z\"}");

    CliRun r = run("app", "autoscale", "web", "--min", "2", "--max", "6", "--target", "requestsPerSecond=70",
        "--target", "cpu=0.6", "--scale-down-window", "2m");

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(patchSent()).isEqualTo(Json.MAPPER.readTree("{\"autoscaling\": {\"minInstances\": 2, \"maxInstances\": 6,"
        + " \"metrics\": [{\"name\": \"requestsPerSecond\", \"target\": 70.0}, {\"name\": \"cpu\", \"target\": 0.6}],"
        + " \"behavior\": {\"scaleDown\": {\"stabilizationWindowSeconds\": 120}}}}"));
    assertThat(r.out()).isEqualTo("autoscaling of /web: 2 to 6 instances; target requestsPerSecond=70, cpu=0.6;"
        + " scale-up window 0s; scale-down window 120s\n"
        + "version 2026-11-27T09:00:00.000Z (no deployment: no instance restarted)\n");
  }

  @Test
  void aCountOutsideTheNewBoundsIsMovedToTheNearestOneByTheSamePatch() throws IOException {
    master.on("GET", "/v2/apps/web", 200, APP_3)
        .on("PATCH", "/v2/apps/web", 200, "{\"version\": \"v2\", \"deploymentId\": \"d-1\"}");

    CliRun r = run("app", "autoscale", "/web", "--max", "2", "--target", "cpu=0.5");

    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode patch = patchSent();
    assertThat(patch.path("instances").intValue()).isEqualTo(2);
    assertThat(patch.path("autoscaling").path("maxInstances").intValue()).isEqualTo(2);
    assertThat(patch.path("autoscaling").has("minInstances")).isFalse();
    assertThat(r.out()).contains("instances: 3 -> 2 (into the new bounds)\n")
        .endsWith("deployment d-1 (scaling /web)\n");
  }

  @Test
  void offRemovesThePolicyWithANull() throws IOException {
    master.on("GET", "/v2/apps/web", 200, APP_3).on("PATCH", "/v2/apps/web", 200, "{\"version\": \"v3\"}");

    CliRun r = run("app", "autoscale", "web", "--off");

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(patchSent()).isEqualTo(Json.MAPPER.readTree("{\"autoscaling\": null}"));
    assertThat(r.out()).startsWith("autoscaling of /web: off (instances stay at 3)\n");
  }

  @Test
  void badFlagsExit2NamingTheFlagWithoutContactingTheMaster() {
    assertRefused(List.of("--target", "cpu=0.5"), "--max: missing (expected: the highest instance count");
    assertRefused(List.of("--max", "4"), "--target: missing (expected: at least one METRIC=VALUE");
    assertRefused(List.of("--max", "4", "--target", "cpu"), "--target: 'cpu' (expected: METRIC=VALUE with a number");
    assertRefused(List.of("--max", "4", "--target", "cpu=high"), "--target: 'cpu=high' (expected: METRIC=VALUE");
    assertRefused(List.of("--max", "4", "--target", "cpu=1", "--target", "cpu=2"), "(expected: each metric once;");
    assertRefused(List.of("--off", "--max", "4", "--cooldown", "1m"), "--off: given with --max, --cooldown (expected:");
    assertRefused(List.of("--max", "4", "--target", "cpu=1", "--scale-down-window", "1500ms"),
        "--scale-down-window: 1500ms (expected: whole seconds");
    assertRefused(List.of("--min", "5", "--max", "4", "--target", "cpu=-1"),
        "the policy is not valid:\n  autoscaling.");
    CliRun unparsable = run("app", "autoscale", "web", "--max", "many");
    assertThat(unparsable.exit()).isEqualTo(2);
    assertThat(master.seen()).isEmpty();
  }

  @Test
  void eachPolicyFlagThatIsBadlyWrittenNamesItselfTheValueAndTheFormExpected() {
    List<String> base = List.of("--max", "9", "--target", "cpu=0.5");
    assertRefused(with(base, "--step", "cpu>=0.8:+1"), "--step: 'cpu>=0.8:+1' (expected: METRIC>BOUND:+N or");
    assertRefused(with(base, "--step", "cpu>0.8"), "--step: 'cpu>0.8' (expected: METRIC>BOUND:+N or");
    assertRefused(with(base, "--step", "cpu<0.2:-1d"), "--step: 'cpu<0.2:-1d' (expected:");
    assertRefused(with(base, "--schedule", "08:00-18:00"), "--schedule: '08:00-18:00' (expected: [DAYS@]FROM-TO=MIN");
    assertRefused(with(base, "--schedule", "MON-FRY@08:00-18:00=2"),
        "--schedule: 'MON-FRY@08:00-18:00=2' (expected: [DAYS@]FROM-TO=MIN[,zone=ZONE][,name=NAME], e.g. "
            + "MON-FRI@08:00-18:00=4,zone=Europe/Paris; 'MON-FRY' is not a range of days such as MON-FRI)");
    assertRefused(with(base, "--schedule", "08:00-18:00=2,tz=UTC"), "'tz=UTC' is not zone=ZONE or name=NAME");
    assertRefused(with(base, "--predictive", ":horizon=5m"), "--predictive: ':horizon=5m' (expected: METRIC[:KEY=VALUE");
    assertRefused(with(base, "--predictive", "cpu:lookahead=5m"), "'lookahead=5m' is not one of them, once)");
    assertRefused(with(base, "--predictive", "cpu:horizon=soon"),
        "--predictive: 'cpu:horizon=soon' (expected: horizon=DURATION, e.g. horizon=75s)");
    assertRefused(with(base, "--predictive", "cpu:horizon=1500ms"), "'1500ms' is not whole seconds)");
    assertRefused(with(base, "--predictive", "cpu:target=lots"), "--predictive: 'cpu:target=lots' (expected: "
        + "target=NUMBER");
    assertRefused(with(base, "--scale-up-limit", "4"), "--scale-up-limit: '4' (expected: N/PERIOD or N%/PERIOD");
    assertRefused(with(base, "--scale-down-limit", "50%/1h30"), "--scale-down-limit: '50%/1h30' (expected: N/PERIOD");
    assertRefused(with(base, "--cooldown", "2500ms"), "--cooldown: 2500ms (expected: whole seconds");
    assertRefused(with(base, "--evaluation", "100ms"), "--evaluation: 100ms (expected: whole seconds");
    assertRefused(List.of("--max", "9", "--step", "cpu>0.9:+1", "--tolerance", "0.2"),
        "--tolerance: 0.2 (expected: with a --target, or a --policy with metrics");
    assertRefused(with(base, "--policy", "no-such-policy.json"), "--policy: cannot read no-such-policy.json (no such file)");
    assertRefused(with(base, "--schedule", "SAT@10:00-16:00=2,zone=Mars/Base"),
        "the policy is not valid:\n  autoscaling.schedules[0].zone: \"Mars/Base\" (expected: a time zone");
    CliRun typed = run("app", "autoscale", "web", "--max", "9", "--target", "cpu=1", "--tolerance", "some");
    assertThat(typed.exit()).isEqualTo(2);
    assertThat(typed.err()).contains("--tolerance").contains("'some'");
    assertThat(master.seen()).isEmpty();
  }

  @Test
  void eachPolicyFlagSetsItsOwnMemberOfThePolicy() throws IOException {
    master.on("GET", "/v2/apps/web", 200, APP_3).on("PATCH", "/v2/apps/web", 200, "{\"version\": \"v2\"}");

    CliRun r = run("app", "autoscale", "web", "--min", "2", "--max", "20",
        "--target", "requestsPerSecond=70", "--target", "inFlight=4", "--tolerance", "0.05",
        "--step", "latencyP95Ms>250:+2", "--step", "cpu>0.9:+50%", "--step", "latencyP95Ms>500:+4",
        "--step", "latencyP95Ms<20:-1",
        "--schedule", "MON-FRI@08:00-18:00=4,zone=Europe/Paris,name=office", "--schedule", "SAT,sun@22:00-06:00=3",
        "--schedule", "12:00-13:00=5",
        "--predictive", "requestsPerSecond:target=84,horizon=75s,season=1d,ramp=45s,levelSmoothing=0.4,"
            + "trendSmoothing=0.05,seasonSmoothing=0.2",
        "--scale-up-limit", "100%/15s", "--scale-up-limit", "4/15s", "--scale-up-select", "Max",
        "--scale-up-window", "0s", "--scale-down-limit", "50%/1m", "--scale-down-select", "Min",
        "--scale-down-window", "60s", "--cooldown", "30s", "--evaluation", "10s", "--cpu-initialization", "2m");

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(patchSent().path("autoscaling")).isEqualTo(Json.MAPPER.readTree("""
        {"minInstances": 2, "maxInstances": 20,
         "metrics": [{"name": "requestsPerSecond", "target": 70.0, "tolerance": 0.05},
                     {"name": "inFlight", "target": 4.0, "tolerance": 0.05}],
         "steps": [{"metric": "latencyP95Ms", "thresholds": [{"above": 250.0, "change": 2.0},
                       {"above": 500.0, "change": 4.0}, {"below": 20.0, "change": -1.0}]},
                   {"metric": "cpu", "thresholds": [{"above": 0.9, "changePercent": 50.0}]}],
         "schedules": [{"days": ["MON", "TUE", "WED", "THU", "FRI"], "from": "08:00", "to": "18:00",
                        "minInstances": 4, "zone": "Europe/Paris", "name": "office"},
                       {"days": ["SAT", "sun"], "from": "22:00", "to": "06:00", "minInstances": 3},
                       {"from": "12:00", "to": "13:00", "minInstances": 5}],
         "predictive": {"metric": "requestsPerSecond", "target": 84.0, "horizonSeconds": 75, "seasonSeconds": 86400,
                        "rampWindowSeconds": 45, "levelSmoothing": 0.4, "trendSmoothing": 0.05, "seasonSmoothing": 0.2},
         "behavior": {"scaleUp": {"policies": [{"type": "Percent", "value": 100, "periodSeconds": 15},
                                               {"type": "Instances", "value": 4, "periodSeconds": 15}],
                                  "selectPolicy": "Max", "stabilizationWindowSeconds": 0},
                      "scaleDown": {"policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}],
                                    "selectPolicy": "Min", "stabilizationWindowSeconds": 60}},
         "cooldownSeconds": 30, "evaluationSeconds": 10, "cpuInitializationSeconds": 120}
        """));
    assertThat(r.out()).startsWith("autoscaling of /web: 2 to 20 instances; target requestsPerSecond=70 (tolerance 0.05),"
        + " inFlight=4 (tolerance 0.05); steps on latencyP95Ms, cpu; schedules office (min 4),"
        + " SAT,SUN 22:00-06:00 Z (min 3), MON,TUE,WED,THU,FRI,SAT,SUN 12:00-13:00 Z (min 5);"
        + " predictive on requestsPerSecond 75s ahead; scale-up window 0s; scale-down window 60s; cooldown 30s\n");
  }

  @Test
  void aPolicyFileIsSentAsItIsAndFlagsReplaceItsMembers() throws IOException {
    Path file = ExamplesTest.EXAMPLES.resolve("autoscale-policy.json");
    JsonNode example = Json.MAPPER.readTree(file.toFile());
    master.on("GET", "/v2/apps/web", 200, APP_3).on("PATCH", "/v2/apps/web", 200, "{\"version\": \"v2\"}");

    CliRun asItIs = run("app", "autoscale", "web", "--policy", file.toString());

    assertThat(asItIs.exit()).as(asItIs.toString()).isZero();
    assertThat(patchSent().path("autoscaling")).isEqualTo(example);
    assertThat(ScalingPolicy.fromJson(patchSent()).toJson()).isEqualTo(ScalingPolicy.recommended().toJson());

    CliRun overridden = run("app", "autoscale", "web", "--policy", file.toString(), "--max", "12",
        "--scale-down-window", "90s", "--step", "latencyP95Ms>300:+1", "--tolerance", "0.2");

    assertThat(overridden.exit()).as(overridden.toString()).isZero();
    ObjectNode expected = example.deepCopy();
    expected.put("maxInstances", 12);
    ((ObjectNode) expected.path("metrics").get(0)).put("tolerance", 0.2);
    ((ObjectNode) expected.path("behavior").path("scaleDown")).put("stabilizationWindowSeconds", 90);
    expected.set("steps", Json.MAPPER.readTree("[{\"metric\": \"latencyP95Ms\", \"thresholds\":"
        + " [{\"above\": 300.0, \"change\": 1.0}]}]"));
    assertThat(patchesSent()).hasSize(2).last().extracting(p -> p.path("autoscaling")).isEqualTo(expected);
  }

  @Test
  void aPolicyFileMayBeAnAppDefinitionHoldingOne(@TempDir Path dir) throws IOException {
    Path app = Files.writeString(dir.resolve("app.json"), "{\"id\": \"/web\", \"autoscaling\": {\"maxInstances\": 2,"
        + " \"steps\": [{\"metric\": \"cpu\", \"thresholds\": [{\"above\": 0.8, \"change\": 1}]}]}}");
    Path bad = Files.writeString(dir.resolve("bad.json"), "[1, 2]");
    master.on("GET", "/v2/apps/web", 200, APP_3)
        .on("PATCH", "/v2/apps/web", 200, "{\"version\": \"v2\", \"deploymentId\": \"d-2\"}");

    CliRun r = run("app", "autoscale", "web", "--policy", app.toString());

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(patchSent()).isEqualTo(Json.MAPPER.readTree("{\"instances\": 2, \"autoscaling\": {\"maxInstances\": 2,"
        + " \"steps\": [{\"metric\": \"cpu\", \"thresholds\": [{\"above\": 0.8, \"change\": 1}]}]}}"));
    CliRun refused = run("app", "autoscale", "web", "--policy", bad.toString());
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err()).isEqualTo("mezzo app autoscale: --policy: " + bad + " holds [1,2] (expected: a JSON"
        + " object, the autoscaling policy or an app with one)\n");
    assertThat(master.seen()).hasSize(2); // the first run's GET and PATCH only
  }

  @Test
  void theHelpsExampleSetsAPolicy() {
    CliRun help = run("app", "autoscale", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("--step=RULE", "--schedule=WINDOW", "--predictive=METRIC[:KEY=VALUE,...]",
        "--scale-up-limit=N[%]/PERIOD", "--cooldown=DURATION", "--policy=FILE", "Example:\n  mezzo app autoscale ");
    String example = help.out().substring(help.out().indexOf("Example:\n  mezzo ") + "Example:\n  mezzo ".length())
        .replace(" \\\n", " ").replace("'", "").strip();
    master.on("GET", "/v2/apps/web", 200, APP_3).on("PATCH", "/v2/apps/web", 200, "{\"version\": \"v2\"}");

    CliRun r = run(example.split("\\s+"));

    assertThat(r.exit()).as(example + "\n" + r).isZero();
    assertThat(r.out()).startsWith("autoscaling of /web: 2 to 20 instances; target requestsPerSecond=70; steps on"
        + " latencyP95Ms; schedules MON,TUE,WED,THU,FRI 08:00-18:00 Europe/Paris (min 4); predictive on"
        + " requestsPerSecond 75s ahead;");
  }

  private static List<String> with(List<String> base, String... more) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return all;
  }

  private void assertRefused(List<String> flags, String expected) {
    String[] args = new String[flags.size() + 3];
    args[0] = "app";
    args[1] = "autoscale";
    args[2] = "web";
    for (int i = 0; i < flags.size(); i++) {
      args[i + 3] = flags.get(i);
    }
    CliRun r = run(args);
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).as(r.toString()).startsWith("mezzo app autoscale: ").contains(expected);
    assertThat(r.err()).doesNotContain("Exception");
  }

  @Test
  void theMastersRefusalIsPrintedFieldByFieldAndExits1() {
    master.on("GET", "/v2/apps/web", 200, APP_3).on("PATCH", "/v2/apps/web", 422, "{\"message\": \"Object is not valid\","
        + " \"details\": [{\"path\": \"/autoscaling/metrics/0/name\", \"errors\": [\"autoscaling.metrics[0].name:"
        + " \\\"x y\\\" (expected: a metric name)\"]}]}");

    CliRun r = run("app", "autoscale", "web", "--max", "4", "--target", "cpu=1");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("mezzo app autoscale: the master refused /web: Object is not valid\n"
        + "  /autoscaling/metrics/0/name: autoscaling.metrics[0].name: \"x y\" (expected: a metric name)\n");
  }

  @Test
  void anUnknownAppIsNotFound() {
    master.on("GET", "/v2/apps/nope", 404, "{\"message\": \"App '/nope' does not exist\"}");
    CliRun r = run("app", "autoscale", "nope", "--off");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("mezzo app autoscale: no app /nope (see `mezzo app list`)\n");
  }

  @Test
  void showPrintsThePolicyOnlyWhenTheAppHasOne() {
    master.on("GET", "/v2/apps/web", 200, "{\"app\": {\"id\": \"/web\", \"cmd\": \"sleep 1\", \"instances\": 3,"
        + " \"autoscaling\": {\"minInstances\": 2, \"maxInstances\": 8, \"cooldownSeconds\": 60,"
        + " \"metrics\": [{\"name\": \"inFlightRequests\", \"target\": 4, \"tolerance\": 0.2}],"
        + " \"predictive\": {\"metric\": \"requestsPerSecond\", \"target\": 80}}}}")
        .on("GET", "/v2/apps/plain", 200, APP_3.replace("/web", "/plain"));

    CliRun shown = run("app", "show", "web");
    CliRun plain = run("app", "show", "plain");

    assertThat(shown.exit()).as(shown.toString()).isZero();
    assertThat(shown.out()).contains("\nAUTOSCALING  2 to 8 instances; target inFlightRequests=4 (tolerance 0.2);"
        + " predictive on requestsPerSecond 600s ahead; scale-up window 0s; scale-down window 300s; cooldown 60s\n");
    assertThat(plain.exit()).as(plain.toString()).isZero();
    assertThat(plain.out()).doesNotContain("AUTOSCALING");
  }

  @Test
  void theHostsValidatorPutsEachPolicyProblemUnderItsFieldsPointer() throws IOException {
    PolicyValidator v = new PolicyValidator();
    assertThat(v.problems(Json.MAPPER.readTree("{\"maxInstances\": 4, \"metrics\": [{\"name\": \"cpu\", \"target\": 0.5}]}")))
        .isEmpty();

    List<Problem> problems = v.problems(Json.MAPPER.readTree("{\"maxInstances\": 4, \"metrics\": [{\"name\": \"cpu\","
        + " \"target\": -1}], \"behavior\": {\"scaleUp\": {\"policies\": [{\"type\": \"Pods\", \"value\": 0,"
        + " \"periodSeconds\": 15}]}}, \"colour\": 1}"));

    assertThat(problems).extracting(Problem::pointer).contains("/autoscaling/metrics/0/target",
        "/autoscaling/behavior/scaleUp/policies/0/value", "/autoscaling/colour");
    assertThat(problems).filteredOn(p -> p.pointer().equals("/autoscaling/metrics/0/target"))
        .extracting(Problem::message).singleElement().asString().startsWith("autoscaling.metrics[0].target: -1");
    assertThat(PolicyValidator.problem("autoscaling: 3 (expected: a JSON object)").pointer()).isEqualTo("/autoscaling");
    assertThat(PolicyValidator.problem("odd problem").pointer()).isEqualTo("/autoscaling");
  }
}
