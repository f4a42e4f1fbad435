package io.mezzo.balancer.proxy;

/**
 * A request rate over a sliding window, from samples of a cumulative count: {@link #sample} is called
 * about once a second with the count and the time, and {@link #perSecond} is the increase between the
 * newest sample and the oldest one still in the window, divided by the time between them. Before two
 * samples exist the rate is 0. A count that goes down (a meter that was replaced) restarts the window.
 *
 * <p>Thread-safe: {@code sample} comes from the LB's sampling task, {@code perSecond} from whoever
 * reads the stats; both lock this small object (once a second, and per stats read).
 */
final class RateWindow {
  private final long[] counts;
  private final long[] times;
  private int size;
  private int next;

  /** A window of {@code samples} samples (10 samples a second apart: a 9 to 10 s window). */
  RateWindow(int samples) {
    if (samples < 2) {
      throw new IllegalArgumentException("samples: " + samples + " (expected: >= 2)");
    }
    counts = new long[samples];
    times = new long[samples];
  }

  synchronized void sample(long count, long nowNanos) {
    if (size > 0 && count < counts[(next - 1 + counts.length) % counts.length]) {
      size = 0;
      next = 0;
    }
    counts[next] = count;
    times[next] = nowNanos;
    next = (next + 1) % counts.length;
    size = Math.min(size + 1, counts.length);
  }

  synchronized boolean isEmpty() {
    return size == 0;
  }

  synchronized double perSecond() {
    if (size < 2) {
      return 0;
    }
    int newest = (next - 1 + counts.length) % counts.length;
    int oldest = (next - size + counts.length) % counts.length;
    long dt = times[newest] - times[oldest];
    return dt <= 0 ? 0 : (counts[newest] - counts[oldest]) * 1e9 / dt;
  }
}
