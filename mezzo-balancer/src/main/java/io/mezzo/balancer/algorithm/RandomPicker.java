package io.mezzo.balancer.algorithm;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Weighted random choice: a backend with weight {@code w} is chosen with probability {@code w / sum}.
 * Equal weights: one random index, O(1); otherwise a binary search over cumulative weights, O(log n).
 * With exclusions, a draw over the eligible backends' weights (O(n), retries only).
 *
 * <p>Thread: immutable after construction; randomness comes from a thread-safe generator (thread-local
 * in production).
 */
final class RandomPicker implements Picker {
  private final BackendSet set;
  private final Backend[] backends;
  private final RandomGenerator random;
  /** {@code cumulative[i]} = sum of the weights of backends 0..i; null when all weights are equal. */
  private final long[] cumulative;

  RandomPicker(BackendSet set, RandomGenerator random) {
    this.set = set;
    this.backends = set.array();
    this.random = random;
    boolean equal = true;
    long[] sums = new long[backends.length];
    long total = 0;
    for (int i = 0; i < backends.length; i++) {
      total += backends[i].weight();
      sums[i] = total;
      equal &= backends[i].weight() == backends[0].weight();
    }
    this.cumulative = equal ? null : sums;
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
    if (cumulative == null) {
      return backends[random.nextInt(n)];
    }
    long r = random.nextLong(cumulative[n - 1]);
    int i = Arrays.binarySearch(cumulative, r + 1);
    return backends[i >= 0 ? i : -i - 1];
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

  @Override
  public BackendSet backends() {
    return set;
  }

  @Override
  public String toString() {
    return "RandomPicker" + set;
  }
}
