package io.mezzo.master.operator;

import java.util.Arrays;

/**
 * The last {@code capacity} durations of something that repeats (allocation runs), for percentiles
 * over a recent window as Mesos' {@code TimeSeries} statistics give them. Percentiles use the
 * nearest-rank method. Not thread-safe: owned by the master loop thread.
 */
public final class DurationWindow {
  private final long[] nanos;
  private int next;
  private int size;
  private long count;

  public DurationWindow(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
    }
    this.nanos = new long[capacity];
  }

  public void record(long durationNanos) {
    nanos[next] = Math.max(0, durationNanos);
    next = (next + 1) % nanos.length;
    size = Math.min(size + 1, nanos.length);
    count++;
  }

  /** How many durations were ever recorded (not only those in the window). */
  public long count() {
    return count;
  }

  /** The most recent duration, or -1 when none was recorded. */
  public long last() {
    return size == 0 ? -1 : nanos[(next - 1 + nanos.length) % nanos.length];
  }

  /** The window's durations, sorted ascending. */
  public long[] sorted() {
    long[] copy = Arrays.copyOf(size == nanos.length ? nanos : Arrays.copyOf(nanos, size), size);
    Arrays.sort(copy);
    return copy;
  }

  /** The nearest-rank {@code p}-th percentile ({@code 0 < p <= 100}) of {@code sorted}, or -1 if it is empty. */
  public static long percentile(long[] sorted, double p) {
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("p: " + p + " (expected: 0 < p <= 100)");
    }
    if (sorted.length == 0) {
      return -1;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }
}
