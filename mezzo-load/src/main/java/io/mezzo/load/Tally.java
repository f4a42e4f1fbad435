package io.mezzo.load;

import org.HdrHistogram.Histogram;

/**
 * What the connections of one event loop measured: latency from each request's intended send time
 * (corrected for coordinated omission), latency from its actual send time (uncorrected, for
 * comparison), and the counts of answers and failures, over the whole run and over the current
 * reporting {@link Window} (answers and failures counted when they happen). Only requests intended
 * inside the measured window are counted. Owned by, and only touched from, its event loop: the
 * runner takes the current window with {@link #takeWindow()} on the loop, and reads the totals after
 * the loop's termination, which orders the reads after the writes.
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
  private Window window = new Window();

  /** The counts of one reporting interval; merged across loops by the runner. */
  static final class Window {
    final Histogram latency = new Histogram(HIGHEST_MICROS, 3);
    long responses;
    long non2xx;
    long resets;
    long connectErrors;
    long timeouts;

    boolean isEmpty() {
      return responses + resets + connectErrors + timeouts == 0;
    }

    Window add(Window w) {
      latency.add(w.latency);
      responses += w.responses;
      non2xx += w.non2xx;
      resets += w.resets;
      connectErrors += w.connectErrors;
      timeouts += w.timeouts;
      return this;
    }
  }

  void answer(long intended, long sent, long now, int status) {
    responses++;
    window.responses++;
    if (status < 200 || status > 299) {
      non2xx++;
      window.non2xx++;
    }
    long micros = micros(now - intended);
    corrected.recordValue(micros);
    window.latency.recordValue(micros);
    uncorrected.recordValue(micros(now - sent));
    lastAnswer = Math.max(lastAnswer, now);
  }

  void reset() {
    resets++;
    window.resets++;
  }

  void connectError() {
    connectErrors++;
    window.connectErrors++;
  }

  void timeouts(long n) {
    timeouts += n;
    window.timeouts += n;
  }

  /** The window so far, a new one starting; call on the loop. */
  Window takeWindow() {
    Window w = window;
    window = new Window();
    return w;
  }

  private static long micros(long nanos) {
    return Math.min(HIGHEST_MICROS, Math.max(0, nanos / 1000));
  }
}
