package io.mezzo.balancer.algorithm;

import java.time.Duration;

/**
 * Tuning shared by the algorithms of a route, validated when built; each algorithm reads the fields it
 * uses. {@code slowStart}: round robin, least request, ewma and random (default disabled;
 * consistent_hash ignores it: ramping a backend up would move keys to it and back). {@code ewmaDecay} (default
 * 10 s) and {@code ewmaPenalty} (default 1 s: the latency assumed for each request in flight on a backend
 * that has not answered yet): ewma. {@code hashTableSize} (a prime, default 65537; raised to the next
 * prime >= 100 x backends when smaller): consistent_hash.
 *
 * <p>Thread: immutable value.
 */
public record AlgorithmOptions(SlowStart slowStart, Duration ewmaDecay, Duration ewmaPenalty, int hashTableSize) {
  public static final Duration DEFAULT_EWMA_DECAY = Duration.ofSeconds(10);
  public static final Duration DEFAULT_EWMA_PENALTY = Duration.ofSeconds(1);
  public static final int DEFAULT_HASH_TABLE_SIZE = 65537;

  private static final AlgorithmOptions DEFAULTS =
      new AlgorithmOptions(SlowStart.disabled(), DEFAULT_EWMA_DECAY, DEFAULT_EWMA_PENALTY, DEFAULT_HASH_TABLE_SIZE);

  public AlgorithmOptions {
    if (slowStart == null) {
      throw new IllegalArgumentException("slowStart: null (expected: a SlowStart, SlowStart.disabled() for none)");
    }
    if (ewmaDecay == null || ewmaDecay.isNegative() || ewmaDecay.isZero()) {
      throw new IllegalArgumentException("ewmaDecay: " + ewmaDecay + " (expected: > 0s)");
    }
    if (ewmaPenalty == null || ewmaPenalty.isNegative()) {
      throw new IllegalArgumentException("ewmaPenalty: " + ewmaPenalty + " (expected: >= 0s)");
    }
    if (hashTableSize < 3 || !Maglev.isPrime(hashTableSize)) {
      throw new IllegalArgumentException("hashTableSize: " + hashTableSize + " (expected: a prime >= 3, e.g. 65537)");
    }
  }

  public static AlgorithmOptions defaults() {
    return DEFAULTS;
  }

  public AlgorithmOptions withSlowStart(SlowStart value) {
    return new AlgorithmOptions(value, ewmaDecay, ewmaPenalty, hashTableSize);
  }

  public AlgorithmOptions withEwmaDecay(Duration value) {
    return new AlgorithmOptions(slowStart, value, ewmaPenalty, hashTableSize);
  }

  public AlgorithmOptions withEwmaPenalty(Duration value) {
    return new AlgorithmOptions(slowStart, ewmaDecay, value, hashTableSize);
  }

  public AlgorithmOptions withHashTableSize(int value) {
    return new AlgorithmOptions(slowStart, ewmaDecay, ewmaPenalty, value);
  }
}
