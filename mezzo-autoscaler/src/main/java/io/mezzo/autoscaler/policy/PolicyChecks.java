package io.mezzo.autoscaler.policy;

import io.mezzo.autoscaler.MetricValue;
import io.mezzo.autoscaler.policy.ScalingPolicy.BehaviorSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.DirectionSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.PredictiveSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.RateSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.ScheduleSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.Select;
import io.mezzo.autoscaler.policy.ScalingPolicy.Side;
import io.mezzo.autoscaler.policy.ScalingPolicy.StepSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.TargetSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.ThresholdSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.Unit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The semantic checks of a {@link ScalingPolicy}: ranges and cross-field rules, every problem reported
 * under its JSON path ({@code autoscaling.behavior.scaleUp.policies[0].value: 0 (expected: > 0)}).
 * Pure and stateless.
 */
final class PolicyChecks {
  static final String ROOT = "autoscaling";
  /** Metric names: the built-in ones or an app's own (a Prometheus-style name). */
  private static final Pattern METRIC_NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$");
  static final int MAX_WINDOW_SECONDS = 3600;
  static final int MAX_PERIOD_SECONDS = 1800;

  private PolicyChecks() {}

  static List<String> problems(int min, int max, List<TargetSpec> metrics, List<StepSpec> steps,
      List<ScheduleSpec> schedules, PredictiveSpec predictive, BehaviorSpec behavior, int cooldown,
      int cpuInitialization, int evaluation) {
    List<String> out = new ArrayList<>();
    String p = ROOT + ".";
    if (min < 1) {
      out.add(p + "minInstances: " + min + " (expected: >= 1; scaling to zero is not supported)");
    }
    if (max < Math.max(1, min)) {
      out.add(p + "maxInstances: " + max + " (expected: >= minInstances " + Math.max(1, min) + ")");
    }
    if (metrics.isEmpty() && steps.isEmpty()) {
      out.add(p + "metrics: [] (expected: at least one target-tracking metric or step rule)");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < metrics.size(); i++) {
      TargetSpec m = metrics.get(i);
      String at = p + "metrics[" + i + "].";
      metricName(m.name(), at + "name", out);
      if (m.name() != null && !names.add(m.name())) {
        out.add(at + "name: \"" + m.name() + "\" (expected: each metric once)");
      }
      positive(m.target(), at + "target", out);
      if (!(m.tolerance() >= 0 && m.tolerance() < 1)) {
        out.add(at + "tolerance: " + num(m.tolerance()) + " (expected: >= 0 and < 1)");
      }
    }
    for (int i = 0; i < steps.size(); i++) {
      step(steps.get(i), p + "steps[" + i + "].", out);
    }
    for (int i = 0; i < schedules.size(); i++) {
      schedule(schedules.get(i), p + "schedules[" + i + "].", max, out);
    }
    if (predictive != null) {
      predictive(predictive, p + "predictive.", evaluation, out);
    }
    direction(behavior.scaleUp(), p + "behavior.scaleUp.", out);
    direction(behavior.scaleDown(), p + "behavior.scaleDown.", out);
    range(cooldown, 0, MAX_WINDOW_SECONDS, p + "cooldownSeconds", out);
    range(cpuInitialization, 0, MAX_WINDOW_SECONDS, p + "cpuInitializationSeconds", out);
    range(evaluation, 1, MAX_WINDOW_SECONDS, p + "evaluationSeconds", out);
    return out;
  }

  private static void step(StepSpec s, String at, List<String> out) {
    metricName(s.metric(), at + "metric", out);
    if (s.thresholds().isEmpty()) {
      out.add(at + "thresholds: [] (expected: at least one threshold)");
    }
    double lowestAbove = s.thresholds().stream().filter(t -> t.side() == Side.ABOVE)
        .mapToDouble(ThresholdSpec::bound).min().orElse(Double.POSITIVE_INFINITY);
    for (int j = 0; j < s.thresholds().size(); j++) {
      ThresholdSpec t = s.thresholds().get(j);
      String tat = at + "thresholds[" + j + "].";
      String side = t.side() == Side.ABOVE ? "above" : "below";
      if (!Double.isFinite(t.bound())) {
        out.add(tat + side + ": " + num(t.bound()) + " (expected: a finite number)");
      } else if (t.side() == Side.BELOW && t.bound() >= lowestAbove) {
        out.add(tat + "below: " + num(t.bound()) + " (expected: < " + num(lowestAbove)
            + ", the lowest 'above' bound)");
      }
      String field = t.unit() == Unit.PERCENT ? "changePercent" : "change";
      if (t.side() == Side.ABOVE && !(t.change() > 0)) {
        out.add(tat + field + ": " + num(t.change()) + " (expected: > 0 for an 'above' threshold)");
      } else if (t.side() == Side.BELOW && !(t.change() < 0)) {
        out.add(tat + field + ": " + num(t.change()) + " (expected: < 0 for a 'below' threshold)");
      } else if (t.unit() == Unit.PERCENT && t.change() < -100) {
        out.add(tat + field + ": " + num(t.change()) + " (expected: >= -100)");
      } else if (t.unit() == Unit.INSTANCES && t.change() != Math.rint(t.change())) {
        out.add(tat + field + ": " + num(t.change()) + " (expected: a whole number of instances)");
      }
    }
  }

