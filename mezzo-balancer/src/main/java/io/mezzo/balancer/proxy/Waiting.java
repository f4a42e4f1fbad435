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
 * ({@link Owner#onRouteChanged}). A client that leaves calls {@link #leave}: it gives its place up.
 *
 * <p>Each wait is a {@link Wait} object, the one the guard's queue and parking lot hold; an outcome that
 * arrives for a wait that is no longer the current one (the client left, or a new request began) is
 * stale: a slot it grants is given back at once, anything else is dropped. While requests are admitted
 * at once, one spare {@code Wait} is reused, so the common path allocates nothing.
 *
 * <p>Thread: owned by the connection's event loop; {@link RouteGuard} hands waits back to it.
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

  /** One wait: in a backend's queue ({@code ticket}) or in the route's parking lot ({@code parked}). */
  static final class Wait {
    private final Waiting waiting;
    private RouteGuard guard;
    private BackendRef backend;
    private AdmissionQueue.Ticket<Wait> ticket;
    private boolean parked;
    private ScheduledFuture<?> timer;

    private Wait(Waiting waiting) {
      this.waiting = waiting;
    }

    EventLoop loop() {
      return waiting.loop;
    }

    /** From the guard: the ticket was granted a slot. */
    void granted() {
      waiting.granted(this);
    }

    /** From the guard: the ticket's time in the queue is up. */
    void queueTimedOut() {
      waiting.queueTimedOut(this);
    }

    /** From the guard: the backend waited for no longer takes requests, or a backend may have appeared. */
    void reroute() {
      waiting.reroute(this);
    }
  }

  private final EventLoop loop;
  private final Owner owner;
  /** Given to the guard with each request; replaced once it becomes a wait. */
  private Wait spare;
  /** The wait in progress, or null. */
  private Wait current;
  /** Whether the current request has started waiting; then {@code deadline} is set. */
  private boolean started;
  private long deadline;

  Waiting(EventLoop loop, Owner owner) {
    this.loop = loop;
    this.owner = owner;
    this.spare = new Wait(this);
  }

  /** A new request: its waits get a full queue timeout; a wait still in progress is given up. */
  void newRequest() {
    leave();
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
    Wait w = spare;
    AdmissionQueue.Outcome<Wait> o = g.acquire(b, w, now);
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
        begin(w, g, now);
        w.backend = b;
        w.ticket = o.ticket();
        w.timer = loop.schedule(() -> slotTimeout(w), Math.max(0, deadline - now), TimeUnit.NANOSECONDS);
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
    Wait w = spare;
    if (!g.park(w)) {
      owner.onWaitFailed("no healthy backend for " + g.key() + " (and " + g.policy().maxPending()
          + " requests already wait for one: MEZZO_LB_MAX_PENDING)");
      return;
    }
    long now = System.nanoTime();
    begin(w, g, now);
    w.parked = true;
    w.timer = loop.schedule(() -> parkTimeout(w), Math.max(0, deadline - now), TimeUnit.NANOSECONDS);
    if (ready.getAsBoolean() && g.unpark(w)) {
      loop.execute(() -> reroute(w)); // not from here: the owner is in the middle of routing
    } else {
      owner.onWaitStarted();
    }
  }

  /** The client left (or a new request began): gives up the place of the wait in progress, if any. */
  void leave() {
    Wait w = current;
    if (w == null) {
      return;
    }
    if (w.ticket != null && w.ticket.cancel() || w.parked && w.guard.unpark(w)) {
      end(w);
    } else {
      stop(w); // a grant or a wake is on its way; being stale, a granted slot is given back
    }
  }

  private void begin(Wait w, RouteGuard g, long now) {
    if (!started) {
      started = true;
      deadline = now + g.policy().queueTimeout().toNanos();
    }
    spare = new Wait(this);
    current = w;
    w.guard = g;
    g.meters().waiting.incrementAndGet();
  }

  /** The wait is no longer current: its timer is cancelled and it stops counting as waiting. */
  private void stop(Wait w) {
    if (w.timer != null) {
      w.timer.cancel(false);
      w.timer = null;
    }
    if (current == w) {
      current = null;
      w.guard.meters().waiting.decrementAndGet();
    }
  }

  /** The wait is over and nothing of it is held any more. */
  private void end(Wait w) {
    stop(w);
    w.ticket = null;
    w.parked = false;
  }

  private void slotTimeout(Wait w) {
    w.timer = null;
    if (current == w && w.ticket.cancel()) {
      queueTimedOut(w);
    }
    // else a grant (or the queue's own timeout) is on its way
  }

  private void parkTimeout(Wait w) {
    w.timer = null;
    if (current == w && w.guard.unpark(w)) {
      RouteGuard g = w.guard;
      end(w);
      g.meters().noBackendTimeouts.increment();
      owner.onWaitFailed("no healthy backend for " + g.key() + " (none within the queue timeout of "
          + RouteGuard.fmt(g.policy().queueTimeout()) + ")");
    }
  }

  private void granted(Wait w) {
    boolean mine = current == w;
    end(w);
    if (mine && owner.active()) {
      owner.onSlot(w.guard, w.backend);
    } else {
      w.guard.release(w.backend); // stale: nobody wants the slot
    }
  }

  private void queueTimedOut(Wait w) {
    if (current != w) {
      return;
    }
    end(w);
    RouteGuard g = w.guard;
    g.meters().queueTimeouts.increment();
    if (owner.active()) {
      owner.onWaitFailed("no free slot on backend " + w.backend + " of " + g.key() + " (" + g.policy().maxConnections()
          + " in flight: MEZZO_LB_MAX_CONN) within the queue timeout of " + RouteGuard.fmt(g.policy().queueTimeout()));
    }
  }

  private void reroute(Wait w) {
    if (current != w) {
      return;
    }
    end(w);
    if (owner.active()) {
      owner.onRouteChanged();
    }
  }
}
