package io.mezzo.balancer.algorithm;

import java.util.random.RandomGenerator;

/**
 * Least request by the power of two choices (see {@link TwoChoices}) on
 * {@code (inFlight + 1) / (weight x slowStartFactor)}: fewer requests in flight per unit of weight wins;
 * the {@code + 1} lets the weight decide between idle backends, and a backend in slow start looks loaded
 * in proportion (Envoy's least request with active-request bias 1).
 *
 * <p>Thread: any; reads the backends' atomic in-flight counts.
 */
final class LeastRequest extends TwoChoices {
  private final SlowStart slowStart;

  LeastRequest(BackendSet set, SlowStart slowStart, RandomGenerator random) {
    super(set, random);
    this.slowStart = slowStart;
  }

  @Override
  double load(Backend b, long nowNanos) {
    return (b.stats().inFlight() + 1) / (b.weight() * slowStart.factor(b, nowNanos));
  }
}
