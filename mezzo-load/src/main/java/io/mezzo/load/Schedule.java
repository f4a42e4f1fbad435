package io.mezzo.load;

/**
 * The send schedule of an open-loop run: request {@code i} (over all connections) is intended to go
 * out at {@code start + profile.secondsOf(i)}, so the intended times follow the rate profile (for a
 * constant rate {@code r}, {@code start + i / r}); connection {@code c} of {@code connections} carries
 * requests {@code c, c + connections, c + 2 * connections, ...}. Requests intended before
 * {@code measureFrom} are the warm-up; those intended at or after {@code end} (the profile's end) are
 * not sent. All instants are {@link System#nanoTime()} values. Immutable.
 */
record Schedule(long start, RateProfile profile, int connections, long measureFrom) {

  /** When the profile ends. */
  long end() {
    return start + Math.round(profile.totalSeconds() * 1e9);
  }

  /** When the {@code k}-th request of connection {@code c} is intended to go out; {@link #end()} or later past the profile. */
  long intended(int c, long k) {
    double s = profile.secondsOf(k * connections + c);
    return Double.isInfinite(s) ? Long.MAX_VALUE : start + Math.round(s * 1e9);
  }

  boolean measured(long intended) {
    return intended >= measureFrom && intended < end();
  }

  /** How many requests of connection {@code c}, from its {@code k}-th on, fall in the measured window. */
  long measuredFrom(int c, long k) {
    long end = end();
    long n = 0;
    for (long t = intended(c, k); t < end; t = intended(c, ++k)) {
      if (t >= measureFrom) {
        n++;
      }
    }
    return n;
  }

  /** The requests the profile schedules between two instants, over their length: the target rate then. */
  double targetRate(long from, long to) {
    double a = (from - start) / 1e9;
    double b = (to - start) / 1e9;
    return b > a ? (profile.requestsBy(b) - profile.requestsBy(a)) / (b - a) : 0;
  }
}
