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
 * <p>Slow start: the cost is divided by the effective weight {@code weight x factor}, so a backend that
 * joined lately looks {@code 1 / factor} times as costly as its latency and load say while it ramps (as
 * Envoy applies slow start to its load-aware balancers); its very first request still goes out at once,
 * by the penalty rule above, to learn its latency.
 *
 * <p>Thread: any; reads the backends' atomics. Building the picker sets the decay time constant on the
 * backends' stats (the same value for every picker of a route).
 */
final class PeakEwma extends TwoChoices {
  private final double penaltyNanos;
  private final SlowStart slowStart;

  PeakEwma(BackendSet set, long decayNanos, long penaltyNanos, SlowStart slowStart, RandomGenerator random) {
    super(set, random);
    this.penaltyNanos = penaltyNanos;
    this.slowStart = slowStart;
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
      return penaltyNanos * inFlight / weight(b, nowNanos);
    }
    return latency * (inFlight + 1) / weight(b, nowNanos);
  }

  @Override
  double weight(Backend b, long nowNanos) {
    return b.weight() * slowStart.factor(b, nowNanos);
  }
}
