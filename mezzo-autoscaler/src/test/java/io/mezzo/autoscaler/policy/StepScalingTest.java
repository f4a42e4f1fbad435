package io.mezzo.autoscaler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.autoscaler.MetricValue;
import io.mezzo.autoscaler.Observation;
import io.mezzo.autoscaler.policy.ScalingPolicy.Side;
import io.mezzo.autoscaler.policy.ScalingPolicy.StepSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.ThresholdSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.Unit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Step scaling: which threshold wins, strict bounds, percent steps, missing metrics. */
class StepScalingTest {
  private static final StepSpec STEPS = new StepSpec("latencyP95Ms", List.of(
      new ThresholdSpec(Side.ABOVE, 100, Unit.INSTANCES, 2),
      new ThresholdSpec(Side.ABOVE, 200, Unit.PERCENT, 50),
      new ThresholdSpec(Side.BELOW, 20, Unit.INSTANCES, -1)));

  private static int propose(int current, double latency) {
    return StepScaling.propose(STEPS, new Observation(Obs.at(0), current, current,
        Map.of("latencyP95Ms", MetricValue.appWide(latency)))).instances();
  }

  @Test
  void theThresholdAskingForMostWins() {
    assertThat(propose(10, 150)).isEqualTo(12);
    assertThat(propose(10, 250)).isEqualTo(15);
    assertThat(propose(2, 250)).as("+2 beats +50% of 2").isEqualTo(4);
  }

  @Test
  void belowAThresholdTheCountFalls() {
    assertThat(propose(10, 10)).isEqualTo(9);
  }

  @Test
  void betweenThresholdsTheCountStays() {
    assertThat(propose(10, 50)).isEqualTo(10);
    assertThat(propose(10, 100)).as("'above' is strict").isEqualTo(10);
  }

  @Test
  void aPercentStepMovesByAtLeastOne() {
    assertThat(new ThresholdSpec(Side.BELOW, 1, Unit.PERCENT, -10).apply(3)).isEqualTo(2);
    assertThat(new ThresholdSpec(Side.ABOVE, 1, Unit.PERCENT, 10).apply(3)).isEqualTo(4);
  }

  @Test
  void aMissingMetricAbstains() {
    assertThat(StepScaling.propose(STEPS, Obs.none(0, 3)).instances()).isEqualTo(-1);
  }
}
