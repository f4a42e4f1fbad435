/**
 * Mezzo's load balancer: {@code algorithm} (pure backend pickers: smooth weighted round robin,
 * power-of-two-choices least request, peak EWMA, Maglev consistent hashing, random, slow start) and
 * {@code health} (pure outlier detection, active-check rise/fall, retry budgets, panic mode). The Netty
 * proxy that applies them comes next.
 */
package io.mezzo.balancer;
