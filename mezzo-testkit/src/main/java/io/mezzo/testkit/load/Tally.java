package io.mezzo.testkit.load;

import org.HdrHistogram.Histogram;

/**
 * What the connections of one event loop measured: latency from each request's intended send time
 * (corrected for coordinated omission), latency from its actual send time (uncorrected, for
 * comparison), and the counts of answers and failures. Only requests intended inside the measured
 * window are counted. Owned by, and only touched from, its event loop until the run is over; then
 * the caller reads it (after the loop's termination, which orders the reads after the writes).
 */
final class Tally {
  /** Longest latency kept apart: an hour, in microseconds; longer ones are recorded as an hour. */
  static final long HIGHEST_MICROS = 3_600_000_000L;

  final Histogram corrected = new Histogram(HIGHEST_MICROS, 3);
  final Histogram uncorrected = new Histogram(HIGHEST_MICROS, 3);
  long responses;
  long non2xx;
  long resets;
  long connectErrors;
  long timeouts;
  /** When the last measured answer came (nanoTime), or {@code Long.MIN_VALUE}. */
  long lastAnswer = Long.MIN_VALUE;

  void answer(long intended, long sent, long now, int status) {
    responses++;
    if (status < 200 || status > 299) {
      non2xx++;
    }
    corrected.recordValue(micros(now - intended));
    uncorrected.recordValue(micros(now - sent));
    lastAnswer = Math.max(lastAnswer, now);
  }

  private static long micros(long nanos) {
    return Math.min(HIGHEST_MICROS, Math.max(0, nanos / 1000));
  }
}
