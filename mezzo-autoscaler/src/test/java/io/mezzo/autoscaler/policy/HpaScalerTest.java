package io.mezzo.autoscaler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.autoscaler.Decision;
import io.mezzo.autoscaler.MetricValue;
import io.mezzo.autoscaler.Observation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The HPA baseline reproduces Kubernetes' defaults and its treatment of missing and unready pods. */
class HpaScalerTest {
  @Test
  void aBurstScalesUpByDoublingOrFourEveryFifteenSeconds() {
    HpaScaler hpa = new HpaScaler("cpu", 0.5, 1, 100);
    List<Integer> counts = new ArrayList<>();
    int count = 1;
    for (long t = 0; t <= 60; t += 15) {
      count = hpa.evaluate(Obs.of(t, count, "cpu", 50.0 / count)).desired(); // total load: 100 instances
      counts.add(count);
    }
    assertThat(counts).containsExactly(5, 10, 20, 40, 80);
  }

  @Test
  void aScaleDownWaitsFiveMinutesThenTakesTheWindowsHighest() {
    HpaScaler hpa = new HpaScaler("cpu", 0.5, 1, 100);
    assertThat(hpa.evaluate(Obs.of(0, 10, "cpu", 0.5)).desired()).isEqualTo(10);
    for (long t = 15; t < 300; t += 15) {
      assertThat(hpa.evaluate(Obs.of(t, 10, "cpu", t < 150 ? 0.3 : 0.1)).desired()).isEqualTo(10);
    }
    assertThat(hpa.evaluate(Obs.of(300, 10, "cpu", 0.1)).desired()).as("6 was asked at 135 s").isEqualTo(6);
    assertThat(hpa.evaluate(Obs.of(450, 6, "cpu", 0.1 * 10 / 6)).desired()).isEqualTo(2);
  }

  @Test
  void aMissingMetricStopsScaling() {
    HpaScaler hpa = new HpaScaler("cpu", 0.5, 1, 100);
    Decision d = hpa.evaluate(Obs.none(0, 3));
    assertThat(d.desired()).isEqualTo(3);
    assertThat(d.limitedBy()).isEqualTo("invalid metric");
  }

  @Test
  void unreadyPodsAreIgnoredOnAScaleDown() {
    HpaScaler hpa = new HpaScaler("cpu", 0.5, 1, 100);
    Decision d = hpa.evaluate(new Observation(Obs.at(0), 10, 5, Map.of("cpu", MetricValue.perInstance(0.25, 5))));
    assertThat(d.desired()).as("first evaluation: nothing to stabilize on").isEqualTo(3);
  }

  @Test
  void aCountOutsideTheBoundsGoesToTheBound() {
    HpaScaler hpa = new HpaScaler("cpu", 0.5, 2, 5);
    assertThat(hpa.evaluate(Obs.of(0, 1, "cpu", 0.1)).desired()).isEqualTo(2);
    assertThat(hpa.evaluate(Obs.of(15, 9, "cpu", 0.9)).desired()).isEqualTo(5);
  }

  @Test
  void itTakesThePolicysFirstMetricAndBounds() {
    HpaScaler hpa = HpaScaler.from(ScalingPolicy.targetTracking("requestsPerSecond", 100, 2, 8));
    assertThat(hpa.evaluate(Obs.of(0, 2, "requestsPerSecond", 300)).desired()).isEqualTo(6);
  }
}
