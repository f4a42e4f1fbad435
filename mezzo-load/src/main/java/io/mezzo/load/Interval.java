package io.mezzo.load;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What one reporting interval of an open-loop run (a second, by default) saw: the answers and
 * failures that came in it, whatever second their requests were intended in, and the latencies of
 * those answers from their intended send times (corrected for coordinated omission).
 *
 * @param fromSeconds the interval's start, in seconds after the start of the measured window
 * @param toSeconds its end, likewise
 * @param targetRate the rate the schedule asked for over the interval, requests/s (0 after its end)
 * @param responses answers that came in the interval, whatever their status
 * @param non2xx those with a status outside 200..299
 * @param resets requests whose connection broke in the interval
 * @param connectErrors requests whose connection could not be opened in the interval
 * @param timeouts requests found timed out in the interval (or left unanswered when the run was cut off)
 * @param latency microseconds from intended send time to answer, of the interval's answers
 */
public record Interval(double fromSeconds, double toSeconds, double targetRate, long responses, long non2xx,
    long resets, long connectErrors, long timeouts, Histogram latency) {

  /** The column heads matching {@link #line()}. */
  public static final String HEADER = String.format(Locale.ROOT, "%7s %9s %9s %9s %9s %9s %7s",
      "time_s", "target", "achieved", "p50_ms", "p95_ms", "p99_ms", "errors");

  /** Answers per second over the interval. */
  public double achievedRate() {
    return toSeconds > fromSeconds ? responses / (toSeconds - fromSeconds) : 0;
  }

  /** Non-2xx answers, resets, connect errors and timeouts. */
  public long errors() {
    return non2xx + resets + connectErrors + timeouts;
  }

  /** The corrected latency of the interval's answers at {@code percentile} (0..100), in ms; 0 without answers. */
  public double latencyMs(double percentile) {
    return latency.getValueAtPercentile(percentile) / 1000.0;
  }

  /** One line under {@link #HEADER}: the interval's end, target and achieved rates, p50/p95/p99 and errors. */
  public String line() {
    return String.format(Locale.ROOT, "%7.1f %9.1f %9.1f %9.2f %9.2f %9.2f %7d", toSeconds, targetRate,
        achievedRate(), latencyMs(50), latencyMs(95), latencyMs(99), errors());
  }
}
