package io.mezzo.autoscaler.policy;

import java.util.List;

/**
 * An {@code autoscaling} object that cannot be used, with every problem found: each names the field
 * path, the bad value and what was expected ({@code autoscaling.metrics[0].target: -1 (expected: > 0)}).
 * The HTTP layer answers 422 with {@link #problems()}. Immutable.
 */
public final class PolicyException extends IllegalArgumentException {
  private final List<String> problems;

  PolicyException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem, in field order. */
  public List<String> problems() {
    return problems;
  }
}
