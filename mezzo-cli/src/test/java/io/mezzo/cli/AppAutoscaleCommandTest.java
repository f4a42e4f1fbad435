package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.json.Json;
import io.mezzo.services.app.AutoscalingValidator.Problem;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code mezzo app autoscale} and the autoscaling line of {@code mezzo app show} against a scripted
 * master: the PATCH each builds, what they print, bad flags refused (exit 2) before any request, and
 * the master's 422 details printed (exit 1); and the host's {@link PolicyValidator}, which turns the
 * autoscaler's problems into 422 details.
 */
class AppAutoscaleCommandTest {
  private static final String APP_3 = "{\"app\": {\"id\": \"/web\", \"cmd\": \"sleep 1\", \"instances\": 3}}";

  private final FakeMarathon master = new FakeMarathon();

  @AfterEach
  void stop() {
    master.close();
  }

  private CliRun run(String... args) {
    String[] argv = Arrays.copyOf(args, args.length + 2);
    argv[args.length] = "--master";
    argv[args.length + 1] = master.address();
    return mezzo(argv);
  }

  private JsonNode patchSent() throws IOException {
    List<FakeMarathon.Seen> patches = master.seen().stream().filter(s -> s.method().equals("PATCH")).toList();
    assertThat(patches).hasSize(1);
    assertThat(patches.get(0).path()).isEqualTo("/v2/apps/web");
    return Json.MAPPER.readTree(patches.get(0).body());
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
    assertRefused(List.of("--off", "--max", "4"), "--off: given with --min, --max");
    assertRefused(List.of("--max", "4", "--target", "cpu=1", "--scale-down-window", "1500ms"),
        "--scale-down-window: 1500ms (expected: whole seconds");
    assertRefused(List.of("--min", "5", "--max", "4", "--target", "cpu=-1"),
        "the policy is not valid:\n  autoscaling.");
    CliRun unparsable = run("app", "autoscale", "web", "--max", "many");
    assertThat(unparsable.exit()).isEqualTo(2);
    assertThat(master.seen()).isEmpty();
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
    assertThat(r.err()).isEqualTo("mezzo app autoscale: app /nope not found\n");
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
