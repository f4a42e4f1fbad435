package io.mezzo.balancer.algorithm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The soft, observed state of one {@link Backend}: how many requests it has in flight and a peak-EWMA
 * estimate of its latency. Never persisted; it survives picker rebuilds because {@link BackendSet#next}
 * hands the same object to a backend that stays.
 *
 * <p>The proxy calls {@link #onStart()} when it dispatches a request to the backend, and exactly one of
 * {@link #onComplete(long, long)} (a response, or a failure after the request reached the backend: its
 * latency is a real sample) or {@link #onCancel()} (ended without a meaningful latency, e.g. a connect
 * failure to be retried elsewhere, which must not make the backend look fast) when it ends.
 *
 * <p>Peak EWMA (Finagle's {@code PeakEwma}, Linkerd/tower's {@code PeakEwma}): a sample above the current
 * (decayed) estimate replaces it at once, so a latency spike counts immediately; a lower sample is
 * blended in with weight {@code 1 - exp(-dt/tau)}, where {@code dt} is the time since the previous sample.
 * Between samples the estimate decays towards zero with the same time constant, so a backend that was
 * avoided because it was slow is tried again after a while. Unlike Finagle, reading does not write: the
 * decay to "now" is computed from the last sample, which makes the estimate independent of how often it
 * is read.
 *
 * <p>Thread: any. In-flight is one atomic int; the EWMA is an immutable (estimate, time) pair swapped by
 * compare-and-set (one small allocation per completed request, none per read or pick).
 */
public final class BackendStats {
  /** Decay time constant used when no peak-EWMA picker configured one: 10 s, as Finagle and Linkerd. */
  static final long DEFAULT_DECAY_NANOS = 10_000_000_000L;

  private static final VarHandle IN_FLIGHT;
  private static final VarHandle EWMA;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      IN_FLIGHT = lookup.findVarHandle(BackendStats.class, "inFlight", int.class);
      EWMA = lookup.findVarHandle(BackendStats.class, "ewma", Ewma.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The estimate (nanos) as of {@code stampNanos}, when the last sample arrived. */
  private record Ewma(double nanos, long stampNanos) {}

  @SuppressWarnings("unused") // through IN_FLIGHT
  private volatile int inFlight;
  /** Null until the first sample. */
  @SuppressWarnings("unused") // through EWMA
  private volatile Ewma ewma;
  /** Set by the peak-EWMA picker that owns the route (same value for every backend of a route). */
  private volatile double decayNanos = DEFAULT_DECAY_NANOS;

  BackendStats() {}

  /** A request was dispatched to this backend. */
  public void onStart() {
    IN_FLIGHT.getAndAdd(this, 1);
  }

  /**
   * A request ended after {@code latencyNanos} (dispatch to response, >= 0), observed at {@code nowNanos}.
   *
   * @throws IllegalArgumentException when {@code latencyNanos} < 0
   * @throws IllegalStateException (a BUG) when nothing was in flight
   */
  public void onComplete(long latencyNanos, long nowNanos) {
    if (latencyNanos < 0) {
      throw new IllegalArgumentException("latencyNanos: " + latencyNanos + " (expected: >= 0)");
    }
    onCancel();
    double tau = decayNanos;
    while (true) {
      Ewma prev = (Ewma) EWMA.getVolatile(this);
      Ewma next;
      if (prev == null) {
        next = new Ewma(latencyNanos, nowNanos);
      } else {
        double w = decayWeight(nowNanos - prev.stampNanos, tau);
        double decayed = prev.nanos * w;
        next = latencyNanos > decayed
            ? new Ewma(latencyNanos, nowNanos) // the peak: a spike counts at once
            : new Ewma(decayed + latencyNanos * (1 - w), Math.max(nowNanos, prev.stampNanos));
      }
      if (EWMA.compareAndSet(this, prev, next)) {
        return;
      }
    }
  }

  /**
   * A request ended without a latency worth learning from (connect failure, cancelled by the client).
   *
   * @throws IllegalStateException (a BUG) when nothing was in flight
   */
  public void onCancel() {
    int before = (int) IN_FLIGHT.getAndAdd(this, -1);
    if (before <= 0) {
      IN_FLIGHT.getAndAdd(this, 1);
      throw new IllegalStateException("BUG: a request ended on a backend with " + before
          + " in flight (expected: onStart() before onComplete()/onCancel())");
    }
  }

  /** Requests dispatched and not yet ended. */
  public int inFlight() {
    return (int) IN_FLIGHT.getVolatile(this);
  }

  /** Whether any latency sample has been recorded. */
  public boolean hasLatency() {
    return EWMA.getVolatile(this) != null;
  }

  /**
   * The peak-EWMA latency estimate decayed to {@code nowNanos}, in nanos; 0 before the first sample
   * (see {@link #hasLatency()}).
   */
  public double latencyNanos(long nowNanos) {
    Ewma e = (Ewma) EWMA.getVolatile(this);
    return e == null ? 0 : e.nanos * decayWeight(nowNanos - e.stampNanos, decayNanos);
  }

  /** The decayed estimate as {@link #latencyNanos}, or -1 before the first sample (one volatile read). */
  double estimateOrNegative(long nowNanos) {
    Ewma e = (Ewma) EWMA.getVolatile(this);
    return e == null ? -1 : e.nanos * decayWeight(nowNanos - e.stampNanos, decayNanos);
  }

  /** Sets the EWMA time constant (nanos, > 0); called by the peak-EWMA picker of the backend's route. */
  void decayNanos(double nanos) {
    this.decayNanos = nanos;
  }

  /** {@code exp(-elapsed/tau)}; a clock that went backwards counts as no time passing. */
  private static double decayWeight(long elapsedNanos, double tau) {
    return elapsedNanos <= 0 ? 1.0 : Math.exp(-elapsedNanos / tau);
  }

  @Override
  public String toString() {
    Ewma e = ewma;
    return "inFlight=" + inFlight() + (e == null ? "" : " ewma=" + (long) e.nanos + "ns@" + e.stampNanos);
  }
}
