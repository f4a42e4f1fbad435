package io.mezzo.balancer.algorithm;

import java.util.Locale;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The balancing algorithms by label value ({@code MEZZO_LB_BALANCE_{n}}, {@code HAPROXY_{n}_BALANCE}):
 * {@code round_robin} (smooth weighted round robin), {@code least_request} (power of two choices on
 * in-flight requests per weight), {@code ewma} (peak EWMA latency x in-flight), {@code consistent_hash}
 * (Maglev, keyed by the route's hash key: a header, a cookie or the client address) and {@code random}; HAProxy's / marathon-lb's
 * {@code roundrobin}, {@code leastconn} and {@code source} (consistent hashing on the client address)
 * are accepted too. Names are case-insensitive.
 *
 * <p>Thread: stateless; the algorithms returned are immutable.
 */
public final class Algorithms {
  public static final String ROUND_ROBIN = "round_robin";
  public static final String LEAST_REQUEST = "least_request";
  public static final String EWMA = "ewma";
  public static final String CONSISTENT_HASH = "consistent_hash";
  public static final String RANDOM = "random";

  private static final String EXPECTED =
      "(expected: one of round_robin, least_request, ewma, consistent_hash, random)";

  private Algorithms() {}

  /** The algorithm named {@code name} with default options. */
  public static Algorithm of(String name) {
    return of(name, AlgorithmOptions.defaults());
  }

  /**
   * The algorithm named {@code name} (a label value) with {@code options}.
   *
   * @throws IllegalArgumentException naming the bad value, e.g.
   *     {@code balance: 'fastest' (expected: one of round_robin, least_request, ewma, consistent_hash, random)}
   */
  public static Algorithm of(String name, AlgorithmOptions options) {
    return of(name, options, ThreadLocalRandomGenerator.INSTANCE);
  }

  /** As {@link #of(String, AlgorithmOptions)} with a given source of randomness (seeded in tests). */
  static Algorithm of(String name, AlgorithmOptions options, RandomGenerator random) {
    if (name == null) {
      throw new IllegalArgumentException("balance: null " + EXPECTED);
    }
    if (options == null) {
      throw new IllegalArgumentException(
          "options: null (expected: AlgorithmOptions, e.g. AlgorithmOptions.defaults())");
    }
    switch (name.trim().toLowerCase(Locale.ROOT)) {
      case ROUND_ROBIN:
      case "roundrobin":
        return new Named(ROUND_ROBIN, Algorithm.KeySource.NONE,
            set -> new RoundRobin(set, options.slowStart(), random));
      case LEAST_REQUEST:
      case "leastconn":
        return new Named(LEAST_REQUEST, Algorithm.KeySource.NONE,
            set -> new LeastRequest(set, options.slowStart(), random));
      case EWMA:
        return new Named(EWMA, Algorithm.KeySource.NONE,
            set -> new PeakEwma(set, options.ewmaDecay().toNanos(), options.ewmaPenalty().toNanos(),
                options.slowStart(), random));
      case CONSISTENT_HASH:
        return new Named(CONSISTENT_HASH, Algorithm.KeySource.ROUTE, set -> new Maglev(set, options.hashTableSize()));
      case "source":
        return new Named(CONSISTENT_HASH, Algorithm.KeySource.CLIENT_ADDRESS,
            set -> new Maglev(set, options.hashTableSize()));
      case RANDOM:
        return new Named(RANDOM, Algorithm.KeySource.NONE, set -> new RandomPicker(set, options.slowStart(), random));
      default:
        throw new IllegalArgumentException("balance: '" + name + "' " + EXPECTED);
    }
  }

  /** An algorithm: its canonical name, where its key comes from, and how to build a picker. */
  private record Named(String name, Algorithm.KeySource keySource, Function<BackendSet, Picker> factory)
      implements Algorithm {
    @Override
    public Picker newPicker(BackendSet backends) {
      return factory.apply(backends);
    }

    @Override
    public String toString() {
      return name + (keySource == Algorithm.KeySource.CLIENT_ADDRESS ? " (source)" : "");
    }
  }
}
