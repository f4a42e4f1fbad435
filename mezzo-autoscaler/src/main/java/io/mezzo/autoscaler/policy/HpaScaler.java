package io.mezzo.autoscaler.policy;

import io.mezzo.autoscaler.Decision;
import io.mezzo.autoscaler.Decision.Proposal;
import io.mezzo.autoscaler.MetricValue;
import io.mezzo.autoscaler.Observation;
import io.mezzo.autoscaler.Scaler;
import io.mezzo.autoscaler.policy.ScalingPolicy.BehaviorSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.TargetSpec;
import java.util.List;
import java.util.Objects;

/**
 * The Kubernetes Horizontal Pod Autoscaler (autoscaling/v2, controller of Kubernetes 1.2x) on one metric
 * with its defaults, as the simulator's {@code --baseline hpa}.
 *
 * <p>Reproduced, from {@code pkg/controller/podautoscaler} ({@code horizontal.go},
 * {@code replica_calculator.go}):
 * <ul>
 *   <li>{@code desired = ceil(ratio * ready pods)} with the tolerance 0.1 on the ratio;
 *   <li>for a per-instance metric, pods without a value: at 0 on a scale-up, at the target on a scale-down;
 *       unready pods: at 0 on a scale-up, ignored on a scale-down; no change when the fill-in reverses the
 *       direction or lands within the tolerance; for an app-wide (object) metric, {@code ceil(ratio *
 *       ready)} with the tolerance only;
 *   <li>a missing metric: no scaling at all, and no recommendation recorded (the controller's
 *       "invalid metrics" error);
 *   <li>0 replicas: autoscaling disabled; a count outside [min, max] goes to the bound;
 *   <li>the default {@code behavior}: scale-up stabilization 0 s and policies 100% and 4 pods per 15 s
 *       (Max), scale-down stabilization 300 s and 100% per 15 s; stabilization over the unstabilized
 *       recommendations, rate limits from the scale events of each period ({@link Behavior}).
 * </ul>
 * Left out: the readiness and cpu-initialization periods (the metric gatherer decides which instances
 * are ready and report, as the metrics server and pod conditions do for HPA), several metrics per HPA,
 * the milli-unit integer arithmetic of resource metrics (a tiny epsilon absorbs floating-point noise
 * instead), and the controller's own 15 s sync loop (the caller evaluates every 15 s).
 *
 * <p>State: the recommendation and scale-event history. Not thread-safe: one per app, one thread.
 */
public final class HpaScaler implements Scaler {
  public static final double TOLERANCE = 0.1;

  private final TargetSpec metric;
  private final int minInstances;
  private final int maxInstances;
  private final BehaviorSpec behavior = BehaviorSpec.defaults();
  private final ScaleHistory history = ScaleHistory.forBehavior(behavior, 0);

  /**
   * An HPA keeping {@code metric}'s value near {@code target} per instance (or app-wide, for a metric
   * reported with {@code instances == 0}) between {@code minInstances} (HPA's default: 1) and
   * {@code maxInstances}.
   */
  public HpaScaler(String metric, double target, int minInstances, int maxInstances) {
    Objects.requireNonNull(metric, "metric");
    if (!(target > 0)) {
      throw new IllegalArgumentException("target: " + target + " (expected: > 0)");
    }
    if (minInstances < 1) {
      throw new IllegalArgumentException("minInstances: " + minInstances + " (expected: >= 1)");
    }
    if (maxInstances < minInstances) {
      throw new IllegalArgumentException("maxInstances: " + maxInstances + " (expected: >= minInstances "
          + minInstances + ")");
    }
    this.metric = new TargetSpec(metric, target, TOLERANCE);
    this.minInstances = minInstances;
    this.maxInstances = maxInstances;
  }

  /** The HPA a user would write for {@code policy}: its first target-tracking metric and its bounds. */
  public static HpaScaler from(ScalingPolicy policy) {
    if (policy.metrics().isEmpty()) {
      throw new IllegalArgumentException("autoscaling.metrics: [] (expected: a target-tracking metric for HPA)");
    }
    TargetSpec first = policy.metrics().get(0);
    return new HpaScaler(first.name(), first.target(), policy.minInstances(), policy.maxInstances());
  }

  @Override
  public Decision evaluate(Observation observation) {
    int current = observation.current();
    String name = "hpa " + metric.name();
    if (current == 0) {
      return new Decision(observation.now(), 0, 0, List.of(), "scaling disabled at 0 replicas",
          "0 replicas: autoscaling is disabled -> 0");
    }
    if (current < minInstances || current > maxInstances) {
      int bound = current < minInstances ? minInstances : maxInstances;
      history.change(observation.now(), bound - current);
      String limit = (current < minInstances ? "minInstances " : "maxInstances ") + bound;
      return new Decision(observation.now(), current, bound, List.of(), limit, "outside the bounds; " + limit
          + " -> " + bound);
    }
    MetricValue value = observation.metric(metric.name());
    int reporting = TargetTracking.reporting(metric.name(), value, observation);
    if (reporting == 0) {
      Proposal none = new Proposal(name, -1, value == null ? "missing" : "no ready pod reported it");
      return new Decision(observation.now(), current, current, List.of(none), "invalid metric",
          name + " invalid metric: no scaling -> " + current);
    }
    double ratio = value.value() / metric.target();
    int recommendation;
    if (value.instances() > 0) {
      recommendation = TargetTracking.replicas(current, observation.ready(), reporting, ratio, TOLERANCE, false);
    } else {
      recommendation = Math.abs(1 - ratio) <= TOLERANCE ? current
          : TargetTracking.ceil(ratio * observation.ready());
    }
    Proposal proposal = new Proposal(name, recommendation, Format.num(value.value()) + " vs target "
        + Format.num(metric.target()) + " on " + reporting + " reporting: " + recommendation);
    Behavior.Outcome outcome = Behavior.apply(behavior, 0, history.recommendations(), history.changes(),
        observation.now(), current, recommendation, minInstances, maxInstances);
    history.recommend(observation.now(), recommendation);
    history.change(observation.now(), outcome.desired() - current);
    String reason = name + " " + proposal.detail()
        + (outcome.limitedBy() == null ? "" : "; " + outcome.limitedBy()) + " -> " + outcome.desired();
    return new Decision(observation.now(), current, outcome.desired(), List.of(proposal), outcome.limitedBy(),
        reason);
  }
}
