package io.mezzo.autoscaler.policy;

import io.mezzo.autoscaler.Decision.Proposal;
import io.mezzo.autoscaler.MetricValue;
import io.mezzo.autoscaler.Observation;
import io.mezzo.autoscaler.policy.ScalingPolicy.Side;
import io.mezzo.autoscaler.policy.ScalingPolicy.StepSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.ThresholdSpec;

/**
 * Step scaling: the metric's value (its per-instance average, or the app-wide value) against the
 * thresholds. Of the 'above' thresholds it exceeds, the one asking for the most instances wins; of the
 * 'below' ones it is under, the one asking for the fewest; none: the count stays. Since every 'below'
 * bound is under every 'above' bound and their changes have those signs ({@link PolicyChecks}), more load
 * never asks for fewer instances. A missing metric abstains. Pure and stateless.
 */
final class StepScaling {
  private StepScaling() {}

  /** The proposal for {@code spec} on {@code observation}: a count, or -1 when the metric is missing. */
  static Proposal propose(StepSpec spec, Observation observation) {
    String policy = "step " + spec.metric();
    MetricValue value = observation.metric(spec.metric());
    if (TargetTracking.reporting(spec.metric(), value, observation) == 0) {
      return new Proposal(policy, -1, value == null ? "missing" : "no ready instance reported it");
    }
    int current = observation.current();
    int up = current;
    int down = current;
    ThresholdSpec fired = null;
    for (ThresholdSpec t : spec.thresholds()) {
      if (!t.fires(value.value())) {
        continue;
      }
      int asked = t.apply(current);
      if (t.side() == Side.ABOVE && asked > up) {
        up = asked;
        fired = t;
      } else if (t.side() == Side.BELOW && asked < down) {
        down = asked;
        fired = t;
      }
    }
    int desired = up > current ? up : down;
    String detail = Format.num(value.value()) + (fired == null ? " within all thresholds"
        : (fired.side() == Side.ABOVE ? " above " : " below ") + Format.num(fired.bound())) + ": " + desired;
    return new Proposal(policy, desired, detail);
  }
}
