package io.mezzo.balancer.proxy;

import io.mezzo.balancer.health.AdmissionQueue;
import io.mezzo.balancer.health.RetryBudget;
import io.mezzo.balancer.health.RetryPolicy;
import io.mezzo.balancer.route.RoutePolicy;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One route's failure handling, kept across routing-state swaps for as long as the route's
 * {@link RoutePolicy} stays the same: its {@link RetryBudget} (every request deposits, every retry
 * withdraws) and {@link RetryPolicy}, the {@link AdmissionQueue} of its backends (per-backend limits on
 * requests in flight and waiting, with a timed queue), and the requests parked until the route has a
 * backend to send them to. A policy change makes a new guard: requests holding a slot of the old one
 * give it back there.
 *
 * <p>Every waiter is a {@link Waiting.Wait} and is called back on its own event loop, whichever thread settled
 * its wait (a release on another loop, or discovery's thread).
 *
 * <p>Thread-safe: the budget, the queue and the parking lot are lock-free and used from every event loop;
 * the control thread evicts and wakes waiters after each routing-state swap.
 */
final class RouteGuard {
  private final String key;
  private final RoutePolicy policy;
  private final RetryBudget budget;
  private final RetryPolicy retries;
  private final AdmissionQueue<Waiting.Wait> queue;
  private final ConcurrentLinkedQueue<Waiting.Wait> parked = new ConcurrentLinkedQueue<>();
  private final AtomicInteger parkedCount = new AtomicInteger();
  private final LbMetrics.RouteMeters meters;

  RouteGuard(String key, RoutePolicy policy, LbMetrics.RouteMeters meters) {
    this.key = key;
    this.policy = policy;
    this.meters = meters;
    this.budget = RetryBudget.create(new RetryBudget.Config(policy.retryBudgetPercent(), policy.retryMinPerSecond(),
        Duration.ofSeconds(10)));
    // No replay buffer: a request whose body went out to a backend is not sent again.
    this.retries = RetryPolicy.of(policy.maxRetries(), 0);
    this.queue = AdmissionQueue.create(policy.limits());
  }

  String key() {
    return key;
  }

  RoutePolicy policy() {
    return policy;
  }

  LbMetrics.RouteMeters meters() {
    return meters;
  }

  /** A new request (not a retry) on this route. */
  void deposit(long nowNanos) {
    budget.deposit(nowNanos);
  }

  /**
   * Whether a failed attempt is retried: the policy's rules, then a withdrawal from the budget.
   *
   * @param retriesSoFar retries this request already made
   * @param bodySent whether request body bytes went out to the failed backend
   */
  RetryPolicy.Decision retry(String method, int retriesSoFar, RetryPolicy.FailureKind kind, boolean bodySent,
      long nowNanos) {
    RetryPolicy.Decision d = retries.decide(method, retriesSoFar, kind, bodySent ? 1 : 0, budget, nowNanos);
    if (d == RetryPolicy.Decision.BUDGET_EXHAUSTED) {
      meters.budgetExhausted.increment();
    }
    return d;
  }

  /** Why a retry was refused for its budget, for the 502 body. */
  String budgetSpent() {
    return "the retry budget of " + key + " is spent (" + fmt(policy.retryBudgetPercent()) + "% of requests, at least "
        + policy.retryMinPerSecond() + "/s, over 10s)";
  }

  /** A slot on {@code b} for {@code w}: admitted, queued (arm a timer) or rejected. */
  AdmissionQueue.Outcome<Waiting.Wait> acquire(BackendRef b, Waiting.Wait w, long nowNanos) {
    AdmissionQueue.Outcome<Waiting.Wait> o = queue.tryAcquire(b.key, w, nowNanos);
    if (!o.handoff().isEmpty()) {
      dispatch(o.handoff());
    }
    if (o.status() == AdmissionQueue.Status.QUEUED) {
      meters.queued.increment();
    } else if (o.status() == AdmissionQueue.Status.REJECTED) {
      meters.queueRejections.increment();
    }
    return o;
  }

  /** Gives back the slot on {@code b} of a request (or TCP connection) that ended; a waiter may take it. */
  void release(BackendRef b) {
    AdmissionQueue.Handoff<Waiting.Wait> h;
    try {
      h = queue.release(b.key, System.nanoTime());
    } catch (IllegalStateException e) {
      // The backend left discovery (its count was forgotten) and a pick that raced the update counted it
      // anew: this slot belonged to the forgotten count. Nothing to give back.
      return;
    }
    if (!h.isEmpty()) {
      dispatch(h);
    }
  }

  /**
   * The admission slot one connection's backend attempt holds, and the one path that gives it back:
   * {@link #take} when the attempt gets its slot (from {@link #acquire} or a grant) counts it in flight on
   * the backend (and in the picker's stats); {@link #release}, from whichever path ends the attempt (an
   * answer, a failure, a retry, the client leaving), undoes the in-flight count and gives the slot back to
   * the guard it came from (where the next waiter may take it), once: later calls do nothing.
   *
   * <p>Thread: the connection's event loop.
   */
  static final class Slot {
    /** The guard of the slot held now, or null. */
    private RouteGuard guard;

    /** The attempt holds a slot of {@code g} on {@code b} from now on. */
    void take(RouteGuard g, BackendRef b) {
      guard = g;
      b.inFlight.incrementAndGet();
      if (b.stats != null) {
        b.stats.onStart();
      }
    }

    /** The attempt on {@code b} is over: its in-flight count and its slot are given back, once. */
    void release(BackendRef b) {
      RouteGuard g = guard;
      if (g == null) {
        return;
      }
      guard = null;
      b.inFlight.decrementAndGet();
      g.release(b);
    }
  }

  int inFlight(BackendRef b) {
    return queue.active(b.key);
  }

  int pending(BackendRef b) {
    return queue.pending(b.key);
  }

  /** Parks {@code w} until the route has a backend; false when {@code maxPending} requests already wait. */
  boolean park(Waiting.Wait w) {
    if (parkedCount.incrementAndGet() > policy.maxPending()) {
      parkedCount.decrementAndGet();
      meters.queueRejections.increment();
      return false;
    }
    meters.noBackendWaits.increment();
    parked.add(w);
    return true;
  }

  /** Takes {@code w} out of the parking lot; false when someone else already did (a wake is on its way). */
  boolean unpark(Waiting.Wait w) {
    if (parked.remove(w)) {
      parkedCount.decrementAndGet();
      return true;
    }
    return false;
  }

  /** Sends every parked request back to route again (a backend appeared, or the route changed). */
  void wakeParked() {
    Waiting.Wait w;
    while ((w = parked.poll()) != null) {
      parkedCount.decrementAndGet();
      hop(w, w::reroute);
    }
  }

  /**
   * Keeps the slots of {@code known} backends (serving or draining), forgets the others, and sends the
   * waiters of backends that no longer take new requests ({@code known} but not {@code serving}, or gone)
   * back to route again.
   */
  void retain(Set<String> known, Collection<String> notServing) {
    List<Waiting.Wait> orphans = queue.retain(known);
    orphans.forEach(w -> hop(w, w::reroute));
    for (String id : notServing) {
      queue.evictWaiters(id).forEach(w -> hop(w, w::reroute));
    }
  }

  private void dispatch(AdmissionQueue.Handoff<Waiting.Wait> h) {
    for (Waiting.Wait w : h.granted()) {
      hop(w, w::granted);
    }
    for (Waiting.Wait w : h.timedOut()) {
      hop(w, w::queueTimedOut);
    }
  }

  private static void hop(Waiting.Wait w, Runnable r) {
    try {
      w.loop().execute(r);
    } catch (RejectedExecutionException e) {
      // the load balancer is shutting down: its connections go with it
    }
  }

  /** {@code 200ms}, {@code 5s}. */
  static String fmt(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }

  private static String fmt(double percent) {
    return percent == Math.rint(percent) ? String.valueOf((long) percent) : String.valueOf(percent);
  }
}
