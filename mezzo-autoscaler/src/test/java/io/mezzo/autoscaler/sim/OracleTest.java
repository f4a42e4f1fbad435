package io.mezzo.autoscaler.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The oracle: never violates, asks exactly one start-up delay ahead, bridges short dips, beats every fixed count that meets the SLO. */
class OracleTest {
  private static final InstanceModel MODEL = InstanceModel.defaults();
  private static final double PER_INSTANCE = MODEL.sustainableRps();

  /** An hour needing 2 instances, an hour needing 6, an hour needing 2. */
  private static Trace stepUpAndDown() {
    double low = 1.5 * PER_INSTANCE;
    double high = 5.5 * PER_INSTANCE;
    return Trace.of("step", new double[] {0, 3595, 3600, 7195, 7200, 10800},
        new double[] {low, low, high, high, low, low});
  }

  @Test
  void oracleNeverViolatesTheSloOnAStepTrace() {
    Report report = Oracle.run(stepUpAndDown(), Simulation.Config.of(MODEL));
    assertThat(report.sloViolationFraction()).isZero();
    assertThat(report.underProvisioningTimeshare()).isZero();
    Report later = Oracle.run(stepUpAndDown(), Simulation.Config.of(MODEL).withStart(Instant.parse("2016-01-01T00:00:00Z")));
    assertThat(later).isEqualTo(report);
  }

  @Test
  void oracleAsksExactlyOneStartupDelayAheadAndReleasesAtOnce() {
    Report report = Oracle.run(stepUpAndDown(), Simulation.Config.of(MODEL));
    // two instances for three hours; four more from 60 s before the second hour to its end
    assertThat(report.instanceHours()).isCloseTo(2 * 3 + 4 * (3600 + 60) / 3600.0, within(1e-9));
    assertThat(report.scalingActions()).isEqualTo(2);
    // over-provisioned only while the four extra start (they are not ready, so supply is not over)
    assertThat(report.overProvisioningTimeshare()).isZero();
  }

  @Test
  void oracleCostsLessThanAnyFixedCountThatAlsoNeverViolates() {
    Trace trace = stepUpAndDown();
    Simulation.Config config = Simulation.Config.of(MODEL);
    Report oracle = Oracle.run(trace, config);
    int meeting = 0;
    for (int count = 1; count <= 10; count++) {
      Report fixed = Simulation.run(trace, config.withInitialInstances(count), TestScalers.fixed(count));
      if (fixed.sloViolationFraction() == 0) {
        meeting++;
        assertThat(oracle.instanceHours()).as("fixed %s", count).isLessThan(fixed.instanceHours());
      }
    }
    assertThat(meeting).as("fixed counts that meet the SLO").isEqualTo(5);
  }

  @Test
  void shortDipsAreBridgedRatherThanReleasedAndAskedAgain() {
    // 4 needed, then 2 for 40 s (shorter than the 60 s start-up), then 4 again
    double two = 1.5 * PER_INSTANCE;
    double four = 3.5 * PER_INSTANCE;
    Trace dip = Trace.of("dip", new double[] {0, 1795, 1800, 1835, 1840, 3600},
        new double[] {four, four, two, two, four, four});
    Report report = Oracle.run(dip, Simulation.Config.of(MODEL));
    assertThat(report.instanceHours()).isCloseTo(4.0, within(1e-9));
    assertThat(report.scalingActions()).isZero();
    assertThat(report.sloViolationFraction()).isZero();

    // the same dip with instant start-up: releasing is free, so it releases
    InstanceModel instant = InstanceModel.of(MODEL.capacityRps(), MODEL.serviceTime(), Duration.ZERO, MODEL.slo());
    Report released = Oracle.run(dip, Simulation.Config.of(instant));
    assertThat(released.instanceHours()).isCloseTo(4.0 - 2 * 40 / 3600.0, within(1e-9));
    assertThat(released.sloViolationFraction()).isZero();
  }

  @Test
  void oraclePlanPaysForDemandPlusStartsOnTheSyntheticTrace() {
    Trace trace = Trace.synthetic(5, 2).rescaledToPeak(12, PER_INSTANCE);
    Simulation.Config config = Simulation.Config.of(MODEL);
    int[] demand = config.demand(trace);
    int[] plan = Oracle.plan(trace, config);
    for (int i = 0; i < plan.length; i++) {
      assertThat(plan[i]).isGreaterThanOrEqualTo(demand[i]);
    }
    Report report = Oracle.run(trace, config);
    assertThat(report.sloViolationFraction()).isZero();
    double demandHours = 0;
    for (int d : demand) {
      demandHours += d * 5 / 3600.0;
    }
    assertThat(report.instanceHours()).isBetween(demandHours, 1.1 * demandHours);
  }
}
