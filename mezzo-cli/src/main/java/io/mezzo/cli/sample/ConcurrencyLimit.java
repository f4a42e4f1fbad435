package io.mezzo.cli.sample;

import java.util.ArrayDeque;

/**
 * Serves at most {@code limit} requests at once and queues the rest in arrival order: the sample server
 * then behaves like a server with a pool of {@code limit} request threads (its capacity is {@code limit}
 * divided by the time a request takes, and beyond it latency grows with the queue), without holding a
 * thread per waiting request.
 *
 * <p>Each admitted request must be {@link #release released} exactly once, when it is answered; the
 * release starts the next waiting request on the releasing thread. Thread-safe: one lock guards the count
 * and the queue, and no request is started while it is held.
 */
final class ConcurrencyLimit {
  private final int limit;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int serving;

  ConcurrencyLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: >= 1)");
    }
    this.limit = limit;
  }

  /** Starts {@code request} now if fewer than the limit are being served, else when its turn comes. */
  void submit(Runnable request) {
    synchronized (this) {
      if (serving >= limit) {
        waiting.addLast(request);
        return;
      }
      serving++;
    }
    request.run();
  }

  /** One admitted request was answered: its place goes to the longest waiting one, if any. */
  void release() {
    Runnable next;
    synchronized (this) {
      next = waiting.pollFirst();
      if (next == null) {
        serving--;
      }
    }
    if (next != null) {
      next.run();
    }
  }

  /** Requests waiting for a place. */
  synchronized int waiting() {
    return waiting.size();
  }
}
