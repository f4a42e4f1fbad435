package io.mezzo.balancer.algorithm;

import java.util.random.RandomGenerator;

/**
 * Weighted random choice: a backend with weight {@code w} is chosen with probability {@code w / sum}.
 * Equal weights: one random index; otherwise an {@link AliasTable} draw; both O(1).
 * With exclusions, a draw over the eligible backends' weights (O(n), retries only). While a backend that
 * joined lately is in its {@link SlowStart} window, draws follow the effective weights
 * {@code weight x factor} (O(n) until the last ramp ends; then back to O(1)); retries ignore slow start.
 *
 * <p>Thread: immutable after construction; randomness comes from a thread-safe generator (thread-local
 * in production).
 */
final class RandomPicker implements Picker {
  private final BackendSet set;
  private final Backend[] backends;
  private final RandomGenerator random;
  /** Null when all weights are equal. */
  private final AliasTable weighted;
  private final SlowStart slowStart;
  /** When the last backend in slow start reaches its full weight (nanos); no ramp at all: Long.MIN_VALUE. */
  private final long rampEndNanos;

  RandomPicker(BackendSet set, SlowStart slowStart, RandomGenerator random) {
    this.set = set;
    this.backends = set.array();
    this.random = random;
    this.weighted = weightedDraws(backends);
    this.slowStart = slowStart;
    long end = Long.MIN_VALUE;
    if (slowStart.enabled()) {
      for (Backend b : backends) {
        if (b.joinedLate()) {
          end = Math.max(end, b.joinedAtNanos() + slowStart.window().toNanos());
        }
      }
    }
    this.rampEndNanos = end;
  }

  @Override
  public Backend pick(PickContext ctx) {
    int n = backends.length;
    if (n == 0) {
      return null;
    }
    if (ctx.hasExclusions()) {
      return pickExcluding(ctx);
    }
    if (rampEndNanos != Long.MIN_VALUE && ctx.nowNanos() - rampEndNanos < 0) {
      return pickRamping(ctx.nowNanos());
    }
    return backends[weighted == null ? random.nextInt(n) : weighted.sample(random)];
  }

  private Backend pickExcluding(PickContext ctx) {
    long total = 0;
    for (Backend b : backends) {
      if (!ctx.excludes(b)) {
        total += b.weight();
      }
    }
    if (total == 0) {
      return null;
    }
    long r = random.nextLong(total);
    for (Backend b : backends) {
      if (!ctx.excludes(b)) {
        r -= b.weight();
        if (r < 0) {
          return b;
        }
      }
    }
    throw new IllegalStateException("BUG: weighted draw ran past the eligible backends");
  }

  /** A draw by effective weight ({@code weight x slow start factor}) while some backend ramps up: O(n). */
  private Backend pickRamping(long nowNanos) {
    double total = 0;
    for (Backend b : backends) {
      total += b.weight() * slowStart.factor(b, nowNanos);
    }
    double r = random.nextDouble() * total;
    for (Backend b : backends) {
      r -= b.weight() * slowStart.factor(b, nowNanos);
      if (r < 0) {
        return b;
      }
    }
    return backends[backends.length - 1]; // rounding
  }

  /** An alias table over the backends' weights, or null when they are all equal. */
  static AliasTable weightedDraws(Backend[] backends) {
    long[] weights = new long[backends.length];
    boolean equal = true;
    for (int i = 0; i < backends.length; i++) {
      weights[i] = backends[i].weight();
      equal &= weights[i] == weights[0];
    }
    return equal ? null : new AliasTable(weights);
  }

  @Override
  public BackendSet backends() {
    return set;
  }

  @Override
  public String toString() {
    return "RandomPicker" + set;
  }
}
