package io.mezzo.autoscaler.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The oracle and the queueing forms over generated traces and loads. */
class OracleProperties {
  private static final InstanceModel BASE = InstanceModel.defaults();

  /** A trace of one-minute samples, each needing the given number of instances (0 meaning a trickle). */
  private static Trace trace(int[] levels) {
    double[] t = new double[levels.length + 1];
    double[] rps = new double[levels.length + 1];
    for (int i = 0; i <= levels.length; i++) {
      t[i] = 60.0 * i;
      rps[i] = Math.max(0.5, (levels[Math.min(i, levels.length - 1)] - 0.5)) * BASE.sustainableRps();
    }
    return Trace.of("generated", t, rps);
  }

  @Property(tries = 60)
  void oracleMeetsTheSloAndCostsBetweenDemandAndTheFixedPeak(
      @ForAll @Size(min = 2, max = 40) int[] levelsRaw, @ForAll @IntRange(min = 0, max = 180) int startupSeconds) {
    int[] levels = new int[levelsRaw.length];
    for (int i = 0; i < levels.length; i++) {
      levels[i] = Math.floorMod(levelsRaw[i], 9);
    }
    InstanceModel model = InstanceModel.of(BASE.capacityRps(), BASE.serviceTime(), Duration.ofSeconds(startupSeconds),
        BASE.slo());
    Simulation.Config config = Simulation.Config.of(model);
    Trace trace = trace(levels);
    int[] demand = config.demand(trace);
    int[] plan = Oracle.plan(trace, config);
    Report oracle = Oracle.run(trace, config);

    int peak = 0;
    double demandHours = 0;
    for (int i = 0; i < demand.length; i++) {
      peak = Math.max(peak, demand[i]);
      demandHours += demand[i] * 5 / 3600.0;
      assertThat(plan[i]).isGreaterThanOrEqualTo(demand[i]);
    }
    assertThat(oracle.sloViolationFraction()).isZero();
    assertThat(oracle.instanceHours()).isGreaterThanOrEqualTo(demandHours - 1e-9);
    Report fixedPeak = Simulation.run(trace, config.withInitialInstances(peak), TestScalers.fixed(peak));
    assertThat(fixedPeak.sloViolationFraction()).isZero();
    assertThat(oracle.instanceHours()).isLessThanOrEqualTo(fixedPeak.instanceHours() + 1e-9);
  }

  @Property(tries = 200)
  void p95IsWhereTheResponseTailCrossesFivePercent(@ForAll @IntRange(min = 1, max = 64) int k,
      @ForAll @IntRange(min = 0, max = 990) int permille) {
    double mu = 10;
    double lambda = k * mu * permille / 1000.0;
    double p95 = Queueing.responsePercentile(k, mu, lambda, 0.95);
    assertThat(Queueing.responseTail(k, mu, lambda, p95)).isCloseTo(0.05, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(p95).isGreaterThanOrEqualTo(Math.log(20) / mu - 1e-12);
  }
}
