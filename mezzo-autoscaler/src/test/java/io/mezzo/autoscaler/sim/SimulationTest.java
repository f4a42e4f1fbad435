package io.mezzo.autoscaler.sim;

import static io.mezzo.autoscaler.sim.TestScalers.fixed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mezzo.autoscaler.Decision;
import io.mezzo.autoscaler.MetricValue;
import io.mezzo.autoscaler.Observation;
import io.mezzo.autoscaler.Scaler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulator's accounting (instance-hours, SLO violation, SPEC metrics), start-up delay, scale-in order and the metrics scalers see. */
class SimulationTest {
  private static final InstanceModel MODEL = InstanceModel.defaults();
  private static final double PER_INSTANCE = MODEL.sustainableRps();

  /** An hour at a constant rate. */
  private static Trace constant(double rps) {
    return Trace.of("constant", new double[] {0, 3600}, new double[] {rps, rps});
  }

  private static Simulation.Config config(int initial) {
    return Simulation.Config.of(MODEL).withInitialInstances(initial);
  }

  /** Asks for each count in turn, then keeps the last. */
  private static Scaler sequence(int... counts) {
    int[] call = {0};
    return o -> {
      int desired = counts[Math.min(call[0]++, counts.length - 1)];
      return new Decision(o.now(), o.current(), desired, List.of(), null, "sequence");
    };
  }

  @Test
  void fixedCountOnAConstantTraceCostsExactlyCountTimesHours() {
    Report report = Simulation.run(constant(2.5 * PER_INSTANCE), config(3), fixed(3));
    assertThat(report.instanceHours()).isEqualTo(3.0);
    assertThat(report.simulatedHours()).isEqualTo(1.0);
    assertThat(report.scalingActions()).isZero();
    assertThat(report.sloViolationFraction()).isZero();
    assertThat(report.underProvisioningAccuracy()).isZero();
    assertThat(report.overProvisioningAccuracy()).isZero();
    assertThat(report.underProvisioningTimeshare()).isZero();
    assertThat(report.overProvisioningTimeshare()).isZero();
    assertThat(report.instability()).isZero();
  }

  @Test
  void scaleOutIsPaidFromTheAskAndServesAfterTheStartupDelay() {
    // 3 ready from the start; 5 asked for at the first evaluation (15 s), ready at 75 s
    Report report = Simulation.run(constant(2.5 * PER_INSTANCE), config(3), fixed(5));
    assertThat(report.instanceHours()).isCloseTo((3 * 15 + 5 * (3600 - 15)) / 3600.0, within(1e-12));
    assertThat(report.scalingActions()).isEqualTo(1);
    double overSteps = (3600 - 75) / 5.0;
    assertThat(report.overProvisioningTimeshare()).isCloseTo(100 * overSteps / 720, within(1e-9));
    assertThat(report.overProvisioningAccuracy()).isCloseTo(100 * overSteps / 720 * 2 / 3, within(1e-9));
  }

  @Test
  void underProvisionedFixedCountViolatesTheSloForTheShareOfTimeItIsShort() {
    // 4 needed for the first half hour, 2 for the second; 3 throughout
    Trace step = Trace.of("step", new double[] {0, 1795, 1800, 3600},
        new double[] {3.5 * PER_INSTANCE, 3.5 * PER_INSTANCE, 1.5 * PER_INSTANCE, 1.5 * PER_INSTANCE});
    Report report = Simulation.run(step, config(3), fixed(3));
    assertThat(report.sloViolationFraction()).isEqualTo(0.5);
    assertThat(report.underProvisioningTimeshare()).isCloseTo(50, within(1e-9));
    assertThat(report.underProvisioningAccuracy()).isCloseTo(100 * 0.5 * (1 / 4.0), within(1e-9));
    assertThat(report.overProvisioningTimeshare()).isCloseTo(50, within(1e-9));
    assertThat(report.overProvisioningAccuracy()).isCloseTo(100 * 0.5 * (1 / 2.0), within(1e-9));
    // demand moved once while supply stayed: one step of 719
    assertThat(report.instability()).isCloseTo(100.0 / 719, within(1e-9));
  }

  @Test
  void startupDelayDelaysCapacity() {
    TestScalers.Recording scaler = new TestScalers.Recording(fixed(4));
    Report report = Simulation.run(constant(3.5 * PER_INSTANCE), config(2), scaler);
    List<Integer> ready = scaler.observations.stream().limit(6).map(Observation::ready).toList();
    List<Integer> current = scaler.observations.stream().limit(6).map(Observation::current).toList();
    // evaluations at 15, 30, 45, 60, 75, 90 s; the two asked for at 15 s are ready at 75 s
    assertThat(ready).containsExactly(2, 2, 2, 2, 4, 4);
    assertThat(current).containsExactly(2, 4, 4, 4, 4, 4);
    assertThat(report.sloViolationFraction()).isCloseTo(15 / 720.0, within(1e-12));

    InstanceModel instant = InstanceModel.of(MODEL.capacityRps(), MODEL.serviceTime(), Duration.ZERO, MODEL.slo());
    Report noDelay = Simulation.run(constant(3.5 * PER_INSTANCE),
        Simulation.Config.of(instant).withInitialInstances(2), fixed(4));
    assertThat(noDelay.sloViolationFraction()).isCloseTo(3 / 720.0, within(1e-12));
  }

