package io.mezzo.balancer.algorithm;

import java.util.random.RandomGenerator;

/**
 * The power of two choices (Mitzenmacher): draw two distinct backends at random and take the one with the
 * lower {@link #load}; nearly as good as scanning for the least loaded one, in O(1), and without the herd
 * effect of every balancer choosing the same "best" backend. With one or two eligible backends there is
 * nothing to draw: the better one is taken deterministically.
 *
 * <p>Weights: candidates are drawn in proportion to the configured weights (an {@link AliasTable}, O(1);
 * one random index when all weights are equal), and equal loads (idle
 * backends, typical at low concurrency) are broken in proportion to the {@link #weight effective
 * weights}, so that sequential traffic is shared by weight rather than all sent to the heaviest backend.
 *
 * <p>With exclusions, two distinct eligible backends are drawn uniformly by rank (O(n), retries only).
 * Thread: any; subclasses read only atomics ({@link BackendStats}) and immutable state.
 */
abstract class TwoChoices implements Picker {
  private final BackendSet set;
  final Backend[] backends;
  private final RandomGenerator random;
  /** Draws by configured weight; null when all are equal (uniform draws). */
  private final AliasTable weighted;

  TwoChoices(BackendSet set, RandomGenerator random) {
    this.set = set;
    this.backends = set.array();
    this.random = random;
    this.weighted = RandomPicker.weightedDraws(backends);
  }

  /** The load of {@code b} at {@code nowNanos}: lower is better. */
  abstract double load(Backend b, long nowNanos);

  /** The weight of {@code b} at {@code nowNanos} that breaks ties; the configured weight by default. */
  double weight(Backend b, long nowNanos) {
    return b.weight();
  }

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
    int i = draw(n);
    int j = draw(n);
    for (int tries = 0; j == i && tries < 3; tries++) {
      j = draw(n);
    }
    if (j == i) {
      j = random.nextInt(n - 1);
      if (j >= i) {
        j++;
      }
    }
    return better(backends[i], backends[j], ctx.nowNanos());
  }

  private int draw(int n) {
    return weighted == null ? random.nextInt(n) : weighted.sample(random);
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
    double wa = weight(a, nowNanos);
    return random.nextDouble() * (wa + weight(b, nowNanos)) < wa ? a : b;
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
