package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code mezzo app autoscale-status ID} against a scripted {@code /v1/autoscaler}: it prints the policy,
 * the metrics, the recommendation and one line per decision, and says clearly when the app has no
 * policy or the autoscaler is not running.
 */
class AppAutoscaleStatusCommandTest {
  private final FakeMarathon master = new FakeMarathon();

  @AfterEach
  void stop() {
    master.close();
  }

  private static final String STATUS = """
      {"appId": "/web", "status": "ok", "instances": 4, "ready": 3,
       "policy": {"minInstances": 1, "maxInstances": 10, "metrics": [{"name": "requestsPerSecond", "target": 10.0,
         "tolerance": 0.1}], "steps": [], "schedules": [],
         "behavior": {"scaleUp": {"stabilizationWindowSeconds": 0}, "scaleDown": {"stabilizationWindowSeconds": 300}},
         "cooldownSeconds": 0, "cpuInitializationSeconds": 300, "evaluationSeconds": 15},
       "recommendation": {"at": "2026-11-27T10:00:15Z", "current": 4, "desired": 4, "limitedBy": null,
         "reason": "targetTracking requestsPerSecond 10 under target 10 on 3 reporting: 4 -> 4", "proposals": []},
       "nextEvaluationAt": "2026-11-27T10:00:30Z",
       "metrics": {"requestsPerSecond": {"value": 10.0, "instances": 3}, "cpu": {"value": 0.33333333, "instances": 2},
                   "latencyP95Ms": {"missing": "no requests through the load balancer: no latency"}},
       "decisions": [
         {"at": "2026-11-27T10:00:00Z", "lastAt": "2026-11-27T10:00:00Z", "repeats": 1, "current": 2, "desired": 4,
          "outcome": "scaled", "limitedBy": null, "reason": "targetTracking requestsPerSecond 20 over target 10 -> 4"},
         {"at": "2026-11-27T10:01:00Z", "lastAt": "2026-11-27T10:02:00Z", "repeats": 5, "current": 4, "desired": 4,
          "outcome": "held", "limitedBy": "scaleDown stabilization window 300s",
          "reason": "targetTracking requestsPerSecond 2 under target 10; scaleDown stabilization window 300s -> 4"}]}
      """;

  @Test
  void printsThePolicyTheRecommendationAndOneLinePerDecision() {
    master.on("GET", "/v1/autoscaler/apps/web", 200, STATUS);

    CliRun run = mezzo("app", "autoscale-status", "web", "--master", master.address());

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).contains("APP          /web\n")
        .contains("INSTANCES    4 (3 ready)\n")
        .contains("POLICY       instances 1..10; targets requestsPerSecond=10; windows up 0s, down 300s; every 15s\n")
        .contains("METRICS      requestsPerSecond 10 per instance on 3; cpu 0.333 per instance on 2; latencyP95Ms missing (no requests")
        .contains("RECOMMENDS   4 (from 4) at 2026-11-27T10:00:15Z: targetTracking")
        .contains("2026-11-27T10:00:00Z  2 -> 4  scaled  targetTracking requestsPerSecond 20 over target 10 -> 4\n")
        .contains("2026-11-27T10:01:00Z  4 -> 4  held x5 (until 2026-11-27T10:02:00Z)  targetTracking");
  }

  @Test
  void anAppWithoutAPolicyExits1SayingSo() {
    master.on("GET", "/v1/autoscaler/apps/web", 404, "{\"message\": \"App '/web' has no autoscaling policy\"}");

    CliRun run = mezzo("app", "autoscale-status", "/web", "--master", master.address());

    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("mezzo app autoscale-status: app /web: App '/web' has no autoscaling policy\n");
  }

  @Test
  void anAutoscalerThatIsNotRunningExits1SayingHowToStartIt() {
    master.on("GET", "/v1/autoscaler/apps/web", 503, "{\"message\": \"the autoscaler is not running (--lb-stats)\"}");

    CliRun run = mezzo("app", "autoscale-status", "web", "--master", master.address());

    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("the autoscaler is not running (--lb-stats)");
  }
}
