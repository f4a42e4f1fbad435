package io.mezzo.balancer.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Panic mode, Envoy's {@code healthy_panic_threshold}: when fewer than {@code thresholdPercent} of a
 * route's backends are healthy (UP in active checks and not ejected), health is ignored and traffic goes
 * to all of them. The reasoning: if most backends look unhealthy, the checks are more likely wrong (or the
 * failure is everywhere) than the few survivors able to take the whole load; piling it on them would
 * take them down too.
 *
 * <p>Rules: panic when {@code total > 0} and {@code healthy x 100 < total x thresholdPercent}; so with
 * no healthy backend at all (and a threshold above 0) the route always panics, and a threshold of 0
 * disables panic (then no healthy backend means 503). No backends at all is not panic: there is nothing
 * to route to. Unlike Envoy there is no overprovisioning factor and no priority levels.
 *
 * <p>Thread safety: immutable, pure functions.
 */
public final class Panic {

  /** The decision for one route, with the counts it came from (for the stats endpoint). */
  public record Decision(boolean panic, int total, int healthy) {
  }

  private final int thresholdPercent;

  private Panic(int thresholdPercent) {
    this.thresholdPercent = thresholdPercent;
  }

  /** Panic below {@code thresholdPercent} healthy, 0..100 (0 disables). */
  public static Panic threshold(int thresholdPercent) {
    if (thresholdPercent < 0 || thresholdPercent > 100) {
      throw new IllegalArgumentException("thresholdPercent: " + thresholdPercent + " (expected: 0..100)");
    }
    return new Panic(thresholdPercent);
  }

  /** Envoy's default: 50%. */
  public static Panic defaults() {
    return threshold(50);
  }

  public int thresholdPercent() {
    return thresholdPercent;
  }

  /** The decision for {@code healthy} healthy backends out of {@code total}. */
  public Decision decide(int total, int healthy) {
    if (total < 0) {
      throw new IllegalArgumentException("total: " + total + " (expected: >= 0)");
    }
    if (healthy < 0 || healthy > total) {
      throw new IllegalArgumentException("healthy: " + healthy + " (expected: 0..total " + total + ")");
    }
    boolean panic = total > 0 && (long) healthy * 100 < (long) total * thresholdPercent;
    return new Decision(panic, total, healthy);
  }

  /**
   * The backends to balance over: the healthy ones, or all of them in panic. The result keeps the order
   * of {@code all}; it is a new list.
   */
  public <T> List<T> routable(List<T> all, Predicate<? super T> healthy) {
    Objects.requireNonNull(all, "all");
    Objects.requireNonNull(healthy, "healthy");
    List<T> up = new ArrayList<>(all.size());
    for (T backend : all) {
      if (healthy.test(backend)) {
        up.add(backend);
      }
    }
    return decide(all.size(), up.size()).panic() ? new ArrayList<>(all) : up;
  }
}
