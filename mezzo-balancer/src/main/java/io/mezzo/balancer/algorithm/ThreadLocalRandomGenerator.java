package io.mezzo.balancer.algorithm;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * The production source of randomness for pickers: each calling thread uses its own
 * {@link ThreadLocalRandom}, so concurrent picks share no state. Tests pass a seeded generator instead.
 *
 * <p>Thread: any.
 */
final class ThreadLocalRandomGenerator implements RandomGenerator {
  static final ThreadLocalRandomGenerator INSTANCE = new ThreadLocalRandomGenerator();

  private ThreadLocalRandomGenerator() {}

  @Override
  public long nextLong() {
    return ThreadLocalRandom.current().nextLong();
  }

  @Override
  public int nextInt(int bound) {
    return ThreadLocalRandom.current().nextInt(bound);
  }

  @Override
  public long nextLong(long bound) {
    return ThreadLocalRandom.current().nextLong(bound);
  }

  @Override
  public double nextDouble() {
    return ThreadLocalRandom.current().nextDouble();
  }

  @Override
  public boolean nextBoolean() {
    return ThreadLocalRandom.current().nextBoolean();
  }
}
