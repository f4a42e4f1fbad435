package io.mezzo.balancer.algorithm;

import java.util.random.RandomGenerator;

/**
 * Least request by the power of two choices (see {@link TwoChoices}) on
 * {@code inFlight / (weight x slowStartFactor)}: fewer requests in flight per unit of effective weight
 * wins; between idle backends the choice follows the effective weights, so a backend in slow start gets
 * its reduced share at low load and looks loaded in proportion at high load (Envoy applies slow start to
 * least request the same way).
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
    return b.stats().inFlight() / weight(b, nowNanos);
  }

  @Override
  double weight(Backend b, long nowNanos) {
    return b.weight() * slowStart.factor(b, nowNanos);
  }
}
