package io.mezzo.balancer.algorithm;

import java.util.random.RandomGenerator;

/**
 * Draws an index with probability proportional to its weight in O(1): Walker's alias method as laid
 * out by Vose ("A linear algorithm for generating random numbers with a given distribution", IEEE TSE
 * 1991). Each of the {@code n} columns holds probability mass {@code 1/n}, split between its own index
 * (share {@code prob[i]}) and one alias; a draw is one uniform column and one biased coin.
 *
 * <p>Thread: immutable after construction; the caller supplies the (thread-safe) randomness.
 */
final class AliasTable {
  private final double[] prob;
  private final int[] alias;

  /** @param weights positive weights, at least one */
  AliasTable(long[] weights) {
    int n = weights.length;
    prob = new double[n];
    alias = new int[n];
    double total = 0;
    for (long w : weights) {
      total += w;
    }
    double[] scaled = new double[n];
    int[] small = new int[n];
    int[] large = new int[n];
    int smallCount = 0;
    int largeCount = 0;
    for (int i = 0; i < n; i++) {
      scaled[i] = weights[i] * n / total;
      if (scaled[i] < 1.0) {
        small[smallCount++] = i;
      } else {
        large[largeCount++] = i;
      }
    }
    while (smallCount > 0 && largeCount > 0) {
      int s = small[--smallCount];
      int l = large[--largeCount];
      prob[s] = scaled[s];
      alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1.0;
      if (scaled[l] < 1.0) {
        small[smallCount++] = l;
      } else {
        large[largeCount++] = l;
      }
    }
    // what is left holds (up to rounding) exactly one column of its own
    while (largeCount > 0) {
      int l = large[--largeCount];
      prob[l] = 1.0;
      alias[l] = l;
    }
    while (smallCount > 0) {
      int s = small[--smallCount];
      prob[s] = 1.0;
      alias[s] = s;
    }
  }

  /** The probability of drawing {@code index} (for tests): its own share plus what columns alias to it. */
  double probability(int index) {
    double p = prob[index];
    for (int j = 0; j < prob.length; j++) {
      if (alias[j] == index && j != index) {
        p += 1.0 - prob[j];
      }
    }
    return p / prob.length;
  }

  int sample(RandomGenerator random) {
    int column = random.nextInt(prob.length);
    return random.nextDouble() < prob[column] ? column : alias[column];
  }
}
