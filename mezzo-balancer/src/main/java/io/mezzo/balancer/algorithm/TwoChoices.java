package io.mezzo.balancer.algorithm;

import java.util.random.RandomGenerator;

/**
 * The power of two choices (Mitzenmacher): draw two distinct backends at random and take the one with the
 * lower {@link #load}; nearly as good as scanning for the least loaded one, in O(1), and without the herd
 * effect of every balancer choosing the same "best" backend. With one or two eligible backends there is
 * nothing to draw: the better one is taken deterministically. Equal loads are broken at random, so that
 * idle backends share sequential traffic.
 *
 * <p>With exclusions, the eligible backends are counted and two distinct ranks drawn among them (O(n),
 * retries only). Thread: any; subclasses read only atomics ({@link BackendStats}) and immutable state.
 */
abstract class TwoChoices implements Picker {
  private final BackendSet set;
  final Backend[] backends;
  private final RandomGenerator random;

  TwoChoices(BackendSet set, RandomGenerator random) {
    this.set = set;
    this.backends = set.array();
    this.random = random;
  }

  /** The load of {@code b} at {@code nowNanos}: lower is better. */
  abstract double load(Backend b, long nowNanos);

  @Override
  public final Backend pick(PickContext ctx) {
    int n = backends.length;
    if (ctx.hasExclusions()) {
      return pickExcluding(ctx);
    }
    if (n <= 1) {
      return n == 0 ? null : backends[0];
    }
    if (n == 2) {
      return better(backends[0], backends[1], ctx.nowNanos());
    }
    int i = random.nextInt(n);
    int j = random.nextInt(n - 1);
    if (j >= i) {
      j++;
    }
    return better(backends[i], backends[j], ctx.nowNanos());
  }

  private Backend pickExcluding(PickContext ctx) {
    int eligible = 0;
    for (Backend b : backends) {
      if (!ctx.excludes(b)) {
        eligible++;
      }
    }
    if (eligible <= 1) {
      return eligible == 0 ? null : nthEligible(ctx, 0);
    }
    if (eligible == 2) {
      return better(nthEligible(ctx, 0), nthEligible(ctx, 1), ctx.nowNanos());
    }
    int i = random.nextInt(eligible);
    int j = random.nextInt(eligible - 1);
    if (j >= i) {
      j++;
    }
    return better(nthEligible(ctx, i), nthEligible(ctx, j), ctx.nowNanos());
  }

  private Backend nthEligible(PickContext ctx, int rank) {
    for (Backend b : backends) {
      if (!ctx.excludes(b) && rank-- == 0) {
        return b;
      }
    }
    throw new IllegalStateException("BUG: fewer eligible backends than counted");
  }

  private Backend better(Backend a, Backend b, long nowNanos) {
    double la = load(a, nowNanos);
    double lb = load(b, nowNanos);
    if (la < lb) {
      return a;
    } else if (lb < la) {
      return b;
    }
    return random.nextBoolean() ? a : b;
  }

  @Override
  public final BackendSet backends() {
    return set;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + set;
  }
}
