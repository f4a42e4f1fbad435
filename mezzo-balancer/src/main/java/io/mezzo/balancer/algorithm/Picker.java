package io.mezzo.balancer.algorithm;

/**
 * Chooses a backend of one immutable {@link BackendSet} for each request. Made by
 * {@link Algorithm#newPicker}; when the route's backends change, the proxy builds a new picker from the
 * new set and swaps it in (statistics live in {@link BackendStats} and carry over).
 *
 * <p>Contract of every implementation: {@link #pick} is safe to call concurrently from several event-loop
 * threads (internal state is atomics over the immutable snapshot), allocates nothing on the common path
 * (no exclusions), reads no clock (time comes in the context) and costs O(1) or O(log n) without
 * exclusions; with exclusions it may scan the set (O(n)), which only retries pay. Picking does not
 * count the request: the proxy calls {@code backend.stats().onStart()} when it actually dispatches.
 */
public interface Picker {
  /** A backend not excluded by {@code ctx}, or null when the set is empty or every backend is excluded. */
  Backend pick(PickContext ctx);

  /** The snapshot this picker chooses from. */
  BackendSet backends();
}
