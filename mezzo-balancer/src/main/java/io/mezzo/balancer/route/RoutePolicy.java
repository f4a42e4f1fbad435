package io.mezzo.balancer.route;

import io.mezzo.balancer.health.AdmissionQueue;
import java.time.Duration;
import java.util.Set;

/**
 * How the load balancer protects one route and its backends, as the route's labels ask: its active health
 * check, panic threshold, retries and per-backend admission limits. Immutable; validated when built.
 *
 * @param healthCheck the LB's own health check of the backends, or null when checks are off
 * @param panicThresholdPercent below this share of healthy backends the route routes to all of them,
 *     0..100 (0: never)
 * @param maxRetries retries per request (connect failures, a backend closing before answering, and the
 *     statuses of {@code retryOn}), 0..10
 * @param retryBudgetPercent retries allowed per 100 requests over the budget's 10 s window, 0..1000
 * @param retryMinPerSecond retries always allowed per second whatever the traffic, {@code >= 0}
 * @param retryOn backend answers (5xx) on which an idempotent request without a body is retried on another
 *     backend; empty by default (opt-in, as Envoy's {@code retriable-status-codes})
 * @param maxConnections requests (HTTP) or connections (TCP) in flight per backend, {@code >= 1}
 * @param maxPending requests waiting for a slot per backend (and for a backend to appear, per route),
 *     {@code >= 0}
 * @param queueTimeout the longest a request waits for a slot or for a backend, {@code > 0}
 * @param tryTimeout how long one attempt waits for the response head once its request has been written
 *     to its backend, then it is abandoned (and retried as {@code FailureKind.TIMEOUT} allows); null: no
 *     limit (opt-in, as Envoy's {@code per_try_timeout})
 */
public record RoutePolicy(HealthCheckSpec healthCheck, int panicThresholdPercent, int maxRetries,
    double retryBudgetPercent, int retryMinPerSecond, Set<Integer> retryOn, int maxConnections, int maxPending,
    Duration queueTimeout, Duration tryTimeout) {
  public static final int DEFAULT_PANIC_THRESHOLD = 50;
  public static final int DEFAULT_MAX_RETRIES = 2;
  public static final double DEFAULT_RETRY_BUDGET_PERCENT = 20;
  public static final int DEFAULT_RETRY_MIN_PER_SECOND = 10;
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  public static final int DEFAULT_MAX_PENDING = 1024;
  public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(5);

  private static final RoutePolicy DEFAULTS = new RoutePolicy(HealthCheckSpec.defaults(), DEFAULT_PANIC_THRESHOLD,
      DEFAULT_MAX_RETRIES, DEFAULT_RETRY_BUDGET_PERCENT, DEFAULT_RETRY_MIN_PER_SECOND, Set.of(),
      DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PENDING, DEFAULT_QUEUE_TIMEOUT, null);

  public RoutePolicy {
    if (panicThresholdPercent < 0 || panicThresholdPercent > 100) {
      throw new IllegalArgumentException("panicThresholdPercent: " + panicThresholdPercent + " (expected: 0..100)");
    }
    if (maxRetries < 0 || maxRetries > 10) {
      throw new IllegalArgumentException("maxRetries: " + maxRetries + " (expected: 0..10)");
    }
    if (!(retryBudgetPercent >= 0 && retryBudgetPercent <= 1000)) {
      throw new IllegalArgumentException("retryBudgetPercent: " + retryBudgetPercent + " (expected: 0..1000)");
    }
    if (retryMinPerSecond < 0) {
      throw new IllegalArgumentException("retryMinPerSecond: " + retryMinPerSecond + " (expected: >= 0)");
    }
    retryOn = Set.copyOf(retryOn);
    for (int status : retryOn) {
      if (status < 500 || status > 599) {
        throw new IllegalArgumentException("retryOn: " + status + " (expected: statuses from 500 to 599)");
      }
    }
    limits(maxConnections, maxPending, queueTimeout); // validates them
    if (tryTimeout != null && (tryTimeout.isNegative() || tryTimeout.isZero())) {
      throw new IllegalArgumentException("tryTimeout: " + tryTimeout + " (expected: > 0, or null for none)");
    }
  }

  /** A policy without a per-try timeout. */
  public RoutePolicy(HealthCheckSpec healthCheck, int panicThresholdPercent, int maxRetries,
      double retryBudgetPercent, int retryMinPerSecond, Set<Integer> retryOn, int maxConnections, int maxPending,
      Duration queueTimeout) {
    this(healthCheck, panicThresholdPercent, maxRetries, retryBudgetPercent, retryMinPerSecond, retryOn,
        maxConnections, maxPending, queueTimeout, null);
  }

  /** The admission limits of each backend of the route. */
  public AdmissionQueue.Limits limits() {
    return limits(maxConnections, maxPending, queueTimeout);
  }

  private static AdmissionQueue.Limits limits(int maxConnections, int maxPending, Duration queueTimeout) {
    return new AdmissionQueue.Limits(maxConnections, maxPending, queueTimeout);
  }

  /**
   * TCP health checks every 2 s (rise 2, fall 3), panic below 50% healthy, 2 retries within 20% of
   * requests (at least 10/s), no retry on statuses, 10000 requests in flight and 1024 waiting per backend,
   * a 5 s queue timeout, no per-try timeout.
   */
  public static RoutePolicy defaults() {
    return DEFAULTS;
  }
}
