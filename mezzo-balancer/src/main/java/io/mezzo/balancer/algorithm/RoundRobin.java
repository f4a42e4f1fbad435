package io.mezzo.balancer.algorithm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.random.RandomGenerator;

/**
 * Smooth weighted round robin (nginx's {@code ngx_http_upstream_get_peer}): at every step each backend's
 * current weight grows by its weight, the backend with the largest current weight is chosen (the first
 * in id order on a tie) and its current weight drops by the total. Weights 5, 1, 1 give
 * {@code a a b a c a a}: over one cycle of {@code sum(weights)} picks each backend is chosen exactly
 * {@code weight} times, spread out instead of in bursts: at any point a backend's count is within two
 * picks of its exact share, and a run of one backend is shorter than {@code 2W / (W - w)} picks
 * (checked as properties in {@code RoundRobinTest}; nginx's sequence is not run-optimal).
 *
 * <p>The cycle is precomputed (after dividing the weights by their gcd) into a {@link Schedule}, and a
 * pick is one atomic increment and an array read: O(1), lock-free, no allocation. Cycles longer than
 * {@link #MAX_CYCLE} (or {@code 2^21 / n} for large sets, which bounds the O(cycle x n) build) are
 * approximated by scaling the weights down (each stays >= 1). With slow start, effective weights are
 * {@code weight x factor} quantised to 1/{@link #SLOW_START_STEPS}; while a backend ramps, the first pick
 * after each {@code window / SLOW_START_STEPS} rebuilds the schedule (one thread, by compare-and-set;
 * the others keep using the old schedule meanwhile). The counter starts at a random offset so that
 * several balancers do not all send their first request to the same backend.
 *
 * <p>Thread: any; the snapshot is immutable, the counter and the schedule reference are atomics.
 */
final class RoundRobin implements Picker {
  static final int MAX_CYCLE = 1 << 16;
  static final int SLOW_START_STEPS = 32;

  private static final VarHandle COUNTER;
  private static final VarHandle REBUILDING;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      COUNTER = lookup.findVarHandle(RoundRobin.class, "counter", long.class);
      REBUILDING = lookup.findVarHandle(RoundRobin.class, "rebuilding", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * One cycle of backend indices. {@code ramping}: some backend was still in slow start when it was built
   * at {@code builtAtNanos}; {@code provisional}: built without a time, to be replaced at the first pick.
   */
  private record Schedule(int[] order, boolean ramping, boolean provisional, long builtAtNanos) {}

  private final BackendSet set;
  private final Backend[] backends;
  private final SlowStart slowStart;
  private final long rebuildEveryNanos;
  private volatile Schedule schedule;
  @SuppressWarnings("unused") // through COUNTER
  private volatile long counter;
  @SuppressWarnings("unused") // through REBUILDING
  private volatile boolean rebuilding;

  RoundRobin(BackendSet set, SlowStart slowStart, RandomGenerator random) {
    this.set = set;
    this.backends = set.array();
    this.slowStart = slowStart;
    this.rebuildEveryNanos = Math.max(1_000_000L, slowStart.window().toNanos() / SLOW_START_STEPS);
    this.counter = backends.length == 0 ? 0 : random.nextInt(Math.max(1, totalWeight(backends)));
    boolean anyLate = false;
    for (Backend b : backends) {
      anyLate |= b.joinedLate();
    }
    this.schedule = slowStart.enabled() && anyLate
        ? new Schedule(order(effectiveWeights(Long.MIN_VALUE, true)), true, true, 0L)
        : new Schedule(order(effectiveWeights(0L, false)), false, false, 0L);
  }

  @Override
  public Backend pick(PickContext ctx) {
    if (backends.length == 0) {
      return null;
    }
    Schedule s = schedule;
    if (s.ramping && (s.provisional || ctx.nowNanos() - s.builtAtNanos >= rebuildEveryNanos)) {
      s = rebuild(s, ctx.nowNanos());
    }
    int[] order = s.order;
    long c = (long) COUNTER.getAndAdd(this, 1L);
    int start = (int) Long.remainderUnsigned(c, order.length);
    Backend b = backends[order[start]];
    if (!ctx.hasExclusions() || !ctx.excludes(b)) {
      return b;
    }
    // A retry: the next backend of the cycle that is not excluded (every backend is in the cycle).
    for (int k = 1; k < order.length; k++) {
      b = backends[order[(start + k) % order.length]];
      if (!ctx.excludes(b)) {
        return b;
      }
    }
    return null;
  }

  private Schedule rebuild(Schedule seen, long nowNanos) {
    if (!REBUILDING.compareAndSet(this, false, true)) {
      return seen;
    }
    try {
      if (schedule != seen) {
        return schedule;
      }
      boolean ramping = false;
      for (Backend b : backends) {
        ramping |= slowStart.ramping(b, nowNanos);
      }
      Schedule next = new Schedule(order(effectiveWeights(nowNanos, ramping)), ramping, false, nowNanos);
      schedule = next;
      return next;
    } finally {
      REBUILDING.setVolatile(this, false);
    }
  }

  /**
   * Integer weights for the schedule: the configured ones, or with slow start (when {@code scaled})
   * {@code weight x SLOW_START_STEPS x factor} rounded, at least 1. {@code nowNanos == Long.MIN_VALUE}
   * means "unknown": late backends get the minimum factor.
   */
  private long[] effectiveWeights(long nowNanos, boolean scaled) {
    long[] weights = new long[backends.length];
    for (int i = 0; i < backends.length; i++) {
      Backend b = backends[i];
      if (!scaled) {
        weights[i] = b.weight();
      } else {
        double factor = nowNanos == Long.MIN_VALUE && b.joinedLate()
            ? slowStart.minWeightFraction()
            : slowStart.factor(b, nowNanos);
        weights[i] = Math.max(1L, Math.round((double) b.weight() * SLOW_START_STEPS * factor));
      }
    }
    return weights;
  }

  /** One smooth-WRR cycle over {@code weights} (reduced by their gcd, and scaled down if too long). */
  static int[] order(long[] configured) {
    long[] weights = configured.clone();
    int n = weights.length;
    if (n == 0) {
      return new int[0];
    }
    long g = 0;
    for (long w : weights) {
      g = gcd(g, w);
    }
    long total = 0;
    for (int i = 0; i < n; i++) {
      weights[i] /= g;
      total += weights[i];
    }
    long cap = Math.max(n, Math.min(MAX_CYCLE, (1L << 21) / n));
    if (total > cap) {
      long scaledTotal = 0;
      for (int i = 0; i < n; i++) {
        weights[i] = Math.max(1L, weights[i] * cap / total);
        scaledTotal += weights[i];
      }
      total = scaledTotal;
    }
    int[] order = new int[(int) total];
    long[] current = new long[n];
    for (int k = 0; k < order.length; k++) {
      int best = 0;
      for (int i = 0; i < n; i++) {
        current[i] += weights[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      order[k] = best;
    }
    return order;
  }

  private static int totalWeight(Backend[] backends) {
    long total = 0;
    for (Backend b : backends) {
      total += b.weight();
    }
    return (int) Math.min(Integer.MAX_VALUE, total);
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  @Override
  public BackendSet backends() {
    return set;
  }

  @Override
  public String toString() {
    return "RoundRobin" + set;
  }
}
