package io.mezzo.autoscaler.policy;

import io.mezzo.autoscaler.Decision.Proposal;
import io.mezzo.autoscaler.MetricValue;
import io.mezzo.autoscaler.Observation;
import io.mezzo.autoscaler.policy.ScalingPolicy.TargetSpec;
import java.util.Set;

/**
 * Target tracking on one metric with the Kubernetes HPA rule: {@code desired = ceil(ready * actual /
 * target)}, no change while {@code actual / target} is within the tolerance of 1.
 *
 * <p>Instances that do not report the metric are filled in as HPA does, so that they neither cause nor
 * hide a change: on a scale-up they count as idle (an instance still starting takes no load yet, so the
 * count is not raised twice for the same load), on a scale-down as exactly at target (their load is
 * unknown, so they are kept), and a fill-in that reverses the direction or lands within the tolerance
 * leaves the count alone. Mezzo also counts instances that are not ready yet as at target on a scale-down
 * (HPA ignores them and may remove them); {@link HpaScaler} keeps HPA's rule. A per-instance metric no
 * instance reported, or an absent metric, abstains. Pure and stateless.
 */
final class TargetTracking {
  /** The built-in metrics averaged per instance; any other metric with {@code instances == 0} is app-wide. */
  static final Set<String> PER_INSTANCE = Set.of(MetricValue.CPU, MetricValue.MEMORY,
      MetricValue.REQUESTS_PER_SECOND, MetricValue.IN_FLIGHT);
  /** Below floating-point noise: {@code 0.66 / 0.6 * 10} must ask for 11, not 12. */
  private static final double EPSILON = 1e-9;

  private TargetTracking() {}

  /** The proposal for {@code spec} on {@code observation}: a count, or -1 when the metric is missing. */
  static Proposal propose(TargetSpec spec, Observation observation) {
    String policy = "targetTracking " + spec.name();
    MetricValue value = observation.metric(spec.name());
    int reporting = reporting(spec.name(), value, observation);
    if (reporting == 0) {
      return new Proposal(policy, -1, value == null ? "missing" : "no ready instance reported it");
    }
    double ratio = value.value() / spec.target();
    int desired = replicas(observation.current(), observation.ready(), reporting, ratio, spec.tolerance(), true);
    return new Proposal(policy, desired, Format.num(value.value()) + (ratio > 1 ? " over" : " under")
        + " target " + Format.num(spec.target()) + " on " + reporting + " reporting: " + desired);
  }

  /** How many instances {@code value} averages over: its reporters, or the ready ones for an app-wide value. */
  static int reporting(String name, MetricValue value, Observation observation) {
    if (value == null) {
      return 0;
    }
    if (value.instances() > 0) {
      return value.instances();
    }
    return PER_INSTANCE.contains(name) ? 0 : observation.ready();
  }

  /**
   * HPA's replica count for one metric ({@code replica_calculator.go}, {@code calcPlainMetricReplicas}).
   *
   * @param current the count now
   * @param ready the instances ready (the others are starting: HPA's unready pods)
   * @param reporting the ready instances that reported the metric (the others: HPA's missing pods)
   * @param ratio the reported average over the target
   * @param keepUnreadyOnScaleDown Mezzo's rule: count unready instances as at target on a scale-down
   */
  static int replicas(int current, int ready, int reporting, double ratio, double tolerance,
      boolean keepUnreadyOnScaleDown) {
    int unready = Math.max(0, current - Math.max(ready, reporting));
    int missing = Math.max(0, Math.min(ready, current) - reporting);
    boolean upWithUnready = unready > 0 && ratio > 1;
    boolean downWithUnready = keepUnreadyOnScaleDown && unready > 0 && ratio < 1;
    if (keepUnreadyOnScaleDown && Math.abs(1 - ratio) <= tolerance) {
      return current; // Mezzo: on target is on target (HPA can scale down at a ratio of exactly 1 with missing pods)
    }
    if (!upWithUnready && !downWithUnready && missing == 0) {
      if (Math.abs(1 - ratio) <= tolerance) {
        return current;
      }
      return ceil(ratio * reporting);
    }
    double sum = ratio * reporting;
    int pods = reporting + missing;
    if (ratio < 1) {
      sum += missing;
    }
    if (upWithUnready) {
      pods += unready;
    } else if (downWithUnready) {
      sum += unready;
      pods += unready;
    }
    double newRatio = sum / pods;
    if (Math.abs(1 - newRatio) <= tolerance || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) {
      return current;
    }
    int desired = ceil(sum);
    if ((newRatio < 1 && desired > current) || (newRatio > 1 && desired < current)) {
      return current;
    }
    return desired;
  }

  static int ceil(double value) {
    return (int) Math.min(Integer.MAX_VALUE, Math.ceil(value - EPSILON));
  }
}
