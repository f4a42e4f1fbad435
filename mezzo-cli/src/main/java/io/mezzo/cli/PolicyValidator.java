package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.autoscaler.policy.PolicyException;
import io.mezzo.autoscaler.policy.ScalingPolicy;
import io.mezzo.services.app.AutoscalingValidator;
import java.util.List;

/**
 * The services API's judge of an app's {@code autoscaling} object: the autoscaler's own reader
 * ({@link ScalingPolicy#fromJson}), each of its problems ({@code autoscaling.metrics[0].target: -1
 * (expected: > 0)}) becoming a 422 detail under the JSON pointer of its field
 * ({@code /autoscaling/metrics/0/target}) with the problem as its error. It lives with the host because
 * the services module cannot see the autoscaler. Stateless; thread-safe.
 */
final class PolicyValidator implements AutoscalingValidator {
  @Override
  public List<Problem> problems(JsonNode autoscaling) {
    try {
      ScalingPolicy.fromJson(autoscaling);
      return List.of();
    } catch (PolicyException e) {
      return e.problems().stream().map(PolicyValidator::problem).toList();
    }
  }

  /** {@code autoscaling.a[0].b: message} as a detail at {@code /autoscaling/a/0/b}; others at {@code /autoscaling}. */
  static Problem problem(String text) {
    int colon = text.indexOf(": ");
    String path = colon < 0 ? "" : text.substring(0, colon);
    if (!path.equals("autoscaling") && !path.startsWith("autoscaling.") && !path.startsWith("autoscaling[")) {
      return new Problem("/autoscaling", text);
    }
    String pointer = "/" + path.replace("[", "/").replace("]", "").replace('.', '/');
    return new Problem(pointer, text);
  }
}
