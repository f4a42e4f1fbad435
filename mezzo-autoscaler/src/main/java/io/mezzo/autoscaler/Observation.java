package io.mezzo.autoscaler;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Scaler} sees of one app at one evaluation: the time (the production clock or the
 * simulator's virtual one), the instance count it asked for last ({@code current}), how many instances
 * are ready (running, healthy and not draining: the only ones averaged), and the metrics gathered
 * since the last evaluation by name. A metric that could not be gathered is absent from the map, never
 * zero. Immutable.
 *
 * @param now the evaluation time
 * @param current the instance count the app has now (its target, whether or not all are up yet)
 * @param ready the instances counted in the metric averages
 * @param metrics by metric name ({@link MetricValue} names the conventions)
 */
public record Observation(Instant now, int current, int ready, Map<String, MetricValue> metrics) {
  public Observation {
    Objects.requireNonNull(now, "now");
    if (current < 0) {
      throw new IllegalArgumentException("current: " + current + " (expected: >= 0)");
    }
    if (ready < 0) {
      throw new IllegalArgumentException("ready: " + ready + " (expected: >= 0)");
    }
    metrics = Map.copyOf(metrics);
  }

  /** The metric named {@code name}, or null when it was not gathered. */
  public MetricValue metric(String name) {
    return metrics.get(name);
  }
}
