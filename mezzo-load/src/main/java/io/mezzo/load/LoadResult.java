package io.mezzo.load;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What an open-loop run measured over its measured window (the warm-up left out).
 *
 * @param url the URL loaded
 * @param targetRate the scheduled rate, requests/s (its mean over the window when the rate varies)
 * @param connections the connections the schedule was spread over
 * @param seconds the length of the measured window
 * @param scheduled requests intended inside the window
 * @param responses complete answers to them, whatever their status
 * @param non2xx answers with a status outside 200..299 (counted in {@code responses} too)
 * @param resets requests whose connection broke before the answer was complete
 * @param connectErrors requests whose connection could not be opened
 * @param timeouts requests without a complete answer within the timeout, or left when the run was cut off
 * @param achievedRate answers per second: {@code responses} over the window, or over the time from its
 *     start to the last answer when that came later (a server that falls behind answers the window's
 *     requests over a longer time)
 * @param latency microseconds from each answered request's intended send time to its complete answer:
 *     corrected for coordinated omission (a stall counts for every request it delays); it includes the
 *     generator's own lateness in waking up for a send (tens of microseconds on an idle machine)
 * @param uncorrected microseconds from each answered request's actual send time, as a closed-loop tool
 *     such as wrk measures: shown for comparison only
 */
public record LoadResult(String url, double targetRate, int connections, double seconds, long scheduled,
    long responses, long non2xx, long resets, long connectErrors, long timeouts, double achievedRate,
    Histogram latency, Histogram uncorrected) {

  /** Non-2xx answers, resets, connect errors and timeouts. */
  public long errors() {
    return non2xx + resets + connectErrors + timeouts;
  }

  /** The corrected latency at {@code percentile} (0..100), in milliseconds; 0 without answers. */
  public double latencyMs(double percentile) {
    return latency.getValueAtPercentile(percentile) / 1000.0;
  }

  /** The uncorrected latency (from actual send time) at {@code percentile} (0..100), in milliseconds. */
  public double uncorrectedMs(double percentile) {
    return uncorrected.getValueAtPercentile(percentile) / 1000.0;
  }

  /**
   * One line of {@code key=value} pairs (latencies in ms), starting with {@code open-loop}, for scripts:
   * {@code open-loop url=... rate=... connections=... seconds=... requests=... responses=... achieved_rps=...
   * p50_ms=... p90_ms=... p99_ms=... p99.9_ms=... max_ms=... errors=... non2xx=... resets=...
   * connect_errors=... timeouts=... uncorrected_p50_ms=... uncorrected_p99_ms=... uncorrected_max_ms=...}.
   */
  public String line() {
    return String.format(Locale.ROOT,
        "open-loop url=%s rate=%.1f connections=%d seconds=%.1f requests=%d responses=%d achieved_rps=%.1f"
            + " p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p99.9_ms=%.3f max_ms=%.3f errors=%d non2xx=%d resets=%d"
            + " connect_errors=%d timeouts=%d uncorrected_p50_ms=%.3f uncorrected_p99_ms=%.3f"
            + " uncorrected_max_ms=%.3f",
        url, targetRate, connections, seconds, scheduled, responses, achievedRate, latencyMs(50), latencyMs(90),
        latencyMs(99), latencyMs(99.9), latency.getMaxValue() / 1000.0, errors(), non2xx, resets, connectErrors,
        timeouts, uncorrectedMs(50), uncorrectedMs(99), uncorrected.getMaxValue() / 1000.0);
  }
}
