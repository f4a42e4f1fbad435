package io.mezzo.services.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Judges an app's {@code autoscaling} object, a Mezzo extension the services module stores and shows
 * but does not interpret: the autoscaler owns its meaning, and the module that runs it hands
 * {@link AppValidator} an implementation (the services module cannot see the policies, since the
 * autoscaler depends on it and not the other way round). {@link AppValidator} has already checked that
 * the value is a JSON object; an implementation must be pure and thread-safe.
 */
@FunctionalInterface
public interface AutoscalingValidator {
  /** Accepts any object: what the services module alone can say about a policy. */
  AutoscalingValidator ANY_OBJECT = autoscaling -> List.of();

  /**
   * Every problem of {@code autoscaling} (a JSON object), in field order; empty when it is valid.
   */
  List<Problem> problems(JsonNode autoscaling);

  /**
   * One bad field: {@code pointer} is its JSON pointer from the app ({@code /autoscaling/metrics/0/target},
   * the form of every other 422 detail), {@code message} names the value and what was expected.
   */
  record Problem(String pointer, String message) {
    public Problem {
      if (pointer == null || !pointer.startsWith("/autoscaling")) {
        throw new IllegalArgumentException("pointer: " + pointer + " (expected: a JSON pointer under /autoscaling)");
      }
      java.util.Objects.requireNonNull(message, "message");
    }
  }
}
