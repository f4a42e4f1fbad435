package io.mezzo.autoscaler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.autoscaler.Decision;
import io.mezzo.autoscaler.MetricValue;
import io.mezzo.autoscaler.Observation;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Mezzo's scaler composing the policies, and the explanation in each decision. */
class PolicyScalerTest {
  private static ScalingPolicy policy(String json) {
    return ScalingPolicy.parse(json);
  }

  @Test
  void severalMetricsTakeTheLargestAndEveryProposalIsListed() {
    PolicyScaler scaler = new PolicyScaler(policy("{\"maxInstances\": 20, \"metrics\": [{\"name\": \"cpu\","
        + " \"target\": 0.6}, {\"name\": \"requestsPerSecond\", \"target\": 100}]}"));
    Decision d = scaler.evaluate(new Observation(Obs.at(0), 4, 4, Map.of(
        "cpu", MetricValue.perInstance(0.92, 4), "requestsPerSecond", MetricValue.perInstance(180, 4))));
    assertThat(d.desired()).isEqualTo(8);
    assertThat(d.proposals()).extracting(Decision.Proposal::policy, Decision.Proposal::instances)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("targetTracking cpu", 7),
            org.assertj.core.groups.Tuple.tuple("targetTracking requestsPerSecond", 8));
    assertThat(d.limitedBy()).isNull();
    assertThat(d.reason()).isEqualTo("targetTracking requestsPerSecond 180 over target 100 on 4 reporting: 8 -> 8");
  }

  @Test
  void aMissingMetricNeverCausesAScaleDown() {
    PolicyScaler scaler = new PolicyScaler(policy("{\"maxInstances\": 20, \"metrics\": [{\"name\": \"cpu\","
        + " \"target\": 0.6}, {\"name\": \"requestsPerSecond\", \"target\": 100}],"
        + " \"behavior\": {\"scaleDown\": {\"stabilizationWindowSeconds\": 0}}}"));
    Decision d = scaler.evaluate(new Observation(Obs.at(0), 8, 8, Map.of("cpu", MetricValue.perInstance(0.1, 8))));
    assertThat(d.desired()).isEqualTo(8);
    assertThat(d.limitedBy()).isEqualTo("missing requestsPerSecond: no scale-down");
    Decision up = scaler.evaluate(new Observation(Obs.at(15), 8, 8, Map.of("cpu", MetricValue.perInstance(0.9, 8))));
    assertThat(up.desired()).as("but a scale-up goes ahead").isEqualTo(12);
    Decision down = scaler.evaluate(new Observation(Obs.at(30), 12, 12, Map.of(
        "cpu", MetricValue.perInstance(0.1, 12), "requestsPerSecond", MetricValue.perInstance(10, 12))));
    assertThat(down.desired()).as("both present again").isEqualTo(2);
  }

  @Test
  void noMetricAtAllHoldsTheCount() {
    PolicyScaler scaler = new PolicyScaler(ScalingPolicy.targetTracking("cpu", 0.6, 1, 10));
    Decision d = scaler.evaluate(Obs.none(0, 5));
    assertThat(d.desired()).isEqualTo(5);
    assertThat(d.reason()).startsWith("no metric answered");
  }

  @Test
  void theScaleDownWaitsForItsStabilizationWindow() {
    PolicyScaler scaler = new PolicyScaler(ScalingPolicy.targetTracking("cpu", 0.5, 1, 10));
    assertThat(scaler.evaluate(Obs.of(0, 8, "cpu", 0.5)).desired()).isEqualTo(8);
    for (long t = 15; t < 300; t += 15) {
      Decision d = scaler.evaluate(Obs.of(t, 8, "cpu", 0.1));
      assertThat(d.desired()).as("at %d s", t).isEqualTo(8);
      assertThat(d.limitedBy()).isEqualTo("scaleDown stabilization window 300s");
    }
    assertThat(scaler.evaluate(Obs.of(300, 8, "cpu", 0.1)).desired()).isEqualTo(2);
  }

  @Test
  void predictionsRaiseTheCountBeforeARiseButNeverLowerIt() {
    PolicyScaler scaler = new PolicyScaler(policy("{\"maxInstances\": 30, \"metrics\": [{\"name\":"
        + " \"requestsPerSecond\", \"target\": 100}], \"predictive\": {\"metric\": \"requestsPerSecond\","
        + " \"horizonSeconds\": 600, \"seasonSeconds\": 3600}}"));
    int count = 1;
    Decision beforeRise = null;
    Decision beforeFall = null;
    for (long t = 0; t <= 2 * 3600; t += 15) {
      Decision d = scaler.evaluate(PredictiveTest.observe(t, count));
      int reactive = d.proposals().get(0).instances();
      assertThat(d.desired()).as("at %d s", t).isGreaterThanOrEqualTo(Math.min(reactive, count));
      if (t == 3600 + 1500) {
        beforeRise = d;
      }
      if (t == 3600 + 3300) {
        beforeFall = d;
      }
      count = d.desired();
    }
    assertThat(beforeRise.proposals().get(0).instances()).as("reactive: load 100").isLessThanOrEqualTo(2);
    assertThat(beforeRise.desired()).as("predictive, 5 min before the rise").isGreaterThanOrEqualTo(9);
    assertThat(beforeRise.reason()).startsWith("predictive requestsPerSecond forecast");
    assertThat(beforeFall.proposals().get(1).instances()).as("forecast: the fall").isLessThan(3);
    assertThat(beforeFall.desired()).as("reactive keeps serving the load").isGreaterThanOrEqualTo(10);
  }

  @Test
  void aScheduledMinimumAppliesAtOnceAndLapsesWithItsWindow() {
    PolicyScaler scaler = new PolicyScaler(policy("{\"maxInstances\": 10, \"metrics\": [{\"name\": \"cpu\","
        + " \"target\": 0.5}], \"schedules\": [{\"name\": \"morning\", \"from\": \"00:10\", \"to\": \"00:20\","
        + " \"minInstances\": 6}]}"));
    assertThat(scaler.evaluate(Obs.of(0, 1, "cpu", 0.5)).desired()).isEqualTo(1);
    Decision opening = scaler.evaluate(Obs.of(600, 1, "cpu", 0.5));
    assertThat(opening.desired()).as("not rate limited").isEqualTo(6);
    assertThat(opening.proposals()).extracting(Decision.Proposal::policy).containsExactly("targetTracking cpu",
        "schedule morning");
    assertThat(scaler.evaluate(Obs.of(1185, 6, "cpu", 0.05)).desired()).isEqualTo(6);
    assertThat(scaler.evaluate(Obs.of(1200, 6, "cpu", 0.05)).desired())
        .as("window closed: down to what the load asked all along").isEqualTo(1);
  }

  @Test
  void stepRulesAndTargetsCombine() {
    PolicyScaler scaler = new PolicyScaler(policy("{\"maxInstances\": 20, \"metrics\": [{\"name\": \"cpu\","
        + " \"target\": 0.5}], \"steps\": [{\"metric\": \"latencyP95Ms\", \"thresholds\": [{\"above\": 500,"
        + " \"change\": 3}]}]}"));
    Decision d = scaler.evaluate(new Observation(Obs.at(0), 4, 4, Map.of("cpu", MetricValue.perInstance(0.5, 4),
        "latencyP95Ms", MetricValue.appWide(900))));
    assertThat(d.desired()).isEqualTo(7);
    assertThat(d.reason()).isEqualTo("step latencyP95Ms 900 above 500: 7 -> 7");
  }

  @Test
  void aCooldownFollowsEachChange() {
    PolicyScaler scaler = new PolicyScaler(ScalingPolicy.targetTracking("cpu", 0.5, 1, 20)
        .withBehavior(ScalingPolicy.BehaviorSpec.defaults(), 60));
    assertThat(scaler.evaluate(Obs.of(0, 2, "cpu", 1.0)).desired()).isEqualTo(4);
    Decision held = scaler.evaluate(Obs.of(15, 4, "cpu", 1.0));
    assertThat(held.desired()).isEqualTo(4);
    assertThat(held.limitedBy()).isEqualTo("cooldown 60s (last change 15s ago)");
    assertThat(held.reason()).endsWith("; cooldown 60s (last change 15s ago) -> 4");
    assertThat(scaler.evaluate(Obs.of(60, 4, "cpu", 1.0)).desired()).isEqualTo(8);
  }

  @Test
  void aSuspendedAppStaysSuspended() {
    Decision d = ScalingPolicy.targetTracking("cpu", 0.5, 2, 10).scaler().evaluate(Obs.none(0, 0));
    assertThat(d.desired()).isZero();
    assertThat(d.limitedBy()).isEqualTo("suspended");
  }

  @Test
  void theHistoryStaysBounded() {
    PolicyScaler scaler = new PolicyScaler(ScalingPolicy.targetTracking("cpu", 0.5, 1, 20));
    int count = 1;
    for (long t = 0; t < 100_000; t += 1) {
      count = scaler.evaluate(Obs.of(t, count, "cpu", t % 600 < 300 ? 1.0 : 0.1)).desired();
    }
    assertThat(scaler.historySize()).isLessThanOrEqualTo(2 * 301);
  }
}
