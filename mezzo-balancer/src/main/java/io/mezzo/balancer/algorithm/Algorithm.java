package io.mezzo.balancer.algorithm;

/**
 * A balancing algorithm configured for one route: builds a {@link Picker} for each snapshot of the
 * route's backends. Obtain one from {@link Algorithms}.
 *
 * <p>Thread: immutable; {@link #newPicker} may be called from any thread.
 */
public interface Algorithm {
  /** Where the proxy takes the {@link PickContext#hashKey()} from for this algorithm. */
  enum KeySource {
    /** The algorithm ignores the key: pass 0. */
    NONE,
    /** The route's hash key (a header or cookie named by its labels), else the client address. */
    ROUTE,
    /** Always the client address (HAProxy's {@code balance source}). */
    CLIENT_ADDRESS
  }

  /** The canonical label value: round_robin, least_request, ewma, consistent_hash or random. */
  String name();

  KeySource keySource();

  /** A picker over {@code backends}; cost O(n) (consistent hashing: O(table size)). */
  Picker newPicker(BackendSet backends);
}
