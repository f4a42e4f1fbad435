package io.mezzo.balancer.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-backend admission: at most {@code maxConnections} requests (or TCP connections) active on a backend,
 * at most {@code maxPending} more waiting in a FIFO queue for a slot, each for at most {@code queueTimeout};
 * beyond that, fail fast with 503 (Envoy's {@code max_connections} and {@code max_pending_requests} circuit
 * breakers, plus HAProxy's {@code timeout queue}). Nothing is buffered without bound.
 *
 * <p>The decision is pure ({@link #verdict}, {@link Limits#timedOut}): admit while there is a free slot and
 * nobody is waiting (no barging past the queue); queue while the queue has room; otherwise reject. A
 * waiter whose time is up leaves the queue and gets 503.
 *
 * <p>Protocol for the caller (the proxy):
 * <ul>
 *   <li>{@link #tryAcquire}: {@code ADMITTED} means go; {@code QUEUED} means wait (arm a timer for
 *       {@code queueTimeout} that calls {@link Ticket#cancel()} and answers 503 if it returns true);
 *       {@code REJECTED} means answer 503 now.
 *   <li>{@link #release} when an admitted (or granted) request ends, exactly once.
 *   <li>Every call returns a {@link Handoff}: waiters that were just granted a slot (dispatch them; each
 *       now holds a slot and must be released) and waiters found timed out (answer them 503). A caller's
 *       own waiter can be granted by another thread's call, so each waiter's context must accept being
 *       dispatched from any thread (hop onto its event loop).
 *   <li>{@link #retain} with the discovered backends; waiters of backends that left are handed back.
 *       {@link #evictWaiters} hands back the waiters of a backend that stays known but takes no new
 *       requests (draining), keeping the slots of its requests in flight.
 * </ul>
 *
 * <p>Thread safety: lock-free, for use from several event loops. Per backend, an atomic count of active
 * slots, an atomic count of queued waiters and a concurrent FIFO of tickets whose state moves once out of
 * QUEUED by compare-and-set (granted, cancelled or timed out: whoever wins that CAS owns the waiter). No
 * waiter is stranded while a slot is free: every enqueue and every release is followed by a drain that
 * claims a free slot before polling and gives it back (then looks again) if the queue had no live waiter.
 */
public final class AdmissionQueue<T> {

  /**
   * Limits per backend, validated when built.
   *
   * @param maxConnections active requests (HTTP) or connections (TCP) per backend, {@code >= 1}
   * @param maxPending waiters per backend, {@code >= 0} (0: reject as soon as the backend is full)
   * @param queueTimeout the longest wait in the queue, {@code > 0}
   */
  public record Limits(int maxConnections, int maxPending, Duration queueTimeout) {
    public Limits {
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 1)");
      }
      if (maxPending < 0) {
        throw new IllegalArgumentException("maxPending: " + maxPending + " (expected: >= 0)");
      }
      Objects.requireNonNull(queueTimeout, "queueTimeout");
      if (queueTimeout.isNegative() || queueTimeout.isZero()) {
        throw new IllegalArgumentException("queueTimeout: " + queueTimeout + " (expected: > 0)");
      }
    }

    /** Envoy's circuit breaker defaults (1024 and 1024) and a 5 s queue timeout. */
    public static Limits defaults() {
      return new Limits(1024, 1024, Duration.ofSeconds(5));
    }

    /** Whether a waiter queued at {@code enqueuedAtNanos} has waited too long at {@code nowNanos}. */
    public boolean timedOut(long enqueuedAtNanos, long nowNanos) {
      return nowNanos - enqueuedAtNanos >= queueTimeout.toNanos();
    }
  }

  /** What a new request gets. */
  public enum Verdict { ADMIT, QUEUE, REJECT }

  /** What {@link #tryAcquire} did with the caller's waiter. */
  public enum Status { ADMITTED, QUEUED, REJECTED }

  /** Waiters to dispatch ({@code granted}: they hold a slot now) and to fail with 503 ({@code timedOut}). */
  public record Handoff<T>(List<T> granted, List<T> timedOut) {
    public Handoff {
      granted = List.copyOf(granted);
      timedOut = List.copyOf(timedOut);
    }

    @SuppressWarnings("rawtypes")
    private static final Handoff NONE = new Handoff<>(List.of(), List.of());

    @SuppressWarnings("unchecked")
    static <T> Handoff<T> none() {
      return NONE; // shared: the common case allocates nothing
    }

    public boolean isEmpty() {
      return granted.isEmpty() && timedOut.isEmpty();
    }
  }

  /** The caller's result: its waiter's status, its ticket if queued, and what else the call settled. */
  public record Outcome<T>(Status status, Ticket<T> ticket, Handoff<T> handoff) {
    @SuppressWarnings("rawtypes")
    private static final Outcome ADMITTED = new Outcome<>(Status.ADMITTED, null, Handoff.none());
    @SuppressWarnings("rawtypes")
    private static final Outcome REJECTED = new Outcome<>(Status.REJECTED, null, Handoff.none());

    @SuppressWarnings("unchecked")
    static <T> Outcome<T> of(Status status) {
      return status == Status.ADMITTED ? ADMITTED : REJECTED; // shared: the hot path allocates nothing
    }
  }

  /** A queued waiter's handle. */
  public static final class Ticket<T> {
    private static final int QUEUED = 0;
    private static final int GRANTED = 1;
    private static final int CANCELLED = 2;
    private static final int TIMED_OUT = 3;

    private final T waiter;
    private final long enqueuedAtNanos;
    private final Backend<T> backend;
    private final AtomicInteger state = new AtomicInteger(QUEUED);

    private Ticket(T waiter, long enqueuedAtNanos, Backend<T> backend) {
      this.waiter = waiter;
      this.enqueuedAtNanos = enqueuedAtNanos;
      this.backend = backend;
    }

    public T waiter() {
      return waiter;
    }

    public long enqueuedAtNanos() {
      return enqueuedAtNanos;
    }

    /**
     * Takes the waiter out of the queue (timer fired, client went away).
     *
     * @return true if it was still waiting; false if it was already granted, timed out or cancelled
     */
    public boolean cancel() {
      if (leave(CANCELLED)) {
        backend.queue.remove(this);
        return true;
      }
      return false;
    }

    private boolean leave(int to) {
      if (state.compareAndSet(QUEUED, to)) {
        backend.queued.decrementAndGet();
        return true;
      }
      return false;
    }
  }

  private static final class Backend<T> {
    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger queued = new AtomicInteger();
    final ConcurrentLinkedQueue<Ticket<T>> queue = new ConcurrentLinkedQueue<>();
  }

  private final Limits limits;
  private final Map<String, Backend<T>> backends = new ConcurrentHashMap<>();

  private AdmissionQueue(Limits limits) {
    this.limits = limits;
  }

  public static <T> AdmissionQueue<T> create(Limits limits) {
    return new AdmissionQueue<>(Objects.requireNonNull(limits, "limits"));
  }

  public Limits limits() {
    return limits;
  }

  /** The pure decision for a new request given a backend's {@code active} and {@code queued} counts. */
  public static Verdict verdict(int active, int queued, Limits limits) {
    if (active < limits.maxConnections() && queued == 0) {
      return Verdict.ADMIT;
    }
    return queued < limits.maxPending() ? Verdict.QUEUE : Verdict.REJECT;
  }

  /** Asks for a slot on {@code backendId} for {@code waiter} at {@code nowNanos}. */
  public Outcome<T> tryAcquire(String backendId, T waiter, long nowNanos) {
    Objects.requireNonNull(waiter, "waiter");
    Backend<T> backend = backends.computeIfAbsent(Objects.requireNonNull(backendId, "backendId"),
        id -> new Backend<>());
    while (true) {
      int active = backend.active.get();
      int queued = backend.queued.get();
      Verdict verdict = verdict(active, queued, limits);
      if (verdict == Verdict.REJECT) {
        return Outcome.of(Status.REJECTED);
      }
      if (verdict == Verdict.ADMIT) {
        if (backend.active.compareAndSet(active, active + 1)) {
          return Outcome.of(Status.ADMITTED);
        }
      } else if (backend.queued.compareAndSet(queued, queued + 1)) {
        break;
      }
    }
    Ticket<T> ticket = new Ticket<>(waiter, nowNanos, backend);
    backend.queue.add(ticket);
    List<Ticket<T>> granted = new ArrayList<>();
    List<T> timedOut = new ArrayList<>();
    drain(backend, nowNanos, granted, timedOut);
    boolean mine = granted.remove(ticket);
    List<T> others = new ArrayList<>(granted.size());
    granted.forEach(t -> others.add(t.waiter));
    return new Outcome<>(mine ? Status.ADMITTED : Status.QUEUED, mine ? null : ticket,
        new Handoff<>(others, timedOut));
  }

  /** Frees the slot of a request on {@code backendId} that ended; a waiter may take it over. */
  public Handoff<T> release(String backendId, long nowNanos) {
    Backend<T> backend = backends.get(backendId);
    if (backend == null) {
      return Handoff.none(); // the backend left discovery while the request was in flight
    }
    if (backend.active.decrementAndGet() < 0) {
      backend.active.incrementAndGet();
      throw new IllegalStateException("BUG: release of " + backendId + " without a slot held");
    }
    if (backend.queue.isEmpty()) {
      return Handoff.none(); // nobody waits (an enqueuer that comes later drains by itself)
    }
    List<Ticket<T>> granted = new ArrayList<>();
    List<T> timedOut = new ArrayList<>();
    drain(backend, nowNanos, granted, timedOut);
    List<T> waiters = new ArrayList<>(granted.size());
    granted.forEach(t -> waiters.add(t.waiter));
    return new Handoff<>(waiters, timedOut);
  }

  /** Takes out every waiter whose time is up at {@code nowNanos} (a sweep; per-waiter timers also work). */
  public List<T> expire(long nowNanos) {
    List<T> timedOut = new ArrayList<>();
    for (Backend<T> backend : backends.values()) {
      for (Iterator<Ticket<T>> it = backend.queue.iterator(); it.hasNext(); ) {
        Ticket<T> t = it.next();
        if (limits.timedOut(t.enqueuedAtNanos, nowNanos) && t.leave(Ticket.TIMED_OUT)) {
          it.remove();
          timedOut.add(t.waiter);
        }
      }
    }
    return timedOut;
  }

  /**
   * Makes {@code ids} the known backends; returns the waiters of those that left, to be routed again or
   * failed. Active slots of a departed backend are forgotten (their late releases are ignored).
   */
  public List<T> retain(Set<String> ids) {
    Objects.requireNonNull(ids, "ids");
    List<T> orphans = new ArrayList<>();
    for (Iterator<Map.Entry<String, Backend<T>>> it = backends.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Backend<T>> e = it.next();
      if (!ids.contains(e.getKey())) {
        it.remove();
        Ticket<T> t;
        while ((t = e.getValue().queue.poll()) != null) {
          if (t.leave(Ticket.CANCELLED)) {
            orphans.add(t.waiter);
          }
        }
      }
    }
    return orphans;
  }

  /**
   * Takes every waiter of {@code backendId} out of its queue and returns them (to be routed elsewhere),
   * keeping its active slots counted: for a backend that stops taking new requests (draining) while its
   * requests in flight finish and release their slots.
   */
  public List<T> evictWaiters(String backendId) {
    Backend<T> backend = backends.get(Objects.requireNonNull(backendId, "backendId"));
    List<T> evicted = new ArrayList<>();
    if (backend == null) {
      return evicted;
    }
    Ticket<T> t;
    while ((t = backend.queue.poll()) != null) {
      if (t.leave(Ticket.CANCELLED)) {
        evicted.add(t.waiter);
      }
    }
    return evicted;
  }

  /** Active slots on {@code backendId}. */
  public int active(String backendId) {
    Backend<T> backend = backends.get(backendId);
    return backend == null ? 0 : backend.active.get();
  }

  /** Waiters queued for {@code backendId}. */
  public int pending(String backendId) {
    Backend<T> backend = backends.get(backendId);
    return backend == null ? 0 : backend.queued.get();
  }

  /**
   * Hands free slots to live waiters, oldest first; see the class doc for why no waiter is stranded.
   */
  private void drain(Backend<T> backend, long nowNanos, List<Ticket<T>> granted, List<T> timedOut) {
    while (!backend.queue.isEmpty()) {
      int active = backend.active.get();
      if (active >= limits.maxConnections()) {
        return;
      }
      if (!backend.active.compareAndSet(active, active + 1)) {
        continue;
      }
      Ticket<T> handedTo = null;
      Ticket<T> t;
      while (handedTo == null && (t = backend.queue.poll()) != null) {
        if (limits.timedOut(t.enqueuedAtNanos, nowNanos)) {
          if (t.leave(Ticket.TIMED_OUT)) {
            timedOut.add(t.waiter);
          }
        } else if (t.leave(Ticket.GRANTED)) {
          handedTo = t;
        }
      }
      if (handedTo == null) {
        backend.active.decrementAndGet(); // nobody alive to take it: give it back, then look again
      } else {
        granted.add(handedTo);
      }
    }
  }
}