  private static void schedule(ScheduleSpec s, String at, int max, List<String> out) {
    if (s.name() == null || s.name().isBlank()) {
      out.add(at + "name: \"" + s.name() + "\" (expected: a non-empty name)");
    }
    if (s.days().isEmpty()) {
      out.add(at + "days: [] (expected: at least one of MON, TUE, WED, THU, FRI, SAT, SUN)");
    }
    if (s.from() == null) {
      out.add(at + "from: null (expected: a time HH:MM)");
    }
    if (s.to() == null) {
      out.add(at + "to: null (expected: a time HH:MM)");
    }
    if (s.zone() == null) {
      out.add(at + "zone: null (expected: a time zone such as Europe/Paris)");
    }
    if (s.minInstances() < 1) {
      out.add(at + "minInstances: " + s.minInstances() + " (expected: >= 1)");
    } else if (s.minInstances() > max) {
      out.add(at + "minInstances: " + s.minInstances() + " (expected: <= maxInstances " + max + ")");
    }
  }

  private static void predictive(PredictiveSpec f, String at, int evaluation, List<String> out) {
    metricName(f.metric(), at + "metric", out);
    if (MetricValue.LATENCY_P95_MS.equals(f.metric())) {
      out.add(at + "metric: \"" + f.metric() + "\" (expected: a metric that adds up across instances)");
    }
    positive(f.target(), at + "target", out);
    if (f.seasonSeconds() < 4 * evaluation) {
      out.add(at + "seasonSeconds: " + f.seasonSeconds() + " (expected: >= 4 evaluations, "
          + 4 * evaluation + ")");
    }
    if (f.horizonSeconds() < 0 || f.horizonSeconds() >= f.seasonSeconds()) {
      out.add(at + "horizonSeconds: " + f.horizonSeconds() + " (expected: >= 0 and < seasonSeconds "
          + f.seasonSeconds() + ")");
    }
    fraction(f.levelSmoothing(), at + "levelSmoothing", out);
    fraction(f.trendSmoothing(), at + "trendSmoothing", out);
    fraction(f.seasonSmoothing(), at + "seasonSmoothing", out);
    if (f.rampWindowSeconds() != 0 && (f.rampWindowSeconds() < 2 * evaluation
        || f.rampWindowSeconds() > f.seasonSeconds())) {
      out.add(at + "rampWindowSeconds: " + f.rampWindowSeconds() + " (expected: 0, or >= 2 evaluations ("
          + 2 * evaluation + ") and <= seasonSeconds " + f.seasonSeconds() + ")");
    }
  }

  private static void direction(DirectionSpec d, String at, List<String> out) {
    range(d.stabilizationWindowSeconds(), 0, MAX_WINDOW_SECONDS, at + "stabilizationWindowSeconds", out);
    if (d.policies().isEmpty() && d.selectPolicy() != Select.DISABLED) {
      out.add(at + "policies: [] (expected: at least one policy, or selectPolicy Disabled)");
    }
    for (int i = 0; i < d.policies().size(); i++) {
      RateSpec r = d.policies().get(i);
      if (r.value() < 1) {
        out.add(at + "policies[" + i + "].value: " + r.value() + " (expected: > 0)");
      }
      range(r.periodSeconds(), 1, MAX_PERIOD_SECONDS, at + "policies[" + i + "].periodSeconds", out);
    }
  }

  private static void metricName(String name, String at, List<String> out) {
    if (name == null || !METRIC_NAME.matcher(name).matches()) {
      out.add(at + ": " + (name == null ? "null" : "\"" + name + "\"")
          + " (expected: cpu, memory, requestsPerSecond, inFlight, latencyP95Ms or a custom name [A-Za-z_][A-Za-z0-9_.:-]*)");
    }
  }

  private static void positive(double value, String at, List<String> out) {
    if (!(value > 0) || !Double.isFinite(value)) {
      out.add(at + ": " + num(value) + " (expected: > 0)");
    }
  }

  private static void fraction(double value, String at, List<String> out) {
    if (!(value > 0 && value <= 1)) {
      out.add(at + ": " + num(value) + " (expected: > 0 and <= 1)");
    }
  }

  private static void range(int value, int lo, int hi, String at, List<String> out) {
    if (value < lo || value > hi) {
      out.add(at + ": " + value + " (expected: " + lo + " to " + hi + ")");
    }
  }

  /** A number as JSON would show it: {@code -1}, {@code 0.6}. */
  static String num(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
  }
}
