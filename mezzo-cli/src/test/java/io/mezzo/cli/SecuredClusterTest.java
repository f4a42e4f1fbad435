package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.model.AgentInfo;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.scheduler.Call;
import io.mezzo.core.scheduler.SchedulerClient;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.TestFramework;
import io.mezzo.testkit.V2Client;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster with credentials, as processes ({@code mezzo master --credentials}, agents with their
 * secret, the services scheduler in the master on its in-process secret): frameworks are kept to
 * their own tasks, agents must hold the agent secret, and viewers cannot change apps.
 */
class SecuredClusterTest {
  static final String A = "framework-a-secret-0123456789";
  static final String B = "framework-b-secret-0123456789";
  static final String VIEWER = "viewer-secret-0123456789";
  static final Duration TASK_TIMEOUT = Duration.ofSeconds(30);

  @TempDir
  static Path dir;

  static MezzoCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = MezzoCluster.builder(dir).agents(1)
        .principal("fa", "framework", A, "*")
        .principal("fb", "framework", B, "*")
        .principal("view", "viewer", VIEWER)
        .start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static FrameworkInfo info(String name, String principal) {
    return new FrameworkInfo(io.mezzo.testkit.TestFramework.USER, name, null, 3600.0, false, null, null, null, principal, null, List.of());
  }

  @Test
  void aFrameworkCannotKillAnotherFrameworksTask() {
    try (TestFramework b = TestFramework.subscribe(cluster.masterAddress(), B, info("b", "fb"));
        TestFramework a = TestFramework.subscribe(cluster.masterAddress(), A, info("a", "fa"))) {
      Offer offer = b.awaitOffer();
      TaskId task = new TaskId("b-sleeper");
      b.launch(offer, task, "sleep 600", Resources.parse("cpus:0.1;mem:32"));
      b.awaitState(task, TaskState.TASK_RUNNING, TASK_TIMEOUT);

      // A names B's framework: refused before the master looks at the call
      JsonClient.Reply asB = a.client().send(Call.kill(b.id(), task, offer.agentId())).join();
      assertThat(asB.status()).isEqualTo(403);
      assertThat(asB.body()).isEqualTo("principal 'fa' may not KILL for framework " + b.id()
          + " (expected: a framework subscribed by 'fa'; it belongs to 'fb')");
      // A names itself: B's task is not among A's, so nothing is killed
      assertThat(a.client().send(Call.kill(a.id(), task, offer.agentId())).join().status()).isEqualTo(202);
      a.awaitState(task, TaskState.TASK_LOST, TASK_TIMEOUT);

      assertThat(cluster.runningTaskIds()).contains(task.value());
      assertThat(b.states(task)).doesNotContain(TaskState.TASK_KILLING, TaskState.TASK_KILLED);
      // the same KILL from its owner does kill it: the refusals above were not a broken kill path
      assertThat(b.kill(task, offer.agentId())).isEqualTo(202);
      b.awaitState(task, TaskState.TASK_KILLED, TASK_TIMEOUT);
    }
  }

  @Test
  void aFrameworkCannotSubscribeAsAnotherPrincipalNorWithoutItsSecret() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> TestFramework.subscribe(cluster.masterAddress(), A, info("imposter", "fb")))
        .isInstanceOf(SchedulerClient.SchedulerException.class)
        .hasMessageContaining("HTTP 403: subscribe.framework_info.principal: 'fb' (expected: 'fa'");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> TestFramework.subscribe(cluster.masterAddress(), null, info("anonymous", "fa")))
        .isInstanceOf(SchedulerClient.SchedulerException.class)
        .hasMessageContaining("HTTP 401: missing bearer token for POST /api/v1/scheduler");
  }

  @Test
  void anAgentWithoutTheAgentSecretCannotRegister() throws Exception {
    AgentCall subscribe = AgentCall.subscribe(new AgentInfo(null, "rogue", 5051, Resources.parse("cpus:64;mem:65536")
        .toList()), List.of());
    URI uri = URI.create("http://" + cluster.masterAddress() + "/api/v1/agent");
    for (String token : new String[] {null, "not-the-agent-secret-01234", VIEWER, A}) {
      JsonClient client = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10),
          io.mezzo.core.auth.Caller.withToken(token));
      try (JsonClient.Subscription sub = client.subscribe(uri, subscribe, Map.of(), Object.class, e -> { }, e -> { })) {
        assertThat(sub.isOpen()).as("agent SUBSCRIBE with token " + token).isFalse();
        assertThat(sub.reply().status()).as("agent SUBSCRIBE with token " + token).isIn(401, 403);
      }
    }
    assertThat(cluster.activeAgents()).isEqualTo(1);
  }

  @Test
  void theServicesApiLetsViewersReadButNotChange() {
    V2Client viewer = new V2Client(cluster.masterAddress(), VIEWER);
    assertThat(viewer.get("/v2/apps").status()).isEqualTo(200);
    V2Client.Answer create = viewer.post("/v2/apps", "{\"id\": \"/web\", \"cmd\": \"sleep 60\", \"instances\": 1}");
    assertThat(create.status()).isEqualTo(403);
    assertThat(create.text()).isEqualTo("principal 'view' (role viewer) may not POST /v2/apps"
        + " (expected: role admin or operator)");
    assertThat(new V2Client(cluster.masterAddress()).get("/v2/apps").status()).isEqualTo(401);
    // the services scheduler inside the master subscribed with its in-process secret
    assertThat(cluster.masterState().path("frameworks").findValuesAsText("name")).contains("mezzo-services");
  }
}
