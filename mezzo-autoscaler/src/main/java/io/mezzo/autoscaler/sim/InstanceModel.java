package io.mezzo.autoscaler.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * The simulated app's instances: how much each serves, how fast, how long one takes to start, and the
 * latency objective. Immutable and validated when built.
 *
 * <p><b>Queueing model.</b> Each ready instance is an M/M/k queue ({@link Queueing}): the load balancer
 * splits the app's Poisson arrivals evenly over the ready instances (a random split of a Poisson stream
 * is Poisson), and an instance runs {@code k = max(1, round(capacity x serviceTime))} requests at once,
 * each taking an exponential time of mean {@code k / capacity} (the service time, rounded so that the
 * instance's throughput at utilisation 1 is exactly {@code capacity}). M/M/k per instance rather than one
 * M/M/c for the app because the balancer commits a request to an instance on arrival; it is the more
 * cautious of the two (no instance borrows another's idle workers).
 *
 * <p>For an instance receiving {@code r} requests/s: utilisation {@code r / capacity}; p95 and mean
 * response times from the M/M/k closed forms; in-flight requests by Little's law ({@code r x E[T]}).
 * A saturated instance (utilisation >= 1) has no steady state: its latency is reported as the
 * {@link #latencyCap() cap} (what a client timeout would show, {@code max(30 s, 10 x SLO)}).
 *
 * <p><b>Demand.</b> {@link #sustainableRps()} is the largest per-instance rate whose p95 meets the SLO;
 * the app's demand at a total rate {@code R} is {@code max(1, ceil(R / sustainableRps))} instances: the
 * fewest that meet the SLO (p95 is increasing in the per-instance rate), and at least one, since an app
 * with no instance serves nothing. So {@code ready < demand(R)} exactly when the p95 is over the SLO or
 * the utilisation is >= 1, which is what counts as SLO-violation time.
 */
public final class InstanceModel {
  private final double capacityRps;
  private final Duration serviceTime;
  private final Duration startupDelay;
  private final Duration slo;
  private final int workers;
  private final double workerRate;
  private final double sustainableRps;
  private final double latencyCapMs;

  private InstanceModel(double capacityRps, Duration serviceTime, Duration startupDelay, Duration slo) {
    this.capacityRps = capacityRps;
    this.serviceTime = serviceTime;
    this.startupDelay = startupDelay;
    this.slo = slo;
    double serviceSeconds = serviceTime.toNanos() / 1e9;
    this.workers = (int) Math.max(1, Math.round(capacityRps * serviceSeconds));
    this.workerRate = capacityRps / workers;
    this.latencyCapMs = Math.max(30_000, 10.0 * slo.toNanos() / 1e6);
    double idleP95 = p95Millis(0);
    double sloMs = slo.toNanos() / 1e6;
    if (sloMs <= idleP95) {
      throw new IllegalArgumentException("slo: " + sloMs + " ms (expected: > " + idleP95
          + " ms, the p95 of the service time alone)");
    }
    double lo = 0;
    double hi = capacityRps;
    for (int i = 0; i < 100; i++) {
      double mid = (lo + hi) / 2;
      if (p95Millis(mid) <= sloMs) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    this.sustainableRps = lo;
  }

  /**
   * A model with instances serving {@code capacityRps} requests/s at utilisation 1, a mean per-request
   * {@code serviceTime}, ready {@code startupDelay} after they are asked for, and a p95 latency objective.
   */
  public static InstanceModel of(double capacityRps, Duration serviceTime, Duration startupDelay, Duration slo) {
    if (!(capacityRps > 0) || Double.isInfinite(capacityRps)) {
      throw new IllegalArgumentException("capacityRps: " + capacityRps + " (expected: > 0)");
    }
    Objects.requireNonNull(serviceTime, "serviceTime");
    Objects.requireNonNull(startupDelay, "startupDelay");
    Objects.requireNonNull(slo, "slo");
    if (serviceTime.isNegative() || serviceTime.isZero()) {
      throw new IllegalArgumentException("serviceTime: " + serviceTime + " (expected: > 0)");
    }
    if (startupDelay.isNegative()) {
      throw new IllegalArgumentException("startupDelay: " + startupDelay + " (expected: >= 0)");
    }
    return new InstanceModel(capacityRps, serviceTime, startupDelay, slo);
  }

  /** 100 requests/s per instance, 50 ms per request, 60 s to start, SLO p95 250 ms (5x the service time). */
  public static InstanceModel defaults() {
    return of(100, Duration.ofMillis(50), Duration.ofSeconds(60), Duration.ofMillis(250));
  }

  public double capacityRps() {
    return capacityRps;
  }

  public Duration serviceTime() {
    return serviceTime;
  }

  public Duration startupDelay() {
    return startupDelay;
  }

  public Duration slo() {
    return slo;
  }

  /** The requests an instance runs at once ({@code k} of its M/M/k queue). */
  public int workers() {
    return workers;
  }

  /** The largest per-instance rate (requests/s) at which the p95 latency meets the SLO. */
  public double sustainableRps() {
    return sustainableRps;
  }

  /** The latency reported for a saturated instance, in milliseconds. */
  public double latencyCapMs() {
    return latencyCapMs;
  }

  /** The utilisation of an instance receiving {@code rps} requests/s (>= 1 when saturated). */
  public double utilisation(double rps) {
    return rps / capacityRps;
  }

  /** The p95 response time in ms of an instance receiving {@code rps} requests/s, capped. */
  public double p95Millis(double rps) {
    if (rps >= capacityRps) {
      return latencyCapMs;
    }
    return Math.min(latencyCapMs, 1000 * Queueing.responsePercentile(workers, workerRate, rps, 0.95));
  }

  /** The mean response time in ms of an instance receiving {@code rps} requests/s, capped. */
  public double meanResponseMillis(double rps) {
    if (rps >= capacityRps) {
      return latencyCapMs;
    }
    return Math.min(latencyCapMs, 1000 * Queueing.meanResponse(workers, workerRate, rps));
  }

  /** Requests in flight at an instance receiving {@code rps} requests/s (Little's law on the capped mean). */
  public double inFlight(double rps) {
    return rps * meanResponseMillis(rps) / 1000;
  }

  /** The instances needed to serve {@code totalRps} within the SLO: at least 1. */
  public int demand(double totalRps) {
    double needed = Math.ceil(totalRps / sustainableRps - 1e-9);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, needed));
  }

  @Override
  public String toString() {
    return "capacity " + capacityRps + " rps/instance (" + workers + " workers), service time "
        + serviceTime.toMillis() + " ms, start-up " + startupDelay.toSeconds() + " s, SLO p95 "
        + slo.toMillis() + " ms";
  }
}
