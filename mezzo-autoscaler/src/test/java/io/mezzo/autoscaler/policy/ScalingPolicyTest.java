package io.mezzo.autoscaler.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.autoscaler.policy.ScalingPolicy.RateSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.RateType;
import io.mezzo.autoscaler.policy.ScalingPolicy.Select;
import io.mezzo.autoscaler.policy.ScalingPolicy.Side;
import io.mezzo.autoscaler.policy.ScalingPolicy.Unit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading, checking and writing the {@code autoscaling} JSON: defaults, every field, and problems that name path, value and expectation. */
class ScalingPolicyTest {
  private static PolicyException failure(String json) {
    try {
      ScalingPolicy.parse(json);
    } catch (PolicyException e) {
      return e;
    }
    throw new AssertionError("parsed: " + json);
  }

  @Test
  void defaultsAreKubernetesOnes() {
    ScalingPolicy p = ScalingPolicy.parse("{\"maxInstances\": 10, \"metrics\": [{\"name\": \"cpu\", \"target\": 0.6}]}");
    assertThat(p.minInstances()).isEqualTo(1);
    assertThat(p.metrics().get(0).tolerance()).isEqualTo(0.1);
    assertThat(p.cooldownSeconds()).isZero();
    assertThat(p.cpuInitializationSeconds()).isEqualTo(300);
    assertThat(p.evaluationSeconds()).isEqualTo(15);
    assertThat(p.behavior().scaleUp().stabilizationWindowSeconds()).isZero();
    assertThat(p.behavior().scaleUp().policies()).containsExactly(new RateSpec(RateType.PERCENT, 100, 15),
        new RateSpec(RateType.INSTANCES, 4, 15));
    assertThat(p.behavior().scaleUp().selectPolicy()).isEqualTo(Select.MAX);
    assertThat(p.behavior().scaleDown().stabilizationWindowSeconds()).isEqualTo(300);
    assertThat(p.behavior().scaleDown().policies()).containsExactly(new RateSpec(RateType.PERCENT, 100, 15));
    assertThat(p.predictive()).isNull();
  }

