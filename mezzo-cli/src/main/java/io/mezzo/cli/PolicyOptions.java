package io.mezzo.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The flags of {@code mezzo app autoscale} that describe an {@code autoscaling} policy, and the JSON
 * object they make: each flag sets one member of the shape the autoscaler reads
 * ({@code ScalingPolicy}, {@code examples/autoscale-policy.json}), over the members of
 * {@code --policy FILE} when one is given (a list flag replaces the whole list). This class only shapes
 * text into JSON (the structured flags' forms are {@link PolicyFlagForms}): the values are judged by the
 * autoscaler's own reader (by the command, then by the master). A flag whose text does not have the form
 * it documents fails with a {@link CliFailure} (exit 2) naming the flag, the value and the form. A
 * picocli mixin, filled once per run.
 */
final class PolicyOptions {
  @Option(names = "--policy", paramLabel = "FILE",
      description = "Start from this policy: an autoscaling object, or an app JSON holding one (e.g. "
          + "examples/autoscale-policy.json); the other flags replace its members.")
  Path file;

  @Option(names = "--min", paramLabel = "N", description = "minInstances: the lowest instance count (default: 1).")
  Integer min;

  @Option(names = "--max", paramLabel = "N",
      description = "maxInstances: the highest instance count (required unless --off or --policy).")
  Integer max;

  @Option(names = "--target", paramLabel = "METRIC=VALUE",
      description = "metrics: keep METRIC per instance near VALUE, e.g. requestsPerSecond=70 or cpu=0.6 (repeatable; "
          + "several combine by taking the largest count).")
  List<String> targets = new ArrayList<>();

  @Option(names = "--tolerance", paramLabel = "X",
      description = "metrics[].tolerance of every target: leave the count alone within X (a fraction) of it "
          + "(default: 0.1).")
  Double tolerance;

  @Option(names = "--step", paramLabel = "RULE",
      description = "steps: 'METRIC>BOUND:+N' or 'METRIC<BOUND:-N', N instances or N%% of the count, e.g. "
          + "'latencyP95Ms>250:+2' (repeatable; the rules on one metric form one step entry).")
  List<String> steps = new ArrayList<>();

  @Option(names = "--schedule", paramLabel = "WINDOW",
      description = "schedules: at least MIN instances from FROM to TO (HH:MM) on DAYS (default: every day), "
          + "[DAYS@]FROM-TO=MIN[,zone=ZONE][,name=NAME], e.g. MON-FRI@08:00-18:00=4,zone=Europe/Paris (repeatable).")
  List<String> schedules = new ArrayList<>();

  @Option(names = "--predictive", paramLabel = "METRIC[:KEY=VALUE,...]",
      description = "predictive: forecast METRIC's total; keys target, horizon, season, ramp (durations: "
          + "horizonSeconds, seasonSeconds, rampWindowSeconds), levelSmoothing, trendSmoothing, seasonSmoothing; "
          + "e.g. requestsPerSecond:horizon=75s,ramp=45s.")
  String predictive;

  @Option(names = "--scale-up-limit", paramLabel = "N[%]/PERIOD",
      description = "behavior.scaleUp.policies: at most N instances (or N%% of the count) more per PERIOD, "
          + "e.g. 4/15s or 100%%/15s (repeatable).")
  List<String> scaleUpLimits = new ArrayList<>();

  @Option(names = "--scale-down-limit", paramLabel = "N[%]/PERIOD",
      description = "behavior.scaleDown.policies: at most N instances (or N%% of the count) fewer per PERIOD, "
          + "e.g. 50%%/60s (repeatable).")
  List<String> scaleDownLimits = new ArrayList<>();

  @Option(names = "--scale-up-select", paramLabel = "Max|Min|Disabled",
      description = "behavior.scaleUp.selectPolicy: which limit applies, the largest (default), the smallest, "
          + "or no scaling up.")
  String scaleUpSelect;

  @Option(names = "--scale-down-select", paramLabel = "Max|Min|Disabled",
      description = "behavior.scaleDown.selectPolicy: as --scale-up-select, for scaling down.")
  String scaleDownSelect;

  @Option(names = "--scale-up-window", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "behavior.scaleUp.stabilizationWindowSeconds: how long the count must have been wanted "
          + "higher before it rises (default: 0s).")
  Duration scaleUpWindow;

  @Option(names = "--scale-down-window", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "behavior.scaleDown.stabilizationWindowSeconds: how long the count must have been wanted "
          + "lower before it falls (default: 300s).")
  Duration scaleDownWindow;

  @Option(names = "--cooldown", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "cooldownSeconds: no change for this long after each change (default: 0s).")
  Duration cooldown;

  @Option(names = "--evaluation", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "evaluationSeconds: how often the app is evaluated (default: 15s).")
  Duration evaluation;

  @Option(names = "--cpu-initialization", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "cpuInitializationSeconds: a new instance's cpu is ignored for this long (default: 300s).")
  Duration cpuInitialization;

  /** The policy flags given, by name, in the order of {@code --help}. */
  List<String> given() {
    Map<String, Boolean> flags = new LinkedHashMap<>();
    flags.put("--policy", file != null);
    flags.put("--min", min != null);
    flags.put("--max", max != null);
    flags.put("--target", !targets.isEmpty());
    flags.put("--tolerance", tolerance != null);
    flags.put("--step", !steps.isEmpty());
    flags.put("--schedule", !schedules.isEmpty());
    flags.put("--predictive", predictive != null);
    flags.put("--scale-up-limit", !scaleUpLimits.isEmpty());
    flags.put("--scale-down-limit", !scaleDownLimits.isEmpty());
    flags.put("--scale-up-select", scaleUpSelect != null);
    flags.put("--scale-down-select", scaleDownSelect != null);
    flags.put("--scale-up-window", scaleUpWindow != null);
    flags.put("--scale-down-window", scaleDownWindow != null);
    flags.put("--cooldown", cooldown != null);
    flags.put("--evaluation", evaluation != null);
    flags.put("--cpu-initialization", cpuInitialization != null);
    return flags.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
  }

  /** The {@code autoscaling} object: the file's (if any) with each flag's member set over it. */
  ObjectNode json() throws CliFailure {
    ObjectNode p = file == null ? JsonNodeFactory.instance.objectNode() : read(file);
    if (file == null && max == null) {
      throw new CliFailure(2, "--max: missing (expected: the highest instance count, e.g. --max 10; "
          + "or --policy FILE, or --off)");
    }
    if (file == null && targets.isEmpty() && steps.isEmpty()) {
      throw new CliFailure(2, "--target: missing (expected: at least one METRIC=VALUE, e.g. "
          + "--target requestsPerSecond=70; or a --step, or --policy FILE)");
    }
    if (min != null) {
      p.put("minInstances", min);
    }
    if (max != null) {
      p.put("maxInstances", max);
    }
    if (!targets.isEmpty()) {
      p.set("metrics", PolicyFlagForms.metrics(targets));
    }
    if (tolerance != null) {
      if (!p.path("metrics").isArray() || p.path("metrics").isEmpty()) {
        throw new CliFailure(2, "--tolerance: " + tolerance + " (expected: with a --target, or a --policy with "
            + "metrics: it is each target's tolerance)");
      }
      p.path("metrics").forEach(m -> {
        if (m.isObject()) {
          ((ObjectNode) m).put("tolerance", tolerance);
        }
      });
    }
    if (!steps.isEmpty()) {
      p.set("steps", PolicyFlagForms.steps(steps));
    }
    if (!schedules.isEmpty()) {
      ArrayNode out = p.putArray("schedules");
      for (String s : schedules) {
        out.add(PolicyFlagForms.schedule(s));
      }
    }
    if (predictive != null) {
      p.set("predictive", PolicyFlagForms.predictive(predictive));
    }
    direction(p, "scaleUp", "--scale-up", scaleUpLimits, scaleUpSelect, scaleUpWindow);
    direction(p, "scaleDown", "--scale-down", scaleDownLimits, scaleDownSelect, scaleDownWindow);
    putSeconds(p, "cooldownSeconds", "--cooldown", cooldown);
    putSeconds(p, "evaluationSeconds", "--evaluation", evaluation);
    putSeconds(p, "cpuInitializationSeconds", "--cpu-initialization", cpuInitialization);
    return p;
  }

  private static ObjectNode read(Path file) throws CliFailure {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(Files.readString(file));
    } catch (JsonProcessingException e) {
      throw new CliFailure(2, "--policy: " + file + ": malformed JSON (" + e.getOriginalMessage() + ")");
    } catch (IOException e) {
      throw new CliFailure(2, "--policy: cannot read " + file + " ("
          + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()) + ")");
    }
    if (node != null && node.isObject() && node.has("autoscaling")) {
      node = node.get("autoscaling");
    }
    if (node == null || !node.isObject()) {
      throw new CliFailure(2, "--policy: " + file + " holds " + node + " (expected: a JSON object, the autoscaling "
          + "policy or an app with one)");
    }
    return (ObjectNode) node;
  }

  /** Sets {@code behavior.NAME}'s members for the flags given, keeping the file's others. */
  private static void direction(ObjectNode p, String name, String flag, List<String> limits, String select,
      Duration window) throws CliFailure {
    if (limits.isEmpty() && select == null && window == null) {
      return;
    }
    ObjectNode d = child(child(p, "behavior"), name);
    if (!limits.isEmpty()) {
      d.set("policies", PolicyFlagForms.limits(flag + "-limit", limits));
    }
    if (select != null) {
      d.put("selectPolicy", select);
    }
    putSeconds(d, "stabilizationWindowSeconds", flag + "-window", window);
  }

  private static ObjectNode child(ObjectNode parent, String name) {
    JsonNode c = parent.get(name);
    return c != null && c.isObject() ? (ObjectNode) c : parent.putObject(name);
  }

  private static void putSeconds(ObjectNode o, String member, String flag, Duration d) throws CliFailure {
    if (d == null) {
      return;
    }
    if (d.toMillis() % 1000 != 0 || d.toSeconds() > Integer.MAX_VALUE || d.toSeconds() < Integer.MIN_VALUE) {
      throw new CliFailure(2, flag + ": " + d.toMillis() + "ms (expected: whole seconds, e.g. 300s or 5m)");
    }
    o.put(member, (int) d.toSeconds());
  }
}
