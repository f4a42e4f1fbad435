/**
 * The balancer's health and failure policies, all pure or lock-free, with time passed in as nanos:
 * {@link io.mezzo.balancer.health.OutlierDetector} (passive ejection, Envoy semantics),
 * {@link io.mezzo.balancer.health.ActiveHealth} (rise/fall of the balancer's own checks),
 * {@link io.mezzo.balancer.health.RetryBudget} and {@link io.mezzo.balancer.health.RetryPolicy} (which
 * failures are retried, and how many), {@link io.mezzo.balancer.health.Panic} (route to all when most
 * backends look unhealthy) and {@link io.mezzo.balancer.health.AdmissionQueue} (per-backend connection and
 * pending limits with a bounded, timed queue). Each class says in its javadoc whether it is an immutable
 * value (the owner keeps the state) or safe for concurrent use from several event loops.
 */
package io.mezzo.balancer.health;
