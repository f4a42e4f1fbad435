package io.mezzo.services.deploy;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The restart backoff of one app version, Marathon's launch delay: after a launched instance fails, new
 * launches of the app wait. Immutable value; the scheduler keeps one per app (on its loop thread),
 * replaces it with {@link #afterFailure} when an instance fails and with {@link #reset()} (or
 * {@link #initial()}) when a new version is deployed or the delay is deleted through the API.
 *
 * <p>Semantics, following Marathon's documentation ({@code docs/backoff.html}) and its
 * {@code RateLimiter} (1.6 and later):
 * <ul>
 *   <li>The first failure delays launches by {@code backoffSeconds}; each further failure multiplies the
 *       current delay by {@code backoffFactor}; no delay exceeds {@code maxLaunchDelaySeconds} (the first
 *       one included). The delay counts from the failure: {@code launchAllowedAt = failedAt + delay}.
 *   <li>A failure that comes more than {@code maxLaunchDelaySeconds} after the previous one starts over at
 *       {@code backoffSeconds}: the app has run long enough for the old failures to be forgotten (Marathon
 *       drops such delays in {@code cleanUpOverdueDelays}).
 *   <li>Which terminal states are failures is the caller's decision; Marathon counts TASK_FAILED and
 *       TASK_FINISHED, and not TASK_KILLED.
 * </ul>
 * Times are the caller's clock; if it steps backwards, a pending delay lasts longer by that step (never
 * shorter), which is the safe side.
 */
public final class LaunchBackoff {

  private static final LaunchBackoff INITIAL = new LaunchBackoff(0, Duration.ZERO, null, null);

  private final int failures;
  private final Duration delay;
  private final Instant failedAt;
  private final Instant launchAllowedAt;

  private LaunchBackoff(int failures, Duration delay, Instant failedAt, Instant launchAllowedAt) {
    this.failures = failures;
    this.delay = delay;
    this.failedAt = failedAt;
    this.launchAllowedAt = launchAllowedAt;
  }

  /** No failure yet: launches are allowed at any time. */
  public static LaunchBackoff initial() {
    return INITIAL;
  }

  /**
   * The backoff after an instance failed at {@code now}.
   *
   * @param backoffSeconds the first delay, {@code >= 0}
   * @param factor what each further failure multiplies the delay by, {@code >= 1}
   * @param maxLaunchDelaySeconds the longest delay, {@code >= 0}
   */
  public LaunchBackoff afterFailure(Instant now, double backoffSeconds, double factor, long maxLaunchDelaySeconds) {
    Objects.requireNonNull(now, "now");
    if (!(backoffSeconds >= 0) || Double.isInfinite(backoffSeconds)) {
      throw new IllegalArgumentException("backoffSeconds: " + backoffSeconds + " (expected: >= 0)");
    }
    if (!(factor >= 1) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("backoffFactor: " + factor + " (expected: >= 1)");
    }
    if (maxLaunchDelaySeconds < 0) {
      throw new IllegalArgumentException("maxLaunchDelaySeconds: " + maxLaunchDelaySeconds + " (expected: >= 0)");
    }
    Duration max = Duration.ofSeconds(maxLaunchDelaySeconds);
    boolean forgotten = failedAt != null && now.isAfter(saturatedPlus(failedAt, max));
    double seconds = failures == 0 || forgotten ? backoffSeconds : toSeconds(delay) * factor;
    Duration next = seconds >= maxLaunchDelaySeconds ? max : ofSeconds(seconds);
    return new LaunchBackoff(failures + 1, next, now, saturatedPlus(now, next));
  }

  /** No failure counted any more (a new version, or the delay deleted through the API). */
  public LaunchBackoff reset() {
    return INITIAL;
  }

  /** The failures counted since the last reset. */
  public int failures() {
    return failures;
  }

  /** The current delay (zero before the first failure). */
  public Duration delay() {
    return delay;
  }

  /** The earliest time a launch is allowed ({@link Instant#MIN} before the first failure). */
  public Instant launchAllowedAt() {
    return launchAllowedAt == null ? Instant.MIN : launchAllowedAt;
  }

  /** True when a launch is allowed at {@code now}. */
  public boolean allowsLaunchAt(Instant now) {
    Objects.requireNonNull(now, "now");
    return launchAllowedAt == null || !now.isBefore(launchAllowedAt);
  }

  /** The time left at {@code now} before a launch is allowed (zero when allowed), for {@code /v2/queue}. */
  public Duration timeLeftAt(Instant now) {
    return allowsLaunchAt(now) ? Duration.ZERO : Duration.between(now, launchAllowedAt);
  }

  private static double toSeconds(Duration d) {
    return d.getSeconds() + d.getNano() / 1e9;
  }

  private static Duration ofSeconds(double seconds) {
    long whole = (long) Math.floor(seconds);
    long nanos = Math.round((seconds - whole) * 1e9);
    return Duration.ofSeconds(whole, nanos);
  }

  private static Instant saturatedPlus(Instant t, Duration d) {
    return Duration.between(t, Instant.MAX).compareTo(d) <= 0 ? Instant.MAX : t.plus(d);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LaunchBackoff b && failures == b.failures && delay.equals(b.delay)
        && Objects.equals(failedAt, b.failedAt) && Objects.equals(launchAllowedAt, b.launchAllowedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(failures, delay, failedAt, launchAllowedAt);
  }

  @Override
  public String toString() {
    return "LaunchBackoff{failures=" + failures + ", delay=" + delay + ", launchAllowedAt=" + launchAllowedAt() + "}";
  }
}
