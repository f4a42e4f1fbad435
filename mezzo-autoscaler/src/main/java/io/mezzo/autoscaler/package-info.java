/**
 * The autoscaler: per-app scaling policies (target tracking, step, scheduled, predictive) and the
 * Kubernetes-style behaviour that bounds them (rate limits, stabilization windows, cooldown), as pure
 * code fed immutable views with time passed in, so that the trace simulator runs exactly what
 * production runs.
 */
package io.mezzo.autoscaler;
