package io.mezzo.autoscaler.policy;

import io.mezzo.autoscaler.policy.ScaleHistory.Change;
import io.mezzo.autoscaler.policy.ScaleHistory.Recommendation;
import io.mezzo.autoscaler.policy.ScalingPolicy.BehaviorSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.DirectionSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.RateSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.RateType;
import io.mezzo.autoscaler.policy.ScalingPolicy.Select;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Kubernetes HPA v2's {@code behavior} applied to a recommendation, plus a cooldown, in this order
 * (the HPA controller's {@code normalizeDesiredReplicasWithBehaviors}):
 * <ol>
 *   <li>a count outside [min, max] goes straight to the bound, nothing else applies;
 *   <li>stabilization: the result is the current count brought within [the lowest recommendation of
 *       the scale-up window, the highest of the scale-down window], both windows including this
 *       recommendation and only recommendations strictly after {@code now - window};
 *   <li>cooldown: within {@code cooldownSeconds} after the last change, the count stays;
 *   <li>rate limits: each policy allows, from the count at the start of its period ({@code current}
 *       minus the changes made strictly after {@code now - period}), {@code value} instances or
 *       percent more (rounded up) or fewer (rounded down); {@code selectPolicy} Max takes the policy
 *       allowing the largest change, Min the smallest, Disabled allows none;
 *   <li>the bounds [min, max] last.
 * </ol>
 * Pure and stateless: the history comes in as immutable lists.
 */
final class Behavior {
  private Behavior() {}

  /** The count to have and what limited it ({@code null}: nothing did). */
  record Outcome(int desired, String limitedBy) {}

  static Outcome apply(BehaviorSpec spec, int cooldownSeconds, List<Recommendation> recommendations,
      List<Change> changes, Instant now, int current, int recommendation, int min, int max) {
    if (current < min) {
      return new Outcome(min, "minInstances " + min);
    }
    if (current > max) {
      return new Outcome(max, "maxInstances " + max);
    }
    List<String> limits = new ArrayList<>();
    int stable = stabilize(spec, recommendations, now, current, recommendation);
    if (stable != recommendation) {
      limits.add(stable < recommendation
          ? "scaleUp stabilization window " + spec.scaleUp().stabilizationWindowSeconds() + "s"
          : "scaleDown stabilization window " + spec.scaleDown().stabilizationWindowSeconds() + "s");
    }
    int desired = stable;
    if (desired != current && cooldownSeconds > 0) {
      Instant cutoff = now.minusSeconds(cooldownSeconds);
      Change last = changes.isEmpty() ? null : changes.get(changes.size() - 1);
      if (last != null && last.at().isAfter(cutoff)) {
        long ago = Duration.between(last.at(), now).toSeconds();
        return new Outcome(current, join(limits, "cooldown " + cooldownSeconds + "s (last change " + ago + "s ago)"));
      }
    }
    if (desired > current) {
      int rate = Math.max(current, upLimit(spec.scaleUp(), changes, now, current));
      if (desired > Math.min(rate, max)) {
        desired = Math.min(rate, max);
        limits.add(rate < max ? describe("scaleUp", spec.scaleUp()) : "maxInstances " + max);
      }
    } else if (desired < current) {
      int rate = Math.min(current, downLimit(spec.scaleDown(), changes, now, current));
      if (desired < Math.max(rate, min)) {
        desired = Math.max(rate, min);
        limits.add(rate > min ? describe("scaleDown", spec.scaleDown()) : "minInstances " + min);
      }
    }
    return new Outcome(desired, limits.isEmpty() ? null : String.join(", ", limits));
  }

  /** HPA's {@code stabilizeRecommendationWithBehaviors}. */
  static int stabilize(BehaviorSpec spec, List<Recommendation> recommendations, Instant now, int current,
      int recommendation) {
    Instant upCutoff = now.minusSeconds(spec.scaleUp().stabilizationWindowSeconds());
    Instant downCutoff = now.minusSeconds(spec.scaleDown().stabilizationWindowSeconds());
    int up = recommendation;
    int down = recommendation;
    for (Recommendation r : recommendations) {
      if (r.at().isAfter(upCutoff)) {
        up = Math.min(up, r.instances());
      }
      if (r.at().isAfter(downCutoff)) {
        down = Math.max(down, r.instances());
      }
    }
    return Math.min(Math.max(current, up), down);
  }

  /** HPA's {@code calculateScaleUpLimitWithScalingRules}: the highest count the rules allow now. */
  static int upLimit(DirectionSpec rules, List<Change> changes, Instant now, int current) {
    if (rules.selectPolicy() == Select.DISABLED) {
      return current;
    }
    boolean max = rules.selectPolicy() == Select.MAX;
    long result = max ? Long.MIN_VALUE : Long.MAX_VALUE;
    for (RateSpec r : rules.policies()) {
      long start = periodStart(r, changes, now, current);
      long proposed = r.type() == RateType.INSTANCES ? start + r.value()
          : (long) Math.ceil(start * (1 + r.value() / 100.0));
      result = max ? Math.max(result, proposed) : Math.min(result, proposed);
    }
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, result));
  }

  /** HPA's {@code calculateScaleDownLimitWithBehaviors}: the lowest count the rules allow now. */
  static int downLimit(DirectionSpec rules, List<Change> changes, Instant now, int current) {
    if (rules.selectPolicy() == Select.DISABLED) {
      return current;
    }
    boolean max = rules.selectPolicy() == Select.MAX;
    long result = max ? Long.MAX_VALUE : Long.MIN_VALUE;
    for (RateSpec r : rules.policies()) {
      long start = periodStart(r, changes, now, current);
      long proposed = r.type() == RateType.INSTANCES ? start - r.value()
          : (long) (start * (1 - r.value() / 100.0));
      result = max ? Math.min(result, proposed) : Math.max(result, proposed);
    }
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, result));
  }

  /** The count at the start of {@code r}'s period: {@code current} less the changes made within it. */
  private static long periodStart(RateSpec r, List<Change> changes, Instant now, int current) {
    Instant cutoff = now.minusSeconds(r.periodSeconds());
    long start = current;
    for (Change c : changes) {
      if (c.at().isAfter(cutoff)) {
        start -= c.delta();
      }
    }
    return start;
  }

  private static String describe(String direction, DirectionSpec rules) {
    if (rules.selectPolicy() == Select.DISABLED) {
      return direction + " disabled";
    }
    String policies = rules.policies().stream()
        .map(r -> r.value() + (r.type() == RateType.PERCENT ? "%" : "") + "/" + r.periodSeconds() + "s")
        .collect(Collectors.joining(", "));
    return direction + " rate " + policies + (rules.policies().size() > 1
        ? " (" + (rules.selectPolicy() == Select.MAX ? "Max" : "Min") + ")" : "");
  }

  private static String join(List<String> limits, String last) {
    List<String> all = new ArrayList<>(limits);
    all.add(last);
    return String.join(", ", all);
  }
}
