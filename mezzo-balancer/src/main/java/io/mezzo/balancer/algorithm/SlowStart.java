package io.mezzo.balancer.algorithm;

import java.time.Duration;

/**
 * Slow start: the weight multiplier of a backend that joined the route late (see
 * {@link Backend#joinedLate()}), so that a cold instance (a JVM still compiling) is not flooded.
 *
 * <p>The multiplier follows Envoy's slow start mode: with {@code t} the time since the backend joined,
 * {@code factor = max(minWeightFraction, (t / window)^(1 / aggression))} while {@code t < window}, and 1
 * afterwards. Aggression 1 ramps linearly; above 1 the ramp is steeper at first. Warm backends (present
 * when the balancer started) and a disabled slow start ({@code window} zero) always give 1. Used by round
 * robin, least request, ewma and random. Not by consistent hashing: a Maglev table gives a new backend
 * its share of keys at once, and shrinking that share for a while would move those keys away and back
 * (two remappings instead of one), so a consistent-hash route takes new backends at full weight.
 *
 * <p>Thread: immutable value.
 */
public record SlowStart(Duration window, double aggression, double minWeightFraction) {
  /** The window when enabled without one: 30 s. */
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);
  /** Envoy's default minimum: 10% of the weight. */
  public static final double DEFAULT_MIN_WEIGHT_FRACTION = 0.1;

  private static final SlowStart DISABLED = new SlowStart(Duration.ZERO, 1.0, 1.0);

  public SlowStart {
    if (window == null || window.isNegative()) {
      throw new IllegalArgumentException("slowStart.window: " + window + " (expected: >= 0s, 0 disables)");
    }
    if (!(aggression > 0) || Double.isInfinite(aggression)) {
      throw new IllegalArgumentException("slowStart.aggression: " + aggression + " (expected: > 0)");
    }
    if (!(minWeightFraction > 0 && minWeightFraction <= 1)) {
      throw new IllegalArgumentException(
          "slowStart.minWeightFraction: " + minWeightFraction + " (expected: > 0 and <= 1)");
    }
  }

  /** No slow start: every factor is 1. */
  public static SlowStart disabled() {
    return DISABLED;
  }

  /** A linear ramp from 10% to 100% over {@code window}. */
  public static SlowStart linear(Duration window) {
    return new SlowStart(window, 1.0, DEFAULT_MIN_WEIGHT_FRACTION);
  }

  public boolean enabled() {
    return !window.isZero();
  }

  /** The weight multiplier of {@code backend} at {@code nowNanos}, in [minWeightFraction, 1]. */
  public double factor(Backend backend, long nowNanos) {
    if (!backend.joinedLate() || window.isZero()) {
      return 1.0;
    }
    long windowNanos = window.toNanos();
    long elapsed = nowNanos - backend.joinedAtNanos();
    if (elapsed >= windowNanos) {
      return 1.0;
    }
    double time = Math.max(elapsed, 0) / (double) windowNanos;
    double ramp = aggression == 1.0 ? time : Math.pow(time, 1.0 / aggression);
    return Math.max(minWeightFraction, ramp);
  }

  /** Whether {@code backend} is still ramping at {@code nowNanos} (its factor may still change). */
  public boolean ramping(Backend backend, long nowNanos) {
    return backend.joinedLate() && !window.isZero() && nowNanos - backend.joinedAtNanos() < window.toNanos();
  }
}
