package io.mezzo.autoscaler.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.autoscaler.Scaler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The whole 87-day World Cup 98 trace, rescaled to a peak of 20 instances, through a naive scaler and the oracle. */
class WorldCupReplayTest {
  @Test
  void wholeWorldCupTraceReplaysWithSaneResults() {
    InstanceModel model = InstanceModel.defaults();
    Trace trace = Trace.bundled("worldcup98.csv").rescaledToPeak(20, model.sustainableRps());
    Simulation.Config config = Simulation.Config.of(model);
    Map<String, Supplier<Scaler>> scalers = new LinkedHashMap<>();
    scalers.put("proportional", () -> TestScalers.proportional(0.6));
    Comparison comparison = Comparison.run(trace, config, scalers, true);
    System.out.println(comparison.table());
    System.out.println(comparison.json());

    Report naive = comparison.reports().get("proportional");
    Report oracle = comparison.reports().get(Comparison.ORACLE);
    double demandHours = 0;
    for (int d : config.demand(trace)) {
      demandHours += d * config.step().toMillis() / 3_600_000.0;
    }
    assertThat(oracle.simulatedHours()).isBetween(86 * 24.0, 88 * 24.0);
    assertThat(oracle.sloViolationFraction()).isZero();
    assertThat(oracle.instanceHours()).isBetween(demandHours, 1.2 * demandHours);
    assertThat(naive.instanceHours()).isGreaterThan(oracle.instanceHours()).isLessThan(20 * oracle.simulatedHours());
    assertThat(naive.sloViolationFraction()).isBetween(0.0, 0.2);
    assertThat(naive.scalingActions()).isPositive();
  }
}
