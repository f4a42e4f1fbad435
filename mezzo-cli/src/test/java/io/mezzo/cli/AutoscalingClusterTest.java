package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.V2Client;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An app's {@code autoscaling} policy on a real cluster running the services scheduler: set by PATCH
 * (and by {@code mezzo app autoscale}) it is stored, shown and versioned without a deployment and
 * without replacing an instance; removed with {@code null}; a bad policy, or a count outside its
 * bounds, is refused with 422 naming the field; a policy with steps, a schedule and a forecast set by
 * flags is the one {@code mezzo app autoscale-status} shows the autoscaler running.
 */
class AutoscalingClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String POLICY = "{\"minInstances\": 1, \"maxInstances\": 4,"
      + " \"metrics\": [{\"name\": \"requestsPerSecond\", \"target\": 50}]}";

  @TempDir
  Path dir;

  MezzoCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static List<String> taskIds(V2Client v2) {
    List<String> ids = new ArrayList<>();
    v2.get("/v2/apps/auto/tasks").json().path("tasks").forEach(t -> ids.add(t.path("id").asText()));
    return ids.stream().sorted().toList();
  }

  private static boolean running(V2Client v2, int n) {
    JsonNode app = v2.get("/v2/apps/auto").json().path("app");
    return app.path("tasksRunning").asInt() == n && app.path("deployments").isEmpty();
  }

  @Test
  void aPolicyChangeIsStoredAndShownWithoutADeploymentOrARestartedInstance() {
    cluster = MezzoCluster.builder(dir).agents(1).start();
    V2Client v2 = new V2Client(cluster.masterAddress());
    await("the services scheduler subscribed").atMost(WAIT).ignoreExceptions()
        .until(() -> v2.get("/v2/info").json().path("frameworkId").isTextual());
    V2Client.Answer created = v2.post("/v2/apps",
        "{\"id\": \"/auto\", \"cmd\": \"sleep 600\", \"cpus\": 0.1, \"mem\": 16, \"instances\": 2}");
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    await("2 running").atMost(WAIT).until(() -> running(v2, 2));
    List<String> before = taskIds(v2);
    String configVersion = v2.get("/v2/apps/auto").json().path("app").path("versionInfo")
        .path("lastConfigChangeAt").asText();

    V2Client.Answer patched = v2.patch("/v2/apps/auto", "{\"autoscaling\": " + POLICY + "}");

    assertThat(patched.status()).as("%s", patched).isEqualTo(200);
    assertThat(patched.json().has("deploymentId")).as("%s", patched).isFalse();
    assertThat(v2.get("/v2/deployments").json()).isEmpty();
    JsonNode app = v2.get("/v2/apps/auto").json().path("app");
    assertThat(app.path("autoscaling").path("maxInstances").asInt()).isEqualTo(4);
    assertThat(app.path("version").asText()).isEqualTo(patched.json().path("version").asText());
    assertThat(app.path("versionInfo").path("lastConfigChangeAt").asText()).isEqualTo(configVersion);
    JsonNode versions = v2.get("/v2/apps/auto/versions").json().path("versions");
    assertThat(versions).hasSize(2);
    assertThat(v2.get("/v2/apps/auto/versions/" + versions.get(0).asText()).json().path("autoscaling").path("metrics")
        .get(0).path("name").asText()).isEqualTo("requestsPerSecond");
    assertThat(v2.get("/v2/apps/auto/versions/" + versions.get(1).asText()).json().has("autoscaling")).isFalse();

    // the host judges the policy with the autoscaler's reader, and the count must lie within its bounds
    V2Client.Answer badPolicy = v2.patch("/v2/apps/auto", "{\"autoscaling\": {\"maxInstances\": 4,"
        + " \"metrics\": [{\"name\": \"requestsPerSecond\", \"target\": -1}]}}");
    assertThat(badPolicy.status()).as("%s", badPolicy).isEqualTo(422);
    assertThat(badPolicy.json().path("details").get(0).path("path").asText()).isEqualTo("/autoscaling/metrics/0/target");
    assertThat(badPolicy.json().path("details").get(0).path("errors").get(0).asText())
        .startsWith("autoscaling.metrics[0].target: -1");
    V2Client.Answer tooMany = v2.patch("/v2/apps/auto", "{\"instances\": 9}");
    assertThat(tooMany.status()).as("%s", tooMany).isEqualTo(422);
    assertThat(tooMany.json().path("details").get(0).path("path").asText()).isEqualTo("/instances");
    assertThat(tooMany.json().path("details").get(0).path("errors").get(0).asText())
        .isEqualTo("instances: 9 (expected: <= autoscaling.maxInstances 4)");

    // the command line: a new policy, shown, then removed; the same two instances throughout
    String master = cluster.masterAddress();
    CliRun set = mezzo("app", "autoscale", "auto", "--min", "2", "--max", "3", "--target", "cpu=0.5",
        "--scale-down-window", "60s", "--master", master);
    assertThat(set.exit()).as(set.toString()).isZero();
    assertThat(set.out()).contains("(no deployment: no instance restarted)");
    CliRun shown = mezzo("app", "show", "auto", "--master", master);
    assertThat(shown.out()).as(shown.toString()).contains("AUTOSCALING  2 to 3 instances; target cpu=0.5;"
        + " scale-up window 0s; scale-down window 60s\n");
    CliRun off = mezzo("app", "autoscale", "auto", "--off", "--master", master);
    assertThat(off.exit()).as(off.toString()).isZero();
    assertThat(v2.get("/v2/apps/auto").json().path("app").has("autoscaling")).isFalse();
    assertThat(mezzo("app", "show", "auto", "--master", master).out()).doesNotContain("AUTOSCALING");

    assertThat(v2.get("/v2/deployments").json()).isEmpty();
    assertThat(taskIds(v2)).isEqualTo(before);
    assertThat(running(v2, 2)).isTrue();
  }

  @Test
  void aStepScheduleAndPredictivePolicySetByFlagsIsTheOneTheAutoscalerRuns() {
    // the autoscaler runs with the services scheduler; nobody answers on its LB stats address
    cluster = MezzoCluster.builder(dir).agents(1)
        .masterOption("--lb-stats", "127.0.0.1:" + MezzoCluster.freeLoopbackPort()).start();
    V2Client v2 = new V2Client(cluster.masterAddress());
    await("the services scheduler subscribed").atMost(WAIT).ignoreExceptions()
        .until(() -> v2.get("/v2/info").json().path("frameworkId").isTextual());
    V2Client.Answer created = v2.post("/v2/apps",
        "{\"id\": \"/auto\", \"cmd\": \"sleep 600\", \"cpus\": 0.1, \"mem\": 16, \"instances\": 1}");
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    String master = cluster.masterAddress();

    CliRun set = mezzo("app", "autoscale", "auto", "--max", "3", "--step", "cpu>0.9:+1",
        "--schedule", "MON-SUN@00:00-24:00=1,name=always", "--predictive", "requestsPerSecond:target=50,horizon=60s,"
            + "season=1h", "--evaluation", "5s", "--master", master);

    assertThat(set.exit()).as(set.toString()).isZero();
    assertThat(v2.get("/v2/apps/auto").json().path("app").path("autoscaling").path("schedules").get(0)
        .path("days")).hasSize(7);
    String expected = "POLICY       instances 1..3; steps on cpu; 1 schedule(s); predictive requestsPerSecond 60s ahead;"
        + " windows up 0s, down 300s; every 5s\n";
    await("autoscale-status shows the policy").atMost(WAIT).untilAsserted(() -> {
      CliRun status = mezzo("app", "autoscale-status", "auto", "--master", master);
      assertThat(status.out()).as(status.toString()).contains(expected);
    });
  }
}