  @Test
  void everyPartIsRead() {
    ScalingPolicy p = ScalingPolicy.parse("""
        {"id": "/web", "autoscaling": {
          "minInstances": 2, "maxInstances": 20,
          "metrics": [{"name": "requestsPerSecond", "target": 100, "tolerance": 0.05}, {"name": "queue_depth", "target": 30}],
          "steps": [{"metric": "latencyP95Ms", "thresholds": [{"above": 100, "change": 2},
              {"above": 200, "changePercent": 50}, {"below": 20, "change": -1}]}],
          "schedules": [{"name": "office", "days": ["MON", "tue", "WEDNESDAY"], "from": "08:00", "to": "18:00",
              "zone": "Europe/Paris", "minInstances": 4}],
          "predictive": {"metric": "requestsPerSecond", "horizonSeconds": 300, "seasonSeconds": 3600},
          "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60, "selectPolicy": "Min",
              "policies": [{"type": "Pods", "value": 1, "periodSeconds": 30}, {"type": "Percent", "value": 10, "periodSeconds": 60}]}},
          "cooldownSeconds": 30, "cpuInitializationSeconds": 120, "evaluationSeconds": 10}}
        """);
    assertThat(p.minInstances()).isEqualTo(2);
    assertThat(p.metrics()).hasSize(2);
    assertThat(p.steps().get(0).thresholds()).extracting(t -> t.side(), t -> t.bound(), t -> t.unit(), t -> t.change())
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Side.ABOVE, 100.0, Unit.INSTANCES, 2.0),
            org.assertj.core.groups.Tuple.tuple(Side.ABOVE, 200.0, Unit.PERCENT, 50.0),
            org.assertj.core.groups.Tuple.tuple(Side.BELOW, 20.0, Unit.INSTANCES, -1.0));
    var s = p.schedules().get(0);
    assertThat(s.days()).containsExactlyInAnyOrder(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY);
    assertThat(s.from()).isEqualTo(LocalTime.of(8, 0));
    assertThat(s.zone()).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(p.predictive().target()).as("taken from the metrics entry").isEqualTo(100);
    assertThat(p.behavior().scaleUp()).isEqualTo(ScalingPolicy.DirectionSpec.defaultScaleUp());
    assertThat(p.behavior().scaleDown().policies().get(0)).isEqualTo(new RateSpec(RateType.INSTANCES, 1, 30));
    assertThat(p.behavior().scaleDown().selectPolicy()).isEqualTo(Select.MIN);
    assertThat(p.cooldownSeconds()).isEqualTo(30);
  }

  @Test
  void errorsNameThePathTheValueAndWhatWasExpected() {
    PolicyException e = failure("{\"maxInstances\": 10, \"metrics\": [{\"name\": \"cpu\", \"target\": -1}]}");
    assertThat(e.problems()).containsExactly("autoscaling.metrics[0].target: -1 (expected: > 0)");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    PolicyException e = failure("""
        {"minInstances": 0, "maxInsances": 3,
         "metrics": [{"name": "cpu", "target": "high", "tolerance": 1.5}, {"name": "cpu", "target": 0.5}],
         "steps": [{"metric": "rps", "thresholds": [{"above": 100, "change": -2}, {"below": 150, "change": -1},
             {"above": 1, "below": 2, "change": 1}]}],
         "schedules": [{"days": ["MOON"], "from": "8am", "to": "18:00", "zone": "Mars/Base", "minInstances": 4}],
         "predictive": {"metric": "latencyP95Ms", "target": 10, "horizonSeconds": 100000},
         "behavior": {"scaleUp": {"policies": [{"type": "Pods", "value": 0, "periodSeconds": 3600}],
             "selectPolicy": "Most"}, "scaleDown": {"policies": []}},
         "cooldownSeconds": -5}
        """);
    assertThat(e.problems()).containsExactlyInAnyOrder(
        "autoscaling.maxInsances: unknown field (expected: one of [behavior, cooldownSeconds, cpuInitializationSeconds, evaluationSeconds, maxInstances, metrics, minInstances, predictive, schedules, steps])",
        "autoscaling.maxInstances: missing (expected: a value)",
        "autoscaling.metrics[0].target: \"high\" (expected: a number)",
        "autoscaling.schedules[0].days[0]: \"MOON\" (expected: one of MON, TUE, WED, THU, FRI, SAT, SUN)",
        "autoscaling.schedules[0].from: \"8am\" (expected: a time HH:MM, 00:00 to 24:00)",
        "autoscaling.schedules[0].zone: \"Mars/Base\" (expected: a time zone such as Europe/Paris or UTC)",
        "autoscaling.steps[0].thresholds[2]: {\"above\":1,\"below\":2,\"change\":1} (expected: exactly one of 'above' or 'below')",
        "autoscaling.behavior.scaleUp.selectPolicy: \"Most\" (expected: Max, Min or Disabled)",
        "autoscaling.minInstances: 0 (expected: >= 1; scaling to zero is not supported)",
        "autoscaling.metrics[0].tolerance: 1.5 (expected: >= 0 and < 1)",
        "autoscaling.metrics[1].name: \"cpu\" (expected: each metric once)",
        "autoscaling.steps[0].thresholds[0].change: -2 (expected: > 0 for an 'above' threshold)",
        "autoscaling.steps[0].thresholds[1].below: 150 (expected: < 100, the lowest 'above' bound)",
        "autoscaling.predictive.metric: \"latencyP95Ms\" (expected: a metric that adds up across instances)",
        "autoscaling.predictive.horizonSeconds: 100000 (expected: >= 0 and < seasonSeconds 86400)",
        "autoscaling.behavior.scaleUp.policies[0].value: 0 (expected: > 0)",
        "autoscaling.behavior.scaleUp.policies[0].periodSeconds: 3600 (expected: 1 to 1800)",
        "autoscaling.behavior.scaleDown.policies: [] (expected: at least one policy, or selectPolicy Disabled)",
        "autoscaling.cooldownSeconds: -5 (expected: 0 to 3600)");
  }

  @Test
  void aRampWindowShorterThanTwoEvaluationsIsRefused() {
    assertThat(failure("""
        {"maxInstances": 3, "metrics": [{"name": "requestsPerSecond", "target": 80}],
         "predictive": {"metric": "requestsPerSecond", "horizonSeconds": 90, "rampWindowSeconds": 20}}
        """).problems()).containsExactly("autoscaling.predictive.rampWindowSeconds: 20 (expected: 0, or >= 2"
            + " evaluations (30) and <= seasonSeconds 86400)");
  }

  @Test
  void aPolicyWithoutMetricsOrStepsIsRefused() {
    assertThat(failure("{\"maxInstances\": 3}").problems())
        .containsExactly("autoscaling.metrics: [] (expected: at least one target-tracking metric or step rule)");
  }

  @Test
  void boundsAreCheckedAgainstEachOther() {
    assertThat(failure("{\"minInstances\": 5, \"maxInstances\": 3, \"metrics\": [{\"name\": \"cpu\", \"target\": 0.5}],"
        + " \"schedules\": [{\"from\": \"08:00\", \"to\": \"09:00\", \"minInstances\": 4}]}").problems())
        .containsExactly("autoscaling.maxInstances: 3 (expected: >= minInstances 5)",
            "autoscaling.schedules[0].minInstances: 4 (expected: <= maxInstances 3)");
    assertThat(failure("{\"maxInstances\": 3, \"metrics\": [{\"name\": \"cpu\", \"target\": 0.5}],"
        + " \"schedules\": [{\"from\": \"08:00\", \"to\": \"09:00\", \"minInstances\": 4}]}").problems())
        .containsExactly("autoscaling.schedules[0].minInstances: 4 (expected: <= maxInstances 3)");
  }

  @Test
  void predictiveWithoutATargetNamesWhereToPutIt() {
    assertThat(failure("{\"maxInstances\": 3, \"metrics\": [{\"name\": \"cpu\", \"target\": 0.5}],"
        + " \"predictive\": {\"metric\": \"requestsPerSecond\"}}").problems())
        .containsExactly("autoscaling.predictive.target: missing (expected: a number > 0, or a metrics entry for"
            + " \"requestsPerSecond\" to take it from)");
  }

  @Test
  void malformedJsonIsOneProblem() {
    assertThat(failure("{\"maxInstances\": ").problems()).singleElement().asString()
        .startsWith("autoscaling: malformed JSON");
  }

  @Test
  void programmaticPoliciesAreCheckedToo() {
    assertThatThrownBy(() -> ScalingPolicy.targetTracking("cpu", 0, 1, 0))
        .isInstanceOf(PolicyException.class)
        .hasMessage("autoscaling.maxInstances: 0 (expected: >= minInstances 1); autoscaling.metrics[0].target: 0"
            + " (expected: > 0)");
  }

  @Test
  void toJsonReadsBackEqual() {
    ScalingPolicy p = ScalingPolicy.parse("""
        {"maxInstances": 20, "metrics": [{"name": "inFlight", "target": 8}],
         "steps": [{"metric": "latencyP95Ms", "thresholds": [{"above": 100, "change": 2}, {"below": 20, "changePercent": -10}]}],
         "schedules": [{"days": ["SAT", "SUN"], "from": "22:00", "to": "24:00", "minInstances": 3}],
         "predictive": {"metric": "inFlight", "target": 6, "horizonSeconds": 600, "seasonSeconds": 86400,
             "rampWindowSeconds": 120},
         "behavior": {"scaleUp": {"selectPolicy": "Disabled", "policies": []}}}
        """);
    assertThat(p.predictive().rampWindowSeconds()).isEqualTo(120);
    assertThat(ScalingPolicy.fromJson(p.toJson())).isEqualTo(p);
  }

  @Test
  void theRecommendedExampleParses() throws Exception {
    ScalingPolicy p = ScalingPolicy.parse(Files.readString(Path.of("../examples/autoscale-policy.json")));
    assertThat(p.metrics()).extracting(ScalingPolicy.TargetSpec::name).containsExactly("requestsPerSecond");
    assertThat(p.predictive()).isNotNull();
    assertThat(p.predictive().rampWindowSeconds()).isPositive();
  }
}
