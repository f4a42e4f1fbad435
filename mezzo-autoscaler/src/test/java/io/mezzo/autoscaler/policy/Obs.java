package io.mezzo.autoscaler.policy;

import io.mezzo.autoscaler.MetricValue;
import io.mezzo.autoscaler.Observation;
import java.time.Instant;
import java.util.Map;

/** Observations for tests: a fixed epoch plus seconds, all instances ready unless told. */
final class Obs {
  static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z"); // a Monday

  private Obs() {}

  static Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }

  /** {@code current} ready instances reporting {@code value} of {@code metric} each. */
  static Observation of(long seconds, int current, String metric, double value) {
    return new Observation(at(seconds), current, current, Map.of(metric, MetricValue.perInstance(value, current)));
  }

  static Observation none(long seconds, int current) {
    return new Observation(at(seconds), current, current, Map.of());
  }
}
