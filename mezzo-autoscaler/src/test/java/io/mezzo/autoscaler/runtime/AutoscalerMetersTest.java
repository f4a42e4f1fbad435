package io.mezzo.autoscaler.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.autoscaler.Decision;
import io.mezzo.autoscaler.policy.ScalingPolicy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AutoscalerMetersTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AutoscalerMeters meters = new AutoscalerMeters(registry);

  private static Decision decision(int current, int desired) {
    return new Decision(Instant.EPOCH, current, desired, List.of(), desired == current ? "maxInstances" : null, "test");
  }

  @Test
  void decisionsAreCountedByAppAndDirection() {
    meters.decision("/web", decision(1, 3));
    meters.decision("/web", decision(3, 2));
    meters.decision("/web", decision(2, 2));
    meters.decision("/api", decision(2, 4));
    assertThat(registry.scrape()).contains(
        "mezzo_autoscaler_decisions_total{app=\"/web\",direction=\"up\"} 1.0",
        "mezzo_autoscaler_decisions_total{app=\"/web\",direction=\"down\"} 1.0",
        "mezzo_autoscaler_decisions_total{app=\"/web\",direction=\"hold\"} 1.0",
        "mezzo_autoscaler_decisions_total{app=\"/api\",direction=\"up\"} 1.0");
  }

  @Test
  void eachAppShowsItsInstancesAndItsMetricAgainstTheTargetUntilItGoes() {
    List<ScalingPolicy.TargetSpec> targets = List.of(new ScalingPolicy.TargetSpec("cpu", 0.6, 0.1));
    meters.publish(List.of(new AutoscalerMeters.AppFigures("/web", 2, 3, Map.of("cpu", 0.9), targets),
        new AutoscalerMeters.AppFigures("/new", 1, null, Map.of(), targets)));
    assertThat(registry.scrape()).contains(
        "mezzo_autoscaler_instances_current{app=\"/web\"} 2.0",
        "mezzo_autoscaler_instances_desired{app=\"/web\"} 3.0",
        "mezzo_autoscaler_metric_value{app=\"/web\",metric=\"cpu\"} 0.9",
        "mezzo_autoscaler_metric_target{app=\"/web\",metric=\"cpu\"} 0.6",
        "mezzo_autoscaler_instances_current{app=\"/new\"} 1.0")
        .doesNotContain("mezzo_autoscaler_instances_desired{app=\"/new\"}");
    meters.publish(List.of(new AutoscalerMeters.AppFigures("/new", 1, 1, Map.of(), targets)));
    assertThat(registry.scrape()).doesNotContain("app=\"/web\"")
        .contains("mezzo_autoscaler_instances_desired{app=\"/new\"} 1.0");
  }
}
