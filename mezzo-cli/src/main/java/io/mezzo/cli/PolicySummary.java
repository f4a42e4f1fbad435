package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.autoscaler.policy.PolicyException;
import io.mezzo.autoscaler.policy.ScalingPolicy;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * An app's {@code autoscaling} object as one line for people: the bounds, then each policy and the
 * limits that differ from nothing, with the autoscaler's defaults filled in
 * ({@code 2 to 6 instances; target requestsPerSecond=70; scale-down window 300s}). A policy the
 * autoscaler cannot read (stored by another version, say) is shown as its JSON. Pure.
 */
final class PolicySummary {
  private PolicySummary() {}

  static String of(JsonNode autoscaling) {
    ScalingPolicy p;
    try {
      p = ScalingPolicy.fromJson(autoscaling);
    } catch (PolicyException e) {
      return autoscaling.toString();
    }
    List<String> parts = new ArrayList<>();
    parts.add(p.minInstances() + " to " + p.maxInstances() + " instances");
    if (!p.metrics().isEmpty()) {
      parts.add("target " + String.join(", ", p.metrics().stream().map(m -> m.name() + "=" + number(m.target())
          + (m.tolerance() == ScalingPolicy.DEFAULT_TOLERANCE ? "" : " (tolerance " + number(m.tolerance()) + ")"))
          .toList()));
    }
    if (!p.steps().isEmpty()) {
      parts.add("steps on " + String.join(", ", p.steps().stream().map(ScalingPolicy.StepSpec::metric).toList()));
    }
    if (!p.schedules().isEmpty()) {
      parts.add("schedules " + String.join(", ", p.schedules().stream()
          .map(s -> s.name() + " (min " + s.minInstances() + ")").toList()));
    }
    if (p.predictive() != null) {
      parts.add("predictive on " + p.predictive().metric() + " " + p.predictive().horizonSeconds() + "s ahead");
    }
    parts.add("scale-up window " + p.behavior().scaleUp().stabilizationWindowSeconds() + "s");
    parts.add("scale-down window " + p.behavior().scaleDown().stabilizationWindowSeconds() + "s");
    if (p.cooldownSeconds() > 0) {
      parts.add("cooldown " + p.cooldownSeconds() + "s");
    }
    return String.join("; ", parts);
  }

  static String number(double d) {
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }
}
