/**
 * The scaling policies, pure code fed {@link io.mezzo.autoscaler.Observation}s with the time in them.
 *
 * <p>Public surface: {@link io.mezzo.autoscaler.policy.ScalingPolicy} (an app's {@code autoscaling}
 * object: {@code parse}/{@code fromJson}/{@code toJson}, errors as one
 * {@link io.mezzo.autoscaler.policy.PolicyException} naming every field),
 * {@link io.mezzo.autoscaler.policy.PolicyScaler} (Mezzo's scaler for one policy) and
 * {@link io.mezzo.autoscaler.policy.HpaScaler} (a faithful Kubernetes HPA, the simulator's baseline).
 * The policies themselves ({@code TargetTracking}, {@code StepScaling}, {@code ScheduledMinimum},
 * {@code Predictive}, {@code Behavior}) are package-private and free to change.
 *
 * <p>The JSON shape, every field but {@code maxInstances} and one of {@code metrics}/{@code steps}
 * optional (defaults shown where there are):
 * <pre>{@code
 * "autoscaling": {
 *   "minInstances": 1, "maxInstances": 20,
 *   "metrics": [{"name": "requestsPerSecond", "target": 70, "tolerance": 0.1}],
 *   "steps": [{"metric": "latencyP95Ms", "thresholds": [{"above": 200, "change": 2},
 *              {"above": 400, "changePercent": 50}, {"below": 20, "change": -1}]}],
 *   "schedules": [{"name": "office", "days": ["MON", "TUE", "WED", "THU", "FRI"], "from": "08:00",
 *                  "to": "18:00", "zone": "Europe/Paris", "minInstances": 4}],
 *   "predictive": {"metric": "requestsPerSecond", "target": 80, "horizonSeconds": 600,
 *                  "seasonSeconds": 86400, "levelSmoothing": 0.3, "trendSmoothing": 0.02,
 *                  "seasonSmoothing": 0.3, "rampWindowSeconds": 0},
 *   "behavior": {
 *     "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
 *         {"type": "Percent", "value": 100, "periodSeconds": 15},
 *         {"type": "Instances", "value": 4, "periodSeconds": 15}]},
 *     "scaleDown": {"stabilizationWindowSeconds": 300, "selectPolicy": "Max", "policies": [
 *         {"type": "Percent", "value": 100, "periodSeconds": 15}]}},
 *   "cooldownSeconds": 0, "cpuInitializationSeconds": 300, "evaluationSeconds": 15
 * }
 * }</pre>
 * {@code schedules[].days} defaults to every day, {@code zone} to UTC, {@code name} to a description of
 * the window; {@code predictive.target} to the target of the {@code metrics} entry of the same metric;
 * {@code "Pods"} is accepted for {@code "Instances"} as in Kubernetes.
 */
package io.mezzo.autoscaler.policy;
