package io.mezzo.autoscaler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.autoscaler.MetricValue;
import io.mezzo.autoscaler.Observation;
import io.mezzo.autoscaler.policy.ScalingPolicy.PredictiveSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Holt-Winters forecast: silent for the first season, ahead of a seasonal rise, sane across gaps, bounded memory;
 * the ramp: ahead of a rise from the start, silent on a flat or falling load.
 */
class PredictiveTest {
  /** An hour-long season: 100 requests/s for the first half hour, 1,000 for the second. */
  static double load(long seconds) {
    return Math.floorMod(seconds, 3600) < 1800 ? 100 : 1000;
  }

  /** The load spread over {@code current} instances, as the load balancer reports it. */
  static Observation observe(long seconds, int current) {
    return new Observation(Obs.at(seconds), current, current,
        Map.of(MetricValue.REQUESTS_PER_SECOND, MetricValue.perInstance(load(seconds) / current, current)));
  }

  @Test
  void itAbstainsUntilAFullSeasonIsLearnt() {
    Predictive p = new Predictive(PredictiveSpec.of("requestsPerSecond", 100, 600, 3600), 15);
    for (long t = 0; t < 3600; t += 15) {
      p.observe(observe(t, 4));
      assertThat(p.propose(observe(t, 4)).instances()).as("at %d s", t).isEqualTo(-1);
    }
    p.observe(observe(3600, 4));
    assertThat(p.ready()).isTrue();
    assertThat(p.propose(observe(3600, 4)).instances()).isPositive();
  }

  @Test
  void itForecastsARiseOneHorizonAhead() {
    Predictive p = new Predictive(PredictiveSpec.of("requestsPerSecond", 100, 600, 3600), 15);
    for (long t = 0; t <= 3600 + 1200; t += 15) {
      p.observe(observe(t, 4));
    }
    // 20 min into the second season, load 100: the rise to 1,000 at 30 min is within 10 min
    assertThat(p.propose(observe(3600 + 1200, 4)).instances()).isBetween(9, 11);
    Predictive early = new Predictive(PredictiveSpec.of("requestsPerSecond", 100, 600, 3600), 15);
    for (long t = 0; t <= 3600 + 600; t += 15) {
      early.observe(observe(t, 4));
    }
    assertThat(early.propose(observe(3600 + 600, 4)).instances()).as("no rise within 10 min").isBetween(1, 2);
  }

  @Test
  void missingSamplesAreFilledByTheModel() {
    Predictive p = new Predictive(PredictiveSpec.of("requestsPerSecond", 100, 600, 3600), 15);
    for (long t = 0; t <= 3 * 3600; t += 15) {
      boolean outage = t > 5400 && t < 7200; // half an hour without the metric
      p.observe(outage ? Obs.none(t, 4) : observe(t, 4));
    }
    assertThat(p.propose(observe(3 * 3600, 4)).instances()).as("forecast stays sane").isBetween(1, 2);
  }

  @Test
  void itsMemoryIsBoundedBySlotsNotSamples() {
    Predictive p = new Predictive(PredictiveSpec.of("requestsPerSecond", 100, 600, 86_400), 1);
    for (long t = 0; t <= 86_400 + 3600; t += 1) {
      p.observe(observe(t, 4));
    }
    assertThat(p.ready()).as("1,440 slots of 60 s filled").isTrue();
  }

  /** {@code total} requests/s spread over 10 instances. */
  static Observation total(long seconds, double total) {
    return new Observation(Obs.at(seconds), 10, 10,
        Map.of(MetricValue.REQUESTS_PER_SECOND, MetricValue.perInstance(total / 10, 10)));
  }

  @Test
  void theRampForecastsARisingLoadOneHorizonAheadBeforeAnySeasonIsLearnt() {
    Predictive p = new Predictive(PredictiveSpec.of("requestsPerSecond", 100, 90, 86_400).withRamp(60), 15);
    // 1,000 requests/s rising by 4 a second: in 90 s it will be 1,360 more than the latest sample
    for (long t = 0; t <= 60; t += 15) {
      p.observe(total(t, 1000 + 4 * t));
    }
    assertThat(p.ready()).isFalse();
    var proposal = p.propose(total(60, 1240));
    assertThat(proposal.instances()).isEqualTo(16); // (1,240 + 360) / 100
    assertThat(proposal.detail()).startsWith("ramp forecast 1600");
  }

  @Test
  void theRampAbstainsOnAFlatOrFallingLoadAndWithTooFewSamples() {
    Predictive flat = new Predictive(PredictiveSpec.of("requestsPerSecond", 100, 90, 86_400).withRamp(60), 15);
    Predictive falling = new Predictive(PredictiveSpec.of("requestsPerSecond", 100, 90, 86_400).withRamp(60), 15);
    Predictive young = new Predictive(PredictiveSpec.of("requestsPerSecond", 100, 90, 86_400).withRamp(60), 15);
    for (long t = 0; t <= 600; t += 15) {
      flat.observe(total(t, 1000));
      falling.observe(total(t, 2000 - t));
    }
    young.observe(total(0, 1000));
    young.observe(total(15, 1500));
    assertThat(flat.propose(total(600, 1000)).instances()).isEqualTo(-1);
    assertThat(falling.propose(total(600, 1400)).instances()).isEqualTo(-1);
    assertThat(young.propose(total(15, 1500)).instances()).as("two samples are no ramp").isEqualTo(-1);
  }

  @Test
  void theRampIgnoresAWobbleThatIsNotARise() {
    Predictive p = new Predictive(PredictiveSpec.of("requestsPerSecond", 100, 90, 86_400).withRamp(45), 15);
    // a slope of 0.33 requests/s a second, but with a standard error of 3.7: noise
    p.observe(total(0, 1000));
    p.observe(total(15, 1100));
    p.observe(total(30, 1010));
    assertThat(p.propose(total(30, 1010)).instances()).isEqualTo(-1);
  }

  @Test
  void theRampOnlySeesItsWindow() {
    Predictive p = new Predictive(PredictiveSpec.of("requestsPerSecond", 100, 90, 86_400).withRamp(60), 15);
    for (long t = 0; t <= 600; t += 15) {
      p.observe(total(t, t < 300 ? 100 + 10 * t : 3000)); // a steep rise, then flat for five minutes
    }
    assertThat(p.propose(total(600, 3000)).instances()).as("the old rise is out of the window").isEqualTo(-1);
  }

  @Test
  void withoutARampNothingIsProposedBeforeASeason() {
    Predictive p = new Predictive(PredictiveSpec.of("requestsPerSecond", 100, 90, 86_400), 15);
    for (long t = 0; t <= 60; t += 15) {
      p.observe(total(t, 1000 + 4 * t));
    }
    assertThat(p.propose(total(60, 1240)).instances()).isEqualTo(-1);
  }
}
