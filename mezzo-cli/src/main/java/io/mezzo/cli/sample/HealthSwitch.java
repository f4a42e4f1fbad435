package io.mezzo.cli.sample;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Whether the sample server's {@code /health} passes. It passes until its
 * {@link SampleConfig.FailHealth} rule trips (after a number of {@code GET /} requests, or a time
 * after the start) or until it is told to fail ({@code POST /health/fail}); once failing it stays
 * failing. Time comes from an injected nanosecond
 * ticker. Thread-safe: atomics only, read and written from any request thread.
 */
final class HealthSwitch {
  private final SampleConfig.FailHealth rule;
  private final LongSupplier nanoTime;
  private final long startedAt;
  private final AtomicLong served = new AtomicLong();
  private final AtomicReference<String> failure = new AtomicReference<>();

  HealthSwitch(SampleConfig.FailHealth rule, LongSupplier nanoTime) {
    this.rule = rule;
    this.nanoTime = nanoTime;
    this.startedAt = nanoTime.getAsLong();
  }

  /** Counts one served {@code GET /}. */
  void requestServed() {
    long n = served.incrementAndGet();
    if (rule instanceof SampleConfig.FailHealth.AfterRequests r && n >= r.requests()) {
      failure.compareAndSet(null, "failing after " + r.requests() + " requests (--fail-health-after)");
    }
  }

  /** Makes health fail from now on. */
  void fail(String why) {
    failure.compareAndSet(null, why);
  }

  /** Empty while healthy, else why not. */
  Optional<String> failure() {
    String why = failure.get();
    if (why != null) {
      return Optional.of(why);
    }
    if (rule instanceof SampleConfig.FailHealth.AfterRequests r && r.requests() == 0) {
      fail("failing after 0 requests (--fail-health-after)");
    } else if (rule instanceof SampleConfig.FailHealth.AfterTime t
        && nanoTime.getAsLong() - startedAt >= t.after().toNanos()) {
      fail("failing " + t.after().toMillis() + " ms after the start (--fail-health-after)");
    }
    return Optional.ofNullable(failure.get());
  }
}
