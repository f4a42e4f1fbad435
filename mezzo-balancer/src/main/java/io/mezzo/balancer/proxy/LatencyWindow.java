package io.mezzo.balancer.proxy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One meter's request latencies (a route's or a backend's): how many, their sum and the p50/p90/p95/p99
 * and max of those of the last {@link #SLOTS} x 20 s (40 to 60 s: the window Micrometer's timers had,
 * with an expiry of 60 s over 3 buffers).
 *
 * <p>Recording is per thread: each thread that calls {@link #record} (an event loop) gets its own
 * HdrHistogram {@link SingleWriterRecorder} (wait-free, no lock, no clock read, no contention between
 * loops) and an exact sum in nanoseconds. Reading ({@link #read}) swaps each recorder's interval
 * histogram out, adds it to the current 20 s slot and to the totals, rotates the slots by the time it is
 * given, and computes the figures over the slots; values are kept in microseconds with 2 significant
 * digits (within 1%).
 *
 * <p>Threads: {@link #record} from any thread, each writing only its own recorder and sum; the reading
 * side is {@code synchronized} (the once-a-second sampler on an event loop and the admin threads serving
 * {@code /stats} and {@code /metrics}), a lock the request path never takes.
 */
final class LatencyWindow {
  /** Slots in the window; each holds what was read during {@link #SLOT_NANOS}. */
  static final int SLOTS = 3;
  static final long SLOT_NANOS = 20_000_000_000L;
  private static final int DIGITS = 2;

  /**
   * The figures at one read: how many and their exact sum since the start; the percentiles and the max, in
   * microseconds, of those in the window (0 when it is empty).
   */
  record Figures(long count, long sumNanos, long p50, long p90, long p95, long p99, long max) {}

  /** One thread's recorder and the exact sum of what it recorded. */
  private static final class Cell {
    private static final VarHandle SUM;

    static {
      try {
        SUM = MethodHandles.lookup().findVarHandle(Cell.class, "sumNanos", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final Thread owner;
    final SingleWriterRecorder recorder = new SingleWriterRecorder(DIGITS);
    /** Written by {@code owner} only (release store), read by the reader (acquire). */
    @SuppressWarnings("unused")
    private long sumNanos;
    /** Reader side: the interval histogram given back to the recorder at the next swap. */
    Histogram spare;

    Cell(Thread owner) {
      this.owner = owner;
    }

    void record(long nanos) {
      recorder.recordValue(Math.max(0, nanos / 1000));
      SUM.setRelease(this, (long) SUM.get(this) + nanos);
    }

    long sum() {
      return (long) SUM.getAcquire(this);
    }
  }

  private final Map<Thread, Cell> cells = new ConcurrentHashMap<>();

  // Reader side, guarded by this.
  private final Histogram[] slots = new Histogram[SLOTS];
  private final Histogram merged = new Histogram(DIGITS);
  private int head;
  private long headStart;
  private boolean started;
  private long count;
  /** The sums of the cells of threads that ended (their cells are gone). */
  private long endedSumNanos;

  LatencyWindow() {
    for (int i = 0; i < SLOTS; i++) {
      slots[i] = new Histogram(DIGITS);
    }
  }

  /** A request took {@code nanos}; on the calling thread's own recorder. */
  void record(long nanos) {
    Thread t = Thread.currentThread();
    Cell c = cells.get(t);
    if (c == null) {
      c = cells.computeIfAbsent(t, Cell::new);
    }
    c.record(nanos);
  }

  /** Requests recorded up to now (read at {@code nowNanos}). */
  synchronized long count(long nowNanos) {
    drain(nowNanos);
    return count;
  }

  /** The exact sum of every latency recorded up to now, in nanoseconds. */
  synchronized long sumNanos() {
    long sum = endedSumNanos;
    for (Cell c : cells.values()) {
      sum += c.sum();
    }
    return sum;
  }

  /** The figures as of {@code nowNanos}. */
  synchronized Figures read(long nowNanos) {
    drain(nowNanos);
    merged.reset();
    for (Histogram s : slots) {
      merged.add(s);
    }
    return new Figures(count, sumNanos(), merged.getValueAtPercentile(50), merged.getValueAtPercentile(90),
        merged.getValueAtPercentile(95), merged.getValueAtPercentile(99),
        merged.getTotalCount() == 0 ? 0 : merged.getMaxValue());
  }

  /** Moves what the recorders took since the last drain into the current slot, after rotating to {@code now}. */
  private void drain(long now) {
    rotate(now);
    Histogram slot = slots[head];
    for (Iterator<Cell> it = cells.values().iterator(); it.hasNext(); ) {
      Cell c = it.next();
      boolean ended = !c.owner.isAlive(); // read before the swap: an ended thread records nothing after it
      Histogram interval = c.recorder.getIntervalHistogram(c.spare);
      count += interval.getTotalCount();
      slot.add(interval);
      c.spare = interval;
      if (ended) {
        endedSumNanos += c.sum();
        it.remove();
      }
    }
  }

  /**
   * Starts a new slot (forgetting the oldest) for each {@link #SLOT_NANOS} since the current one began. A
   * clock that went backwards rotates nothing.
   */
  private void rotate(long now) {
    if (!started) {
      started = true;
      headStart = now;
      return;
    }
    long steps = (now - headStart) / SLOT_NANOS;
    if (steps <= 0) {
      return;
    }
    for (long i = 0; i < Math.min(steps, SLOTS); i++) {
      head = (head + 1) % SLOTS;
      slots[head].reset();
    }
    headStart += steps * SLOT_NANOS;
  }
}
