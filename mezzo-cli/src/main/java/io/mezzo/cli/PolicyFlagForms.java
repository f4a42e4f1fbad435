package io.mezzo.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.DayOfWeek;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.TypeConversionException;

/**
 * The text forms of {@code mezzo app autoscale}'s structured policy flags ({@code --target},
 * {@code --step}, {@code --schedule}, {@code --predictive}, {@code --scale-up-limit} and
 * {@code --scale-down-limit}), each turned into the JSON of the {@code autoscaling} member it sets.
 * Shapes only: the numbers, names, times and zones are left for the autoscaler's reader to judge; a text
 * not in its form is a {@link CliFailure} (exit 2) naming the flag, the value and the form expected. Pure
 * and stateless.
 */
final class PolicyFlagForms {
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

  private PolicyFlagForms() {}

  /** {@code --target}s: the {@code metrics} array, one entry per metric (each given once). */
  static ArrayNode metrics(List<String> targets) throws CliFailure {
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

  /** {@code --step}s: the {@code steps} array, the rules grouped by metric in the order each first appears. */
  static ArrayNode steps(List<String> steps) throws CliFailure {
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

  /** One {@code --schedule}: a {@code schedules} entry. */
  static ObjectNode schedule(String s) throws CliFailure {
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

  /** {@code --predictive}: the {@code predictive} object. */
  static ObjectNode predictive(String s) throws CliFailure {
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

  /** {@code --scale-up-limit}s or {@code --scale-down-limit}s ({@code flag}): a direction's {@code policies}. */
  static ArrayNode limits(String flag, List<String> limits) throws CliFailure {
    ArrayNode policies = JsonNodeFactory.instance.arrayNode();
    for (String limit : limits) {
      Matcher m = LIMIT.matcher(limit);
      if (!m.matches()) {
        throw bad(flag, limit, LIMIT_FORM);
      }
      policies.addObject().put("type", m.group(2).isEmpty() ? "Instances" : "Percent")
          .put("value", Integer.parseInt(m.group(1)))
          .put("periodSeconds", seconds(flag, limit, LIMIT_FORM, m.group(3)));
    }
    return policies;
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
