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
import java.time.DayOfWeek;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The flags of {@code mezzo app autoscale} that describe an {@code autoscaling} policy, and the JSON
 * object they make: each flag sets one member of the shape the autoscaler reads
 * ({@code ScalingPolicy}, {@code examples/autoscale-policy.json}), over the members of
 * {@code --policy FILE} when one is given (a list flag replaces the whole list). This class only shapes
 * text into JSON: the values are judged by the autoscaler's own reader (by the command, then by the
 * master). A flag whose text does not have the form it documents fails with a {@link CliFailure} (exit
 * 2) naming the flag, the value and the form. A picocli mixin, filled once per run.
 */
final class PolicyOptions {
  private static final String NUMBER = "[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?";
  private static final Pattern STEP = Pattern.compile(
      "\\s*([^<>:\\s]+)\\s*([<>])\\s*(" + NUMBER + ")\\s*:\\s*(" + NUMBER + ")\\s*(%?)\\s*");
  private static final Pattern WINDOW = Pattern.compile("\\s*([^-=\\s]+)\\s*-\\s*([^=\\s]+)\\s*=\\s*(\\d{1,9})\\s*");
  private static final Pattern LIMIT = Pattern.compile("\\s*(\\d{1,9})\\s*(%?)\\s*/\\s*(\\S+)\\s*");
  private static final Pattern DECIMAL = Pattern.compile("\\s*" + NUMBER + "\\s*");
  private static final String STEP_FORM = "METRIC>BOUND:+N or METRIC<BOUND:-N, N instances or N% of the count, "
      + "e.g. 'latencyP95Ms>250:+2' or 'cpu<0.3:-25%'";
  private static final String SCHEDULE_FORM = "[DAYS@]FROM-TO=MIN[,zone=ZONE][,name=NAME], "
      + "e.g. MON-FRI@08:00-18:00=4,zone=Europe/Paris";
  private static final String PREDICTIVE_FORM = "METRIC[:KEY=VALUE,...] with keys target, horizon, season, ramp "
      + "(durations), levelSmoothing, trendSmoothing, seasonSmoothing, e.g. requestsPerSecond:horizon=75s,ramp=45s";
  private static final String LIMIT_FORM = "N/PERIOD or N%/PERIOD, e.g. 4/15s or 50%/60s";

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
      p.set("metrics", metrics());
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
      p.set("steps", steps());
    }
    if (!schedules.isEmpty()) {
      ArrayNode out = p.putArray("schedules");
      for (String s : schedules) {
        out.add(schedule(s));
      }
    }
    if (predictive != null) {
      p.set("predictive", predictive(predictive));
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

  private ArrayNode metrics() throws CliFailure {
    ArrayNode metrics = JsonNodeFactory.instance.arrayNode();
    Set<String> names = new LinkedHashSet<>();
    for (String t : targets) {
      int eq = t.lastIndexOf('=');
      double value = Double.NaN;
      if (eq > 0) {
        try {
          value = Double.parseDouble(t.substring(eq + 1).trim());
        } catch (NumberFormatException notNumber) {
          // reported below
        }
      }
      if (Double.isNaN(value) || Double.isInfinite(value)) {
        throw new CliFailure(2, "--target: '" + t + "' (expected: METRIC=VALUE with a number, "
            + "e.g. requestsPerSecond=70)");
      }
      String name = t.substring(0, eq).trim();
      if (!names.add(name)) {
        throw new CliFailure(2, "--target: '" + t + "' (expected: each metric once; " + name + " is given twice)");
      }
      metrics.addObject().put("name", name).put("target", value);
    }
    return metrics;
  }

  /** The step rules grouped by metric, in the order each metric first appears. */
  private ArrayNode steps() throws CliFailure {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    Map<String, ArrayNode> byMetric = new LinkedHashMap<>();
    for (String s : steps) {
      Matcher m = STEP.matcher(s);
      if (!m.matches()) {
        throw bad("--step", s, STEP_FORM);
      }
      ArrayNode thresholds = byMetric.computeIfAbsent(m.group(1),
          metric -> out.addObject().put("metric", metric).putArray("thresholds"));
      thresholds.addObject().put(m.group(2).equals(">") ? "above" : "below", Double.parseDouble(m.group(3)))
          .put(m.group(5).isEmpty() ? "change" : "changePercent", Double.parseDouble(m.group(4)));
    }
    return out;
  }

  private static ObjectNode schedule(String s) throws CliFailure {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    int at = s.indexOf('@');
    int eq = s.indexOf('=');
    String rest = s;
    if (at >= 0 && (eq < 0 || at < eq)) {
      ArrayNode days = out.putArray("days");
      for (String day : s.substring(0, at).split(",", -1)) {
        days(s, day.trim(), days);
      }
      rest = s.substring(at + 1);
    }
    String[] parts = rest.split(",", -1);
    Matcher m = WINDOW.matcher(parts[0]);
    if (!m.matches()) {
      throw bad("--schedule", s, SCHEDULE_FORM);
    }
    out.put("from", m.group(1)).put("to", m.group(2)).put("minInstances", Integer.parseInt(m.group(3)));
    for (int i = 1; i < parts.length; i++) {
      String[] kv = parts[i].split("=", 2);
      String key = kv[0].trim();
      if (kv.length != 2 || !(key.equals("zone") || key.equals("name")) || out.has(key)) {
        throw bad("--schedule", s, SCHEDULE_FORM + "; '" + parts[i] + "' is not zone=ZONE or name=NAME, once");
      }
      out.put(key, kv[1].trim());
    }
    return out;
  }

  /** Adds DAY, or each day of a range FIRST-LAST (wrapping past Sunday), to {@code days}. */
  private static void days(String s, String item, ArrayNode days) throws CliFailure {
    int dash = item.indexOf('-');
    if (dash < 0) {
      days.add(item); // the autoscaler's reader judges the name
      return;
    }
    DayOfWeek first = day(item.substring(0, dash));
    DayOfWeek last = day(item.substring(dash + 1));
    if (first == null || last == null) {
      throw bad("--schedule", s, SCHEDULE_FORM + "; '" + item + "' is not a range of days such as MON-FRI");
    }
    for (DayOfWeek d = first; ; d = d.plus(1)) {
      days.add(d.name().substring(0, 3));
      if (d == last) {
        return;
      }
    }
  }

  private static DayOfWeek day(String name) {
    String n = name.trim().toUpperCase(Locale.ROOT);
    for (DayOfWeek d : DayOfWeek.values()) {
      if (n.length() >= 3 && d.name().startsWith(n) && (n.length() == 3 || n.equals(d.name()))) {
        return d;
      }
    }
    return null;
  }

  private static ObjectNode predictive(String s) throws CliFailure {
    int colon = s.indexOf(':');
    String metric = (colon < 0 ? s : s.substring(0, colon)).trim();
    if (metric.isEmpty()) {
      throw bad("--predictive", s, PREDICTIVE_FORM);
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode().put("metric", metric);
    if (colon < 0) {
      return out;
    }
    for (String item : s.substring(colon + 1).split(",", -1)) {
      String[] kv = item.split("=", 2);
      String key = kv[0].trim();
      String value = kv.length == 2 ? kv[1].trim() : "";
      String member = switch (key) {
        case "target", "levelSmoothing", "trendSmoothing", "seasonSmoothing" -> key;
        case "horizon", "season" -> key + "Seconds";
        case "ramp" -> "rampWindowSeconds";
        default -> null;
      };
      if (kv.length != 2 || member == null || out.has(member)) {
        throw bad("--predictive", s, PREDICTIVE_FORM + "; '" + item + "' is not one of them, once");
      }
      if (member.endsWith("Seconds")) {
        out.put(member, seconds("--predictive", s, key + "=DURATION, e.g. " + key + "=75s", value));
      } else if (DECIMAL.matcher(value).matches()) {
        out.put(member, Double.parseDouble(value));
      } else {
        throw bad("--predictive", s, key + "=NUMBER, e.g. " + key + "=0.3");
      }
    }
    return out;
  }

  /** Sets {@code behavior.NAME}'s members for the flags given, keeping the file's others. */
  private static void direction(ObjectNode p, String name, String flag, List<String> limits, String select,
      Duration window) throws CliFailure {
    if (limits.isEmpty() && select == null && window == null) {
      return;
    }
    ObjectNode d = child(child(p, "behavior"), name);
    if (!limits.isEmpty()) {
      ArrayNode policies = d.putArray("policies");
      for (String limit : limits) {
        Matcher m = LIMIT.matcher(limit);
        if (!m.matches()) {
          throw bad(flag + "-limit", limit, LIMIT_FORM);
        }
        policies.addObject().put("type", m.group(2).isEmpty() ? "Instances" : "Percent")
            .put("value", Integer.parseInt(m.group(1)))
            .put("periodSeconds", seconds(flag + "-limit", limit, LIMIT_FORM, m.group(3)));
      }
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

  /** A duration inside a flag's value, in whole seconds. */
  private static int seconds(String flag, String whole, String expected, String text) throws CliFailure {
    Duration d;
    try {
      d = new DurationConverter().convert(text);
    } catch (TypeConversionException notDuration) {
      throw bad(flag, whole, expected);
    }
    if (d.toMillis() % 1000 != 0 || d.toSeconds() > Integer.MAX_VALUE || d.toSeconds() < Integer.MIN_VALUE) {
      throw bad(flag, whole, expected + "; '" + text + "' is not whole seconds");
    }
    return (int) d.toSeconds();
  }

  private static CliFailure bad(String flag, String value, String expected) {
    return new CliFailure(2, flag + ": '" + value + "' (expected: " + expected + ")");
  }
}
