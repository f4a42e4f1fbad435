package io.mezzo.autoscaler.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

/**
 * The shape problems of the {@code autoscaling} reader, member by member and kind by kind (integer,
 * number, string, array, and the strings it maps: times, zones, rate types, select policies), word
 * for word and in the order they are found: every member of a policy whose JSON type is wrong.
 */
class PolicyJsonShapeTest {
  @Test
  void everyMemberOfTheWrongKindIsNamedWithItsValueAndTheKindExpected() {
    PolicyException e = catchThrowableOfType(() -> ScalingPolicy.parse("""
        {"minInstances": "two", "maxInstances": 1.5,
         "metrics": [{"name": 3, "target": "high", "tolerance": [0.1]}],
         "steps": [{"metric": "cpu", "thresholds": {"above": 1}}, {"metric": ["cpu"]}],
         "schedules": [{"name": false, "days": "MON", "from": 800, "to": "25:00", "zone": 1, "minInstances": 2.5},
             {"from": "08:00", "zone": "Nowhere/Town"}],
         "predictive": {"metric": "requestsPerSecond", "target": "x", "horizonSeconds": 1e20,
             "seasonSeconds": "1d", "levelSmoothing": "a", "trendSmoothing": true, "seasonSmoothing": {},
             "rampWindowSeconds": 0.5},
         "behavior": {"scaleUp": {"stabilizationWindowSeconds": "0s", "policies": [{"type": 1, "value": "4",
             "periodSeconds": 15.5}, {"type": "Nodes", "value": 1}], "selectPolicy": 7},
             "scaleDown": {"policies": {}, "selectPolicy": "Least"}},
         "cooldownSeconds": "1m", "cpuInitializationSeconds": null, "evaluationSeconds": [15]}
        """), PolicyException.class);

    assertThat(e.problems()).containsExactly(
        "autoscaling.minInstances: \"two\" (expected: an integer)",
        "autoscaling.maxInstances: 1.5 (expected: an integer)",
        "autoscaling.metrics[0].name: 3 (expected: a string)",
        "autoscaling.metrics[0].target: \"high\" (expected: a number)",
        "autoscaling.metrics[0].tolerance: [0.1] (expected: a number)",
        "autoscaling.steps[0].thresholds: {\"above\":1} (expected: an array)",
        "autoscaling.steps[1].metric: [\"cpu\"] (expected: a string)",
        "autoscaling.steps[1].thresholds: missing (expected: a value)",
        "autoscaling.schedules[0].days: \"MON\" (expected: an array)",
        "autoscaling.schedules[0].from: 800 (expected: a string)",
        "autoscaling.schedules[0].to: \"25:00\" (expected: a time HH:MM, 00:00 to 24:00)",
        "autoscaling.schedules[0].zone: 1 (expected: a string)",
        "autoscaling.schedules[0].minInstances: 2.5 (expected: an integer)",
        "autoscaling.schedules[0].name: false (expected: a string)",
        "autoscaling.schedules[1].to: missing (expected: a value)",
        "autoscaling.schedules[1].zone: \"Nowhere/Town\" (expected: a time zone such as Europe/Paris or UTC)",
        "autoscaling.schedules[1].minInstances: missing (expected: a value)",
        "autoscaling.predictive.target: \"x\" (expected: a number)",
        "autoscaling.predictive.horizonSeconds: 1.0E20 (expected: an integer)",
        "autoscaling.predictive.seasonSeconds: \"1d\" (expected: an integer)",
        "autoscaling.predictive.levelSmoothing: \"a\" (expected: a number)",
        "autoscaling.predictive.trendSmoothing: true (expected: a number)",
        "autoscaling.predictive.seasonSmoothing: {} (expected: a number)",
        "autoscaling.predictive.rampWindowSeconds: 0.5 (expected: an integer)",
        "autoscaling.behavior.scaleUp.stabilizationWindowSeconds: \"0s\" (expected: an integer)",
        "autoscaling.behavior.scaleUp.policies[0].type: 1 (expected: a string)",
        "autoscaling.behavior.scaleUp.policies[0].value: \"4\" (expected: an integer)",
        "autoscaling.behavior.scaleUp.policies[0].periodSeconds: 15.5 (expected: an integer)",
        "autoscaling.behavior.scaleUp.policies[1].type: \"Nodes\" (expected: Instances or Percent)",
        "autoscaling.behavior.scaleUp.policies[1].periodSeconds: missing (expected: a value)",
        "autoscaling.behavior.scaleUp.selectPolicy: 7 (expected: a string)",
        "autoscaling.behavior.scaleDown.policies: {} (expected: an array)",
        "autoscaling.behavior.scaleDown.selectPolicy: \"Least\" (expected: Max, Min or Disabled)",
        "autoscaling.cooldownSeconds: \"1m\" (expected: an integer)",
        "autoscaling.evaluationSeconds: [15] (expected: an integer)");
  }
}
