package io.mezzo.autoscaler.sim;

/**
 * Closed forms of the M/M/k queue (Poisson arrivals at rate {@code lambda}, {@code k} identical
 * exponential servers of rate {@code mu} each, one FCFS queue), used for one instance of the
 * {@link InstanceModel}. Pure static functions; stateless.
 *
 * <p>Sources (standard queueing theory, e.g. Kleinrock, Queueing Systems vol. 1, and Harchol-Balter,
 * Performance Modeling and Design of Computer Systems, ch. 14):
 * <ul>
 *   <li>Erlang C, the probability that an arrival waits, with offered load {@code a = lambda/mu < k}:
 *       computed from Erlang B by the stable recursion {@code B(0) = 1, B(n) = a B(n-1) / (n + a B(n-1))},
 *       then {@code C = k B / (k - a (1 - B))};</li>
 *   <li>the wait {@code W} is 0 with probability {@code 1 - C} and otherwise exponential with rate
 *       {@code theta = k mu - lambda}; the response time is {@code T = W + S} with {@code S ~ Exp(mu)}
 *       independent, so {@code P(T > t) = (1 - C) e^(-mu t) + C (theta e^(-mu t) - mu e^(-theta t)) /
 *       (theta - mu)} (and {@code C (1 + mu t) e^(-mu t)} for the second term when {@code theta = mu});
 *       for {@code k = 1} this reduces to the M/M/1 form {@code P(T > t) = e^(-(mu - lambda) t)};</li>
 *   <li>the mean response time {@code E[T] = 1/mu + C / theta}.</li>
 * </ul>
 * Percentiles of {@code T} have no closed form for {@code k > 1} and are found by bisection on the
 * (decreasing) tail.
 */
final class Queueing {
  private Queueing() {}

  /** Erlang C: the probability that an arrival waits, for {@code k} servers and offered load {@code a < k}. */
  static double erlangC(int k, double a) {
    if (k < 1) {
      throw new IllegalArgumentException("k: " + k + " (expected: >= 1)");
    }
    if (!(a >= 0) || a >= k) {
      throw new IllegalArgumentException("a: " + a + " (expected: 0 <= a < k " + k + ")");
    }
    double b = 1;
    for (int n = 1; n <= k; n++) {
      b = a * b / (n + a * b);
    }
    return k * b / (k - a * (1 - b));
  }

  /** {@code P(T > t)}: the probability that a request's response time exceeds {@code t} seconds. */
  static double responseTail(int k, double mu, double lambda, double t) {
    return tail(erlangC(k, lambda / mu), mu, k * mu - lambda, t);
  }

  private static double tail(double c, double mu, double theta, double t) {
    double served = Math.exp(-mu * t);
    double waited;
    if (Math.abs(theta - mu) <= 1e-9 * mu) {
      waited = (1 + mu * t) * served;
    } else {
      waited = (theta * served - mu * Math.exp(-theta * t)) / (theta - mu);
    }
    return (1 - c) * served + c * waited;
  }

  /** The {@code p}-quantile (0 < p < 1) of the response time in seconds. */
  static double responsePercentile(int k, double mu, double lambda, double p) {
    if (!(p > 0 && p < 1)) {
      throw new IllegalArgumentException("p: " + p + " (expected: 0 < p < 1)");
    }
    double target = 1 - p;
    double c = erlangC(k, lambda / mu);
    double theta = k * mu - lambda;
    double lo = 0;
    double hi = 1 / Math.min(mu, theta);
    while (tail(c, mu, theta, hi) > target) {
      lo = hi;
      hi *= 2;
    }
    for (int i = 0; i < 60 && hi - lo > 1e-12 * hi; i++) {
      double mid = (lo + hi) / 2;
      if (tail(c, mu, theta, mid) > target) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return (lo + hi) / 2;
  }

  /** The mean response time {@code E[T]} in seconds. */
  static double meanResponse(int k, double mu, double lambda) {
    return 1 / mu + erlangC(k, lambda / mu) / (k * mu - lambda);
  }
}
