package io.mezzo.cli.sample;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Spends a given amount of the calling thread's CPU time on real work (a xorshift mix over a small
 * array, which the JIT cannot drop because its result is published), measured with the thread's CPU
 * clock ({@link ThreadMXBean#getCurrentThreadCpuTime}), not the wall clock: a thread that is
 * descheduled on a busy machine keeps burning until it has had its share. It checks the clock every
 * few microseconds of work, so it overshoots by about that much. Stateless; any thread.
 */
final class CpuBurner {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  /** Rounds of mixing between two reads of the CPU clock (a few microseconds). */
  private static final int ROUNDS_PER_CHECK = 2_000;

  /** Published so that the work has an observable result. */
  @SuppressWarnings("unused")
  private static volatile long sink;

  private CpuBurner() {}

  /** Whether this JVM can measure a thread's CPU time (it can on Linux). */
  static boolean supported() {
    return THREADS.isCurrentThreadCpuTimeSupported();
  }

  /** Burns at least {@code nanos} of this thread's CPU time; returns the CPU time it actually spent. */
  static long burn(long nanos) {
    if (nanos <= 0) {
      return 0;
    }
    if (!THREADS.isThreadCpuTimeEnabled()) {
      THREADS.setThreadCpuTimeEnabled(true);
    }
    long start = THREADS.getCurrentThreadCpuTime();
    long[] state = {0x9E3779B97F4A7C15L, 0xBF58476D1CE4E5B9L, 0x94D049BB133111EBL, 0x2545F4914F6CDD1DL};
    long spent;
    do {
      for (int i = 0; i < ROUNDS_PER_CHECK; i++) {
        int k = i & 3;
        long x = state[k] ^ state[(k + 1) & 3];
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        state[k] = x;
      }
      spent = THREADS.getCurrentThreadCpuTime() - start;
    } while (spent < nanos);
    sink = state[0] ^ state[1] ^ state[2] ^ state[3];
    return spent;
  }
}