  @Test
  void scaleInCancelsStartingInstancesBeforeReadyOnes() {
    // 3 ready; ask 5 at 15 s, back to 3 at 30 s: the two starting ones go, the three ready stay
    TestScalers.Recording scaler = new TestScalers.Recording(sequence(5, 3));
    Report report = Simulation.run(constant(2.5 * PER_INSTANCE), config(3), scaler);
    assertThat(report.sloViolationFraction()).isZero();
    assertThat(report.instanceHours()).isCloseTo((3 * 720 + 2 * 3) * 5 / 3600.0, within(1e-12));
    assertThat(report.scalingActions()).isEqualTo(2);
    assertThat(scaler.observations.get(2).ready()).isEqualTo(3);
  }

  @Test
  void scalerSeesUtilisationRateInFlightAndLatencyOfTheReadyInstances() {
    TestScalers.Recording scaler = new TestScalers.Recording(fixed(3));
    Simulation.run(constant(150), config(3), scaler);
    Observation first = scaler.observations.get(0);
    assertThat(first.now()).isEqualTo(Instant.EPOCH.plusSeconds(15));
    assertThat(first.current()).isEqualTo(3);
    assertThat(first.ready()).isEqualTo(3);
    assertThat(first.metric(MetricValue.CPU)).isEqualTo(MetricValue.perInstance(0.5, 3));
    assertThat(first.metric(MetricValue.REQUESTS_PER_SECOND).value()).isCloseTo(50, within(1e-9));
    assertThat(first.metric(MetricValue.IN_FLIGHT).value()).isCloseTo(MODEL.inFlight(50), within(1e-9));
    assertThat(first.metric(MetricValue.LATENCY_P95_MS)).isEqualTo(MetricValue.appWide(MODEL.p95Millis(50)));
    assertThat(scaler.observations).hasSize(239);
  }

  @Test
  void saturatedInstancesReportFullCpuAndTheLatencyCap() {
    TestScalers.Recording scaler = new TestScalers.Recording(fixed(1));
    Report report = Simulation.run(constant(2 * MODEL.capacityRps()), config(1), scaler);
    Observation first = scaler.observations.get(0);
    assertThat(first.metric(MetricValue.CPU).value()).isEqualTo(1.0);
    assertThat(first.metric(MetricValue.LATENCY_P95_MS).value()).isEqualTo(MODEL.latencyCapMs());
    assertThat(report.sloViolationFraction()).isEqualTo(1.0);
  }

  @Test
  void noMetricIsReportedWhileNoInstanceIsReady() {
    TestScalers.Recording scaler = new TestScalers.Recording(fixed(0));
    Report report = Simulation.run(constant(10), config(0), scaler);
    assertThat(scaler.observations.get(0).metrics()).isEmpty();
    assertThat(report.sloViolationFraction()).isEqualTo(1.0);
    assertThat(report.instanceHours()).isZero();
  }

  @Test
  void aFlappingScalerIsUnstableOnASteadyLoad() {
    InstanceModel instant = InstanceModel.of(MODEL.capacityRps(), MODEL.serviceTime(), Duration.ZERO, MODEL.slo());
    int[] call = {0};
    Scaler flapping = o -> new Decision(o.now(), o.current(), call[0]++ % 2 == 0 ? 4 : 3, List.of(), null, "flap");
    Report report = Simulation.run(constant(2.5 * PER_INSTANCE), Simulation.Config.of(instant).withInitialInstances(3),
        flapping);
    // supply moves every third step while demand stays
    assertThat(report.instability()).isCloseTo(100.0 * 239 / 719, within(1e-9));
    assertThat(report.scalingActions()).isEqualTo(239);
  }

  @Test
  void warmStartBeginsWithWhatTheFirstStartupDelayNeeds() {
    Trace rising = Trace.of("rising", new double[] {0, 30, 3600},
        new double[] {PER_INSTANCE, 4 * PER_INSTANCE, 4 * PER_INSTANCE});
    TestScalers.Recording scaler = new TestScalers.Recording(fixed(4));
    Report report = Simulation.run(rising, Simulation.Config.of(MODEL), scaler);
    assertThat(scaler.observations.get(0).ready()).isEqualTo(4);
    assertThat(report.sloViolationFraction()).isZero();
  }

  @Test
  void scalersSeeTheTracesOwnClockWhenAStartIsGiven() {
    Instant kickOff = Instant.parse("1998-04-30T21:30:00Z");
    TestScalers.Recording scaler = new TestScalers.Recording(fixed(3));
    Simulation.run(constant(100), config(3).withStart(kickOff), scaler);
    assertThat(scaler.observations.get(0).now()).isEqualTo(kickOff.plusSeconds(15));
    assertThat(scaler.observations.get(scaler.observations.size() - 1).now()).isEqualTo(kickOff.plusSeconds(3585));
  }

  @Test
  void anAbsurdCountFromTheScalerIsReportedAsItsBug() {
    assertThatThrownBy(() -> Simulation.run(constant(100), config(3), fixed(Integer.MAX_VALUE)))
        .hasMessage("desired: 2147483647 at 1970-01-01T00:00:15Z (expected: <= 100000, the most the simulator runs)");
  }
}
