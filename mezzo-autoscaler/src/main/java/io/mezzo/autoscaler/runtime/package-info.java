/**
 * The autoscaler at run time: the I/O around the pure policies of {@link io.mezzo.autoscaler.policy}.
 *
 * <p>Public surface: {@link io.mezzo.autoscaler.runtime.AutoscalerLoop} (one per services scheduler:
 * {@code new AutoscalerLoop(servicesBase, gatherer, publisher, clock)}, {@code start()}, {@code close()},
 * {@code routes(builder)} or the static {@code routes(builder, supplier)}) and
 * {@link io.mezzo.autoscaler.runtime.MetricsGatherer} ({@code new MetricsGatherer(lbStatsAddresses,
 * masterAddress, timeout)}). Everything else is package-private and free to change.
 *
 * <p>Inputs: the services API ({@code GET /v2/apps?embed=apps.tasks}: each app's {@code autoscaling}
 * object, {@code instances}, {@code deployments}, {@code labels}, tasks with {@code mezzoState} and
 * {@code healthCheckResults}); the load balancers' {@code /stats}; the master's {@code /master/state}
 * ({@code task_usage}); and, for metrics an app defines itself, the sources its labels name:
 * <pre>{@code
 * "labels": {
 *   "mezzo.autoscale.prometheus.busy": "avg 0 /metrics sample_requests_in_flight{path=\"/\"}",
 *   "mezzo.autoscale.json.depth": "http://queue.local:9000/stats /queues/jobs/depth"
 * },
 * "autoscaling": {"maxInstances": 6, "metrics": [{"name": "busy", "target": 4}]}
 * }</pre>
 * Output: {@code PATCH /v2/apps/{id} {"instances": n}}, {@code autoscale_event}s and
 * {@code GET /v1/autoscaler/apps[/{id}]}:
 * <pre>{@code
 * {"appId": "/web", "status": "ok" | "waiting: deployment D in progress" | "invalid policy: ..." | "stale: ...",
 *  "instances": 4, "ready": 3, "policy": {...the autoscaling object, defaults filled in...},
 *  "recommendation": {"at", "current", "desired", "limitedBy", "reason", "proposals": [{"policy", "instances", "detail"}]},
 *  "lastEvaluationAt", "nextEvaluationAt",
 *  "metrics": {"requestsPerSecond": {"value": 21.5, "instances": 3}, "latencyP95Ms": {"missing": "why"}},
 *  "decisions": [{...as recommendation..., "lastAt", "repeats", "metrics", "outcome": "scaled" | "held" | "PATCH ...: HTTP 409 ..."}]}
 * }</pre>
 */
package io.mezzo.autoscaler.runtime;
