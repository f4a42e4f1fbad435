package io.mezzo.cli;

/**
 * What a master, its services API, its autoscaler and a load balancer answer, in their real shapes, for
 * the client commands' tests against {@link FakeMarathon}: two agents (one draining), one framework with
 * three tasks and their usage, two apps ({@code /web} health-checked behind the balancer with an
 * autoscaling recommendation, {@code /batch} without either).
 */
final class ClusterJson {
  private ClusterJson() {}

  static final String STATE = """
      {"version": "1.11.0", "mezzo_version": "0.1.0", "leader": "master@127.0.0.1:5050", "activated_slaves": 2,
       "slaves": [
         {"id": "S0", "hostname": "127.0.0.1", "port": 5051, "active": true,
          "resources": {"cpus": 4.0, "mem": 4096.0, "ports": "[31000-31999]"},
          "used_resources": {"cpus": 0.75, "mem": 320.0},
          "task_usage": [
            {"framework_id": {"value": "F0"}, "task_id": {"value": "web.1"}, "cpus_used": 0.5, "mem_rss_bytes": 104857600},
            {"framework_id": {"value": "F0"}, "task_id": {"value": "web.2"}, "cpus_used": 0.25, "mem_rss_bytes": 52428800},
            {"framework_id": {"value": "F0"}, "task_id": {"value": "batch.1"}, "cpus_used": 1.0, "mem_rss_bytes": 10485760}]},
         {"id": "S1", "hostname": "127.0.0.2", "port": 5052, "active": false, "deactivated": true,
          "drain_info": {"state": "DRAINING"},
          "resources": {"cpus": 4.0, "mem": 4096.0}, "used_resources": {"cpus": 0.0, "mem": 0.0}}],
       "frameworks": [
         {"id": "F0", "name": "mezzo-services", "role": "*", "active": true, "connected": true,
          "used_resources": {"cpus": 0.75, "mem": 320.0},
          "tasks": [{"id": "web.1", "slave_id": "S0", "state": "TASK_RUNNING"},
                    {"id": "web.2", "slave_id": "S0", "state": "TASK_RUNNING"},
                    {"id": "batch.1", "slave_id": "S0", "state": "TASK_RUNNING"}],
          "completed_tasks": [], "offers": []}]}
      """;

  static final String WEB = """
      {"id": "/web", "instances": 3, "cpus": 0.25, "mem": 128, "tasksRunning": 2, "tasksHealthy": 2,
       "tasksStaged": 1, "tasksUnhealthy": 0, "healthChecks": [{"protocol": "HTTP"}],
       "deployments": [{"id": "d1"}],
       "tasks": [{"id": "web.1", "appId": "/web", "host": "127.0.0.1", "ports": [31001], "state": "TASK_RUNNING",
                  "healthCheckResults": [{"alive": true}]},
                 {"id": "web.2", "appId": "/web", "host": "127.0.0.1", "ports": [31002], "state": "TASK_RUNNING",
                  "healthCheckResults": [{"alive": true}]}]}
      """;

  static final String BATCH = """
      {"id": "/batch", "instances": 1, "cpus": 1, "mem": 64, "tasksRunning": 1, "tasksHealthy": 0,
       "tasksStaged": 0, "tasksUnhealthy": 0, "healthChecks": [], "deployments": [],
       "tasks": [{"id": "batch.1", "appId": "/batch", "host": "127.0.0.1", "ports": [], "state": "TASK_RUNNING",
                  "healthCheckResults": []}]}
      """;

  static final String APPS = "{\"apps\": [" + WEB + ", " + BATCH + "]}";

  static final String AUTOSCALER = """
      {"apps": [{"appId": "/web", "status": "ok", "instances": 3, "ready": 2,
                 "recommendation": {"current": 3, "desired": 5, "reason": "targetTracking"}}]}
      """;

  static final String LB_STATS = """
      {"routes": {"/web:10000": {"requests": 500, "in_flight": 3, "rps": 42.5, "p95_ms": 81.25,
                                 "backends": {"web.1": {"rps": 21.0}, "web.2": {"rps": 21.5}}},
                  "/webby:10001": {"requests": 9, "in_flight": 0, "rps": 1000.0, "p95_ms": 5.0, "backends": {}}}}
      """;

  static final String DEPLOYMENTS = """
      [{"id": "d1", "affectedApps": ["/web"], "currentStep": 1, "totalSteps": 1,
        "currentActions": [{"action": "ScaleApplication", "app": "/web"}]}]
      """;

  /** A fake serving all of the above. */
  static FakeMarathon serve(FakeMarathon f) {
    return f.on("GET", "/master/state", 200, STATE).on("GET", "/v2/apps", 200, APPS)
        .on("GET", "/v2/apps/web", 200, "{\"app\": " + WEB + "}")
        .on("GET", "/v2/tasks", 200, "{\"tasks\": [{\"id\": \"web.1\", \"appId\": \"/web\"}, {\"id\": \"batch.1\", \"appId\": \"/batch\"}]}")
        .on("GET", "/v2/apps/web/tasks", 200, "{\"tasks\": [{\"id\": \"web.1\", \"appId\": \"/web\"}]}")
        .on("GET", "/v2/deployments", 200, DEPLOYMENTS)
        .on("GET", "/v1/autoscaler/apps", 200, AUTOSCALER)
        .on("GET", "/v1/autoscaler/apps/web", 200, "{\"appId\": \"/web\", \"status\": \"ok\", \"decisions\": []}")
        .on("GET", "/stats", 200, LB_STATS)
        .on("GET", "/health", 200, "\"ok\"");
  }
}
