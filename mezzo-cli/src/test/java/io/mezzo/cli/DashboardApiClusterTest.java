package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.balancer.Balancer;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.V2Client;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoints the dashboard reads, end to end on a real cluster (master with its services scheduler
 * and autoscaler, two agents, an in-process load balancer the master knows by {@code --lb-stats}), with
 * one sample-server app behind the balancer under an autoscaling policy: the overview counts the agents
 * and the scheduler's share, the agents list the app's task, the task's stdout is read through the
 * master's files proxy at the sandbox it names, the balancer's per-backend figures come through
 * {@code /v1/balancers}, and the autoscaler's history has the app's evaluations with their targets.
 */
class DashboardApiClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir
  Path dir;

  MezzoCluster cluster;
  Balancer balancer;

  @AfterEach
  void stop() {
    if (balancer != null) {
      balancer.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theDashboardEndpointsShowTheClusterAnAppsLogsItsBalancerFiguresAndItsScalingHistory() {
    int lbPort = MezzoCluster.freeLoopbackPort();
    LbClusterSupport.AutoscaledCluster started = LbClusterSupport.AutoscaledCluster.start(dir, WAIT);
    cluster = started.cluster();
    balancer = started.balancer();
    V2Client v2 = started.v2();
    int master = cluster.master().port();
    String policy = ",\"autoscaling\":{\"minInstances\":1,\"maxInstances\":2,\"evaluationSeconds\":1,"
        + "\"metrics\":[{\"name\":\"requestsPerSecond\",\"target\":1000}]}";
    String app = LbClusterSupport.sampleApp("/dash", 1, Map.of("mezzo.drain.seconds", "1",
        "MEZZO_LB_PORT_0", String.valueOf(lbPort)), policy)
        .replace("\"cmd\":\"$MEZZO_JAVA", "\"cmd\":\"echo started-$MESOS_TASK_ID; exec $MEZZO_JAVA");
    V2Client.Answer posted = v2.post("/v2/apps", app);
    assertThat(posted.status()).as(posted.toString()).isEqualTo(201);
    await().atMost(WAIT).until(() -> LbClusterSupport.healthy(v2, "/dash") == 1);
    String taskId = LbClusterSupport.instances(v2, "/dash").get(0).id();

    // overview: both agents, the services scheduler holding the app's resources
    JsonNode overview = cluster.getJson(master, "/v1/overview");
    assertThat(overview.path("agents").path("active").asInt()).isEqualTo(2);
    assertThat(overview.path("resources").path("cpus").path("total").asDouble()).isEqualTo(4.0);
    assertThat(overview.path("resources").path("cpus").path("used").asDouble()).isGreaterThanOrEqualTo(0.1);
    JsonNode scheduler = overview.path("frameworks").get(0);
    assertThat(scheduler.path("active").asBoolean()).as(overview.toPrettyString()).isTrue();
    assertThat(scheduler.path("tasks").asInt()).isEqualTo(1);
    assertThat(scheduler.path("dominant_share").asDouble()).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);

    // agents: the one running the task lists it
    JsonNode agents = cluster.getJson(master, "/v1/agents").path("agents");
    assertThat(agents).hasSize(2);
    List<String> listed = new ArrayList<>();
    agents.forEach(a -> a.path("tasks").forEach(t -> listed.add(t.path("id").asText() + " " + t.path("state").asText()
        + " on " + a.path("id").asText())));

    // the task's stdout through the master, at the sandbox the master names
    JsonNode sandbox = cluster.getJson(master, "/v1/tasks/" + taskId + "/sandbox");
    assertThat(listed).containsExactly(taskId + " TASK_RUNNING on " + sandbox.path("agent_id").asText());
    String path = sandbox.path("path").asText();
    assertThat(path).endsWith("/tasks/" + taskId + "/runs/latest");
    String agentId = sandbox.path("agent_id").asText();
    JsonNode usage = await().atMost(WAIT).until(() -> {
      for (JsonNode a : cluster.getJson(master, "/v1/agents").path("agents")) {
        if (a.path("id").asText().equals(agentId)) {
          return a.path("usage");
        }
      }
      return null;
    }, u -> u != null && u.path("mem_rss_bytes").asLong() > 0);
    assertThat(usage.path("tasks").findValuesAsText("task_id")).containsExactly(taskId);
    JsonNode stdout = cluster.getJson(master, "/v1/files/read?agent_id=" + sandbox.path("agent_id").asText()
        + "&path=" + path + "/stdout&offset=0");
    assertThat(stdout.path("data").asText()).startsWith("started-" + taskId + "\n");
    JsonNode listing = cluster.getJson(master, "/v1/files/browse?agent_id=" + sandbox.path("agent_id").asText()
        + "&path=" + path);
    List<String> files = new ArrayList<>();
    listing.forEach(f -> files.add(f.path("path").asText()));
    assertThat(files).contains(path + "/stdout", path + "/stderr");

    // the balancer's figures for the app's one backend, while requests go through it
    JsonNode backend = await().atMost(WAIT).ignoreExceptions().until(() -> {
      for (int i = 0; i < 5; i++) {
        assertThat(LbClusterSupport.get(lbPort, "x", "/").status()).isEqualTo(200);
      }
      JsonNode lb = cluster.getJson(master, "/v1/balancers").path("balancers").get(0);
      assertThat(lb.path("ok").asBoolean()).as(lb.toString()).isTrue();
      assertThat(lb.path("address").asText()).isEqualTo("127.0.0.1:" + balancer.adminPort());
      return lb.path("stats").path("routes").path("/dash:0").path("backends").path(taskId);
    }, b -> b.path("requests_per_second").asDouble() > 0);
    assertThat(backend.path("requests").asLong()).isGreaterThanOrEqualTo(5);
    assertThat(backend.path("errors_per_second").asDouble()).isZero();
    assertThat(backend.has("p50_ms")).isTrue();
    assertThat(backend.path("p99_ms").asDouble()).isGreaterThanOrEqualTo(backend.path("p50_ms").asDouble());
    assertThat(backend.path("in_flight").isNumber()).isTrue();

    // the autoscaler's evaluations of the app, each with the policy's target
    JsonNode history = await().atMost(WAIT).until(() -> cluster.getJson(master, "/v1/autoscaler/apps/dash/history"),
        h -> h.path("points").size() >= 2);
    assertThat(history.path("app").asText()).isEqualTo("/dash");
    JsonNode last = history.path("points").get(history.path("points").size() - 1);
    assertThat(last.path("instances").asInt()).isEqualTo(1);
    assertThat(last.path("targets").path("requestsPerSecond").asDouble()).isEqualTo(1000.0);
    assertThat(last.path("t").asLong()).isGreaterThan(history.path("points").get(0).path("t").asLong());
    assertThat(history.path("decisions").isArray()).isTrue();
  }
}
