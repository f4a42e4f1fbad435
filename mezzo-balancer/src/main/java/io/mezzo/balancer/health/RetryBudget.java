package io.mezzo.balancer.health;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A retry budget in the style of Finagle's {@code RetryBudget} and Envoy's {@code retry_budget}: retries
 * are allowed while, over a sliding window (default 10 s), {@code retries <= max(minRetriesPerSecond x
 * window, retryPercent% x requests)} (defaults 10/s and 20%). Every request {@link #deposit deposits};
 * every retry must {@link #tryWithdraw withdraw}. The floor lets a quiet route retry at all; the share
 * keeps a failing backend set from turning each request into three.
 *
 * <p>Guarantee (tested as a property): whenever {@link #tryWithdraw} returns true at time t, the
 * withdrawals that succeeded in {@code (t - window, t]}, this one included, number at most {@code
 * max(floor(minRetriesPerSecond x window), floor(retryPercent / 100 x deposits in (t - window, t]))}.
 *
 * <p>How: the window is cut into 20 buckets. A withdrawal counts the retries of the 21 buckets that touch
 * the window (a superset) against the requests of the 20 buckets that lie inside it (a subset), so the
 * budget errs on the strict side by at most one bucket (5% of the window) and never on the lax side.
 *
 * <p>Thread safety: safe for concurrent use by several event loops. {@link #deposit} is lock-free: one
 * compare-and-set on a slot that packs the bucket number with its count, so the hot path costs what an
 * atomic increment costs. {@link #tryWithdraw} is a check-then-act on the sum and holds this object's
 * monitor for a pass over 41 slots; it runs only on failures. Times are nanos from the caller's
 * monotonic clock; a deposit that arrives with an older time than its slot already holds is dropped, and
 * a withdrawal with an older time is charged to the newest bucket seen (both on the strict side).
 */
public final class RetryBudget {

  static final int BUCKETS = 20;
  private static final long COUNT_MASK = 0xFFFF_FFFFL;

  /**
   * Budget settings, validated when built.
   *
   * @param retryPercent retries allowed per 100 requests in the window, 0..1000
   * @param minRetriesPerSecond the floor, as a rate over the window, {@code >= 0}
   * @param window the sliding window, a whole number of milliseconds, 1 ms..1 h
   */
  public record Config(double retryPercent, int minRetriesPerSecond, Duration window) {
    public Config {
      if (!(retryPercent >= 0 && retryPercent <= 1000)) {
        throw new IllegalArgumentException("retryPercent: " + retryPercent + " (expected: 0..1000)");
      }
      if (minRetriesPerSecond < 0) {
        throw new IllegalArgumentException(
            "minRetriesPerSecond: " + minRetriesPerSecond + " (expected: >= 0)");
      }
      Objects.requireNonNull(window, "window");
      if (window.compareTo(Duration.ofMillis(1)) < 0 || window.compareTo(Duration.ofHours(1)) > 0
          || window.toNanos() % 1_000_000 != 0) {
        throw new IllegalArgumentException(
            "window: " + window + " (expected: a whole number of milliseconds, 1 ms..1 h)");
      }
    }

    /** 20% of requests, at least 10 retries/s, over 10 s. */
    public static Config defaults() {
      return new Config(20, 10, Duration.ofSeconds(10));
    }

    /** The floor: retries always allowed per window. */
    public long reserve() {
      return (long) minRetriesPerSecond * window.toNanos() / 1_000_000_000L;
    }
  }

  private final Config config;
  private final long bucketNanos;
  private final long reserve;
  private final AtomicLongArray requests = new AtomicLongArray(BUCKETS + 1);
  private final AtomicLongArray retries = new AtomicLongArray(BUCKETS + 1);
  private long newestRetryBucket = Long.MIN_VALUE; // guarded by this

  private RetryBudget(Config config) {
    this.config = config;
    this.bucketNanos = config.window().toNanos() / BUCKETS; // exact: whole milliseconds
    this.reserve = config.reserve();
  }

  public static RetryBudget create(Config config) {
    return new RetryBudget(Objects.requireNonNull(config, "config"));
  }

  public Config config() {
    return config;
  }

  /** Records one request (first attempts only, not retries) at {@code nowNanos}. */
  public void deposit(long nowNanos) {
    long bucket = Math.floorDiv(nowNanos, bucketNanos);
    int slot = (int) Math.floorMod(bucket, (long) BUCKETS + 1);
    while (true) {
      long v = requests.get(slot);
      int age = (int) bucket - (int) (v >>> 32); // wrap-safe difference of bucket numbers
      long next;
      if ((v & COUNT_MASK) == 0 || age > 0) {
        next = pack(bucket, 1); // empty or stale slot: start this bucket
      } else if (age == 0) {
        next = v + 1;
      } else {
        return; // the slot already holds a newer bucket: our clock is behind, drop (strict side)
      }
      if (requests.compareAndSet(slot, v, next)) {
        return;
      }
    }
  }

  /**
   * Takes one retry from the budget at {@code nowNanos}.
   *
   * @return true if the retry may go ahead (and is now counted), false if the budget is spent
   */
  public synchronized boolean tryWithdraw(long nowNanos) {
    long bucket = Math.max(Math.floorDiv(nowNanos, bucketNanos), newestRetryBucket);
    newestRetryBucket = bucket;
    long spent = sum(retries, bucket, BUCKETS + 1);
    if (spent + 1 > allowed(bucket)) {
      return false;
    }
    int slot = (int) Math.floorMod(bucket, (long) BUCKETS + 1);
    long v = retries.get(slot);
    retries.set(slot, (int) (v >>> 32) == (int) bucket && (v & COUNT_MASK) != 0 ? v + 1 : pack(bucket, 1));
    return true;
  }

  /** Retries the budget would still allow at {@code nowNanos} (for the stats endpoint). */
  public synchronized long remaining(long nowNanos) {
    long bucket = Math.max(Math.floorDiv(nowNanos, bucketNanos), newestRetryBucket);
    return Math.max(0, allowed(bucket) - sum(retries, bucket, BUCKETS + 1));
  }

  private long allowed(long bucket) {
    long deposits = sum(requests, bucket, BUCKETS);
    return Math.max(reserve, (long) Math.floor(deposits * config.retryPercent() / 100.0));
  }

  /** The counts of buckets {@code newest - span + 1 .. newest}. */
  private static long sum(AtomicLongArray slots, long newest, int span) {
    long total = 0;
    for (int i = 0; i < span; i++) {
      long bucket = newest - i;
      long v = slots.get((int) Math.floorMod(bucket, (long) BUCKETS + 1));
      if ((int) (v >>> 32) == (int) bucket) {
        total += v & COUNT_MASK;
      }
    }
    return total;
  }

  private static long pack(long bucket, long count) {
    return ((long) (int) bucket << 32) | count;
  }
}
