package io.mezzo.autoscaler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.autoscaler.MetricValue;
import io.mezzo.autoscaler.Observation;
import io.mezzo.autoscaler.policy.ScalingPolicy.TargetSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The HPA rule of target tracking: rounding, tolerance, instances that are starting or do not report, app-wide metrics. */
class TargetTrackingTest {
  private static final TargetSpec CPU = new TargetSpec("cpu", 0.6, 0.1);

  private static int propose(int current, int ready, MetricValue value) {
    return TargetTracking.propose(CPU, new Observation(Obs.at(0), current, ready, Map.of("cpu", value))).instances();
  }

  @Test
  void desiredIsReadyTimesActualOverTargetRoundedUp() {
    assertThat(propose(4, 4, MetricValue.perInstance(0.92, 4))).isEqualTo(7); // 4 * 0.92 / 0.6 = 6.13
    assertThat(propose(10, 10, MetricValue.perInstance(0.3, 10))).isEqualTo(5);
  }

  @Test
  void floatingPointNoiseDoesNotAddAnInstance() {
    assertThat(propose(10, 10, MetricValue.perInstance(0.72, 10))).isEqualTo(12); // 10 * 1.2 = 12.000000000000002
  }

  @Test
  void withinTheToleranceTheCountStays() {
    assertThat(propose(10, 10, MetricValue.perInstance(0.65, 10))).isEqualTo(10);
    assertThat(propose(10, 10, MetricValue.perInstance(0.55, 10))).isEqualTo(10);
  }

  @Test
  void aMissingMetricAbstains() {
    var p = TargetTracking.propose(CPU, new Observation(Obs.at(0), 3, 3, Map.of()));
    assertThat(p.instances()).isEqualTo(-1);
    assertThat(p.detail()).isEqualTo("missing");
    assertThat(propose(3, 0, MetricValue.perInstance(0.9, 0))).as("no reporter").isEqualTo(-1);
  }

  @Test
  void startingInstancesCountAsIdleOnAScaleUp() {
    // 6 asked for, 3 ready at 1.2 (twice the target): the 3 starting will take the load
    assertThat(propose(6, 3, MetricValue.perInstance(1.2, 3))).isEqualTo(6);
    // 4 ready at 1.8 (three times): 12 needed
    assertThat(propose(6, 4, MetricValue.perInstance(1.8, 4))).isEqualTo(12);
  }

  @Test
  void startingInstancesAreKeptOnAScaleDown() {
    // 5 ready at half the target and 5 starting: Mezzo keeps the 5 starting (HPA would ask for 3)
    assertThat(propose(10, 5, MetricValue.perInstance(0.3, 5))).isEqualTo(8);
    assertThat(TargetTracking.replicas(10, 5, 5, 0.5, 0.1, false)).as("HPA").isEqualTo(3);
  }

  @Test
  void readyInstancesWithoutAValueCountAtTargetOnAScaleDownAndIdleOnAScaleUp() {
    assertThat(propose(10, 10, MetricValue.perInstance(0.3, 6))).isEqualTo(7); // 6 * 0.5 + 4 at target
    assertThat(propose(10, 10, MetricValue.perInstance(1.2, 6))).isEqualTo(12); // 6 * 2 + 4 idle: ratio 1.2
    assertThat(propose(10, 10, MetricValue.perInstance(0.9, 6))).as("fill-in within tolerance").isEqualTo(10);
  }

  @Test
  void anAppWideMetricScalesWithTheReadyCount() {
    TargetSpec queue = new TargetSpec("queue_length", 100, 0.1);
    var o = new Observation(Obs.at(0), 4, 4, Map.of("queue_length", MetricValue.appWide(300)));
    assertThat(TargetTracking.propose(queue, o).instances()).isEqualTo(12);
  }
}
