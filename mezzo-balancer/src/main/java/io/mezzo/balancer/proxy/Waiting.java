package io.mezzo.balancer.proxy;

import io.mezzo.balancer.health.AdmissionQueue;
import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The waits of one frontend connection's current request (or, in TCP mode, of the connection): for a slot
 * on a backend at its limit, in its route's admission queue, or for a backend to appear in a route that has
 * none routable. One wait at a time; all the waits of one request together last at most the route's
 * queue timeout, measured by a timer on the connection's event loop that is cancelled when the wait ends.
 * While a request waits its connection does not read (the owner turned auto-read off), so nothing is
 * buffered beyond what was read with the request.
 *
 * <p>Outcomes, each delivered to the {@link Owner} on the connection's event loop: a slot is held
 * ({@link Owner#onSlot}), the wait failed (timed out, or the queue was full: {@link Owner#onWaitFailed}
 * with the 503 body), or the route changed and the request must be routed again
 * ({@link Owner#onRouteChanged}). A client that leaves calls {@link #leave}: it gives its place up, and a
 * slot granted meanwhile is given back.
 *
 * <p>Thread: owned by the connection's event loop; {@link RouteGuard} hands waiters back to it.
 */
final class Waiting {
  /** The connection the waits are for. */
  interface Owner {
    /** Whether the client is still connected. */
    boolean active();

    /**
     * A slot of {@code guard} on {@code b} is held for the request now: dispatch it there, and release the
     * slot to {@code guard} when done.
     */
    void onSlot(RouteGuard guard, BackendRef b);

    /** The wait is over without a backend: answer 503 with {@code message} (or close, in TCP mode). */
    void onWaitFailed(String message);

    /** The route may have changed: route the request again. */
    void onRouteChanged();

    /**
     * The request starts waiting: notice if the client leaves meanwhile (e.g. by asking for one read when
     * nothing more of the request is expected, so that only the end of the stream can come).
     */
    void onWaitStarted();
  }

  private final EventLoop loop;
  private final Owner owner;
  /** Whether the current request has started waiting; then {@code deadline} is set. */
  private boolean started;
  private long deadline;
  private RouteGuard guard;
  private BackendRef backend;
  private AdmissionQueue.Ticket<Waiting> ticket;
  private boolean parked;
  private ScheduledFuture<?> timer;

  Waiting(EventLoop loop, Owner owner) {
    this.loop = loop;
    this.owner = owner;
  }

  EventLoop loop() {
    return loop;
  }

  /** A new request: its waits get a full queue timeout. */
  void newRequest() {
    started = false;
  }

  /**
   * Takes a slot on {@code b} for the request.
   *
   * @return true when it holds one now (go ahead); false when it waits (the owner will be called back) or
   *     was refused (the owner was told already)
   */
  boolean admit(RouteGuard g, BackendRef b) {
    long now = System.nanoTime();
    AdmissionQueue.Outcome<Waiting> o = g.acquire(b, this, now);
    switch (o.status()) {
      case ADMITTED -> {
        return true;
      }
      case REJECTED -> {
        owner.onWaitFailed("backend " + b + " of " + g.key() + " is full: " + g.policy().maxConnections()
            + " in flight and " + g.policy().maxPending() + " waiting (MEZZO_LB_MAX_CONN and MEZZO_LB_MAX_PENDING)");
        return false;
      }
      default -> {
        g.meters().waiting.incrementAndGet();
        guard = g;
        backend = b;
        ticket = o.ticket();
        arm(g, now, this::slotTimeout);
        owner.onWaitStarted();
        return false;
      }
    }
  }

  /**
   * Waits until the route has a routable backend. {@code ready} says whether it has one now: it is asked
   * after the request is parked, so a backend that appeared meanwhile is not missed.
   */
  void park(RouteGuard g, BooleanSupplier ready) {
    if (!g.park(this)) {
      owner.onWaitFailed("no healthy backend for " + g.key() + " (and " + g.policy().maxPending()
          + " requests already wait for one: MEZZO_LB_MAX_PENDING)");
      return;
    }
    g.meters().waiting.incrementAndGet();
    guard = g;
    parked = true;
    arm(g, System.nanoTime(), this::parkTimeout);
    if (ready.getAsBoolean() && g.unpark(this)) {
      loop.execute(this::woken); // not from here: the owner is in the middle of routing
    } else {
      owner.onWaitStarted();
    }
  }

  /** The client left: gives up the place in any queue. */
  void leave() {
    cancelTimer();
    if (ticket != null && ticket.cancel()) {
      clear();
    }
    if (parked && guard.unpark(this)) {
      clear();
    }
    // else a grant or a wake is on its way, and finds the owner inactive
  }

  private void arm(RouteGuard g, long now, Runnable onTimeout) {
    if (!started) {
      started = true;
      deadline = now + g.policy().queueTimeout().toNanos();
    }
    timer = loop.schedule(onTimeout, Math.max(0, deadline - now), TimeUnit.NANOSECONDS);
  }

  private void slotTimeout() {
    timer = null;
    if (ticket != null && ticket.cancel()) {
      queueTimedOut();
    }
    // else a grant (or the queue's own timeout) is on its way
  }

  private void parkTimeout() {
    timer = null;
    if (parked && guard.unpark(this)) {
      RouteGuard g = guard;
      clear();
      g.meters().noBackendTimeouts.increment();
      if (owner.active()) {
        owner.onWaitFailed("no healthy backend for " + g.key() + " (none within the queue timeout of "
            + RouteGuard.fmt(g.policy().queueTimeout()) + ")");
      }
    }
  }

  /** From the guard: the ticket was granted a slot on {@code backend}. */
  void granted() {
    cancelTimer();
    RouteGuard g = guard;
    BackendRef b = backend;
    clear();
    if (b == null) {
      return; // BUG guard: no wait in progress
    }
    if (owner.active()) {
      owner.onSlot(g, b);
    } else {
      g.release(b);
    }
  }

  /** From the guard or the timer: the ticket's time in the queue is up. */
  void queueTimedOut() {
    cancelTimer();
    RouteGuard g = guard;
    BackendRef b = backend;
    clear();
    if (g == null) {
      return;
    }
    g.meters().queueTimeouts.increment();
    if (owner.active()) {
      owner.onWaitFailed("no free slot on backend " + b + " of " + g.key() + " (" + g.policy().maxConnections()
          + " in flight: MEZZO_LB_MAX_CONN) within the queue timeout of " + RouteGuard.fmt(g.policy().queueTimeout()));
    }
  }

  /** From the guard: the backend waited for no longer takes requests. */
  void evicted() {
    cancelTimer();
    clear();
    if (owner.active()) {
      owner.onRouteChanged();
    }
  }

  /** From the guard: the route may have a backend now. */
  void woken() {
    cancelTimer();
    clear();
    if (owner.active()) {
      owner.onRouteChanged();
    }
  }

  private void clear() {
    if (guard != null) {
      guard.meters().waiting.decrementAndGet();
    }
    guard = null;
    backend = null;
    ticket = null;
    parked = false;
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
