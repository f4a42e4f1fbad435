package io.mezzo.balancer.algorithm;

import java.util.random.RandomGenerator;

/**
 * Peak EWMA (Finagle's {@code PeakEwma} balancer, Linkerd's default): the power of two choices (see
 * {@link TwoChoices}) on {@code cost = latencyEstimate x (inFlight + 1) / weight}, where the estimate is
 * the backend's peak-EWMA latency decayed to now ({@link BackendStats}, time constant {@code decay}). A
 * backend whose latency spikes is avoided at once (the peak replaces the average); while avoided, its
 * estimate decays towards zero, so it is tried again and wins its share back if it has recovered.
 *
 * <p>A backend with no latency sample yet costs 0 while idle (so it gets a first request at once) and
 * {@code penalty x inFlight} while its first requests are outstanding, so that a new backend is probed
 * with a request or two rather than flooded before anything is known about it (Finagle's penalty rule,
 * with a configurable penalty).
 *
 * <p>Thread: any; reads the backends' atomics. Building the picker sets the decay time constant on the
 * backends' stats (the same value for every picker of a route).
 */
final class PeakEwma extends TwoChoices {
  private final double penaltyNanos;

  PeakEwma(BackendSet set, long decayNanos, long penaltyNanos, RandomGenerator random) {
    super(set, random);
    this.penaltyNanos = penaltyNanos;
    for (Backend b : backends) {
      b.stats().decayNanos(decayNanos);
    }
  }

  @Override
  double load(Backend b, long nowNanos) {
    BackendStats stats = b.stats();
    int inFlight = stats.inFlight();
    double latency = stats.estimateOrNegative(nowNanos);
    if (latency < 0) {
      return penaltyNanos * inFlight / b.weight();
    }
    return latency * (inFlight + 1) / b.weight();
  }
}
