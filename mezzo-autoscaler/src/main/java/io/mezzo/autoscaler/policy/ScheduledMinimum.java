package io.mezzo.autoscaler.policy;

import io.mezzo.autoscaler.Decision.Proposal;
import io.mezzo.autoscaler.policy.ScalingPolicy.ScheduleSpec;
import java.time.Instant;

/**
 * A scheduled minimum: inside one of its windows the count is at least the schedule's
 * {@code minInstances}; outside it abstains. The scaler applies it as a raised {@code minInstances},
 * with the bounds, after the rate limits: a window opening is not throttled. Pure and stateless.
 */
final class ScheduledMinimum {
  private ScheduledMinimum() {}

  /** The proposal for {@code spec} at {@code now}: its minimum inside a window, -1 outside. */
  static Proposal propose(ScheduleSpec spec, Instant now) {
    String policy = "schedule " + spec.name();
    if (spec.covers(now)) {
      return new Proposal(policy, spec.minInstances(), "in window: at least " + spec.minInstances());
    }
    return new Proposal(policy, -1, "outside the window");
  }
}
