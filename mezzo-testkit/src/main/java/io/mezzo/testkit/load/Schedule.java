package io.mezzo.testkit.load;

/**
 * The fixed send schedule of an open-loop run: request {@code i} (over all connections) is intended
 * to go out at {@code start + i / rate}; connection {@code c} of {@code connections} carries requests
 * {@code c, c + connections, c + 2 * connections, ...}. Requests intended before {@code measureFrom}
 * are the warm-up; those intended at or after {@code end} are not sent. All instants are
 * {@link System#nanoTime()} values. Immutable.
 */
record Schedule(long start, double rate, int connections, long measureFrom, long end) {

  /** When the {@code k}-th request of connection {@code c} is intended to go out. */
  long intended(int c, long k) {
    return start + Math.round((k * connections + c) * 1e9 / rate);
  }

  boolean measured(long intended) {
    return intended >= measureFrom && intended < end;
  }

  /** How many requests of connection {@code c}, from its {@code k}-th on, fall in the measured window. */
  long measuredFrom(int c, long k) {
    long n = 0;
    for (long t = intended(c, k); t < end; t = intended(c, ++k)) {
      if (t >= measureFrom) {
        n++;
      }
    }
    return n;
  }
}
