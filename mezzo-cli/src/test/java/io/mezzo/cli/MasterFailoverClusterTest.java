package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.balancer.discovery.ServicesFeed;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.scheduler.Call;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.TestFramework;
import io.mezzo.testkit.V2Client;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real master processes sharing one ZooKeeper process, two agents, a framework and an app of
 * the services scheduler: the leader is killed with SIGKILL three times, and each time another master
 * takes over with the agents, the framework's task and the app's instances as they were, and the load
 * balancer's discovery follows it. Prints the
 * failover time (SIGKILL to a new leader serving {@code /master/state} with both agents
 * reregistered); no assertion is made on it.
 */
class MasterFailoverClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  MezzoCluster cluster;
  final JsonClient http = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10));

  ServicesFeed feed;

  @AfterEach
  void stop() {
    if (feed != null) {
      feed.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private List<JsonNode> appTasks(String id) {
    V2Client.Answer a = new V2Client(cluster.masterAddress()).get("/v2/apps" + id + "?embed=app.tasks");
    List<JsonNode> out = new ArrayList<>();
    if (a.status() == 200) {
      a.json().path("app").path("tasks").forEach(out::add);
    }
    return out;
  }

  /** A sleeping app with one port routed by the load balancer on a vhost. */
  private static String routedApp(String id, int instances, String extra) {
    return "{\"id\":\"" + id + "\",\"cmd\":\"sleep 3600\",\"cpus\":0.1,\"mem\":32,\"instances\":" + instances
        + ",\"portDefinitions\":[{\"port\":0,\"name\":\"http\"}],\"labels\":{\"MEZZO_LB_VHOST_0\":\""
        + id.substring(1) + ".test\"}" + extra + "}";
  }

  /** How many instances of {@code appId}'s first port the load balancer would send traffic to. */
  private int serving(String appId) {
    return feed.current().serving().getOrDefault(appId + ":0", List.of()).size();
  }

  /** Declines what it holds and asks for no more offers, leaving them to the services scheduler. */
  private static void quiet(TestFramework framework) {
    framework.send(Call.of(framework.id(), Call.Type.SUPPRESS));
    framework.declineAll(3600);
  }

  private Set<String> ids(List<JsonNode> tasks) {
    Set<String> ids = new HashSet<>();
    tasks.forEach(t -> ids.add(t.path("id").asText()));
    return ids;
  }

  @Test
  void killingTheLeaderHandsTheClusterToAStandbyWithoutLosingTasks() throws Exception {
    cluster = MezzoCluster.builder(dir).masters(3).agents(2).start();
    int leader = cluster.leaderIndex();
    int standby = (leader + 1) % 3;

    // A standby redirects to the leader.
    JsonClient.Reply redirected = http.get(URI.create("http://127.0.0.1:" + cluster.masterNode(standby).port()
        + "/api/v1/scheduler")).join();
    assertThat(redirected.status()).isEqualTo(307);
    assertThat(redirected.headers().get("location"))
        .isEqualTo("//127.0.0.1:" + cluster.masterNode(leader).port() + "/api/v1/scheduler");

    // A framework, given every master, runs a task.
    TestFramework framework = TestFramework.subscribe(cluster.masterAddresses(),
        TestFramework.info("ha-tester", null, 3600));
    FrameworkId frameworkId = framework.id();
    Offer offer = framework.awaitOffer(o -> Resources.of(o.resources()).contains(Resources.parse("cpus:0.1;mem:32")));
    TaskId task = new TaskId("survivor");
    AgentId agent = offer.agentId();
    assertThat(framework.launch(offer, task, "sleep 3600", Resources.parse("cpus:0.1;mem:32"))).isEqualTo(202);
    framework.awaitState(task, TaskState.TASK_RUNNING, WAIT);
    quiet(framework);

    // An app of the services scheduler, created before the failovers.
    V2Client.Answer created = new V2Client(cluster.masterAddress()).post("/v2/apps",
        routedApp("/steady", 2, ",\"upgradeStrategy\":{\"minimumHealthCapacity\":1,\"maximumOverCapacity\":0.5}"));
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    await("both instances running").atMost(WAIT).until(() -> appTasks("/steady").stream()
        .filter(t -> t.path("state").asText().equals("TASK_RUNNING")).count() == 2);
    Set<String> instances = ids(appTasks("/steady"));
    // The load balancer's discovery, given every master, sees the app's two instances.
    feed = new ServicesFeed(cluster.masterAddresses(), 0, null, d -> { });
    feed.start();
    await("the load balancer discovers the app").atMost(WAIT).until(() -> serving("/steady") == 2);

    List<Long> failoverMs = new ArrayList<>();
    for (int round = 1; round <= 3; round++) {
      int old = cluster.leaderIndex();
      long killedAt = System.nanoTime();
      cluster.killMaster(old);
      await("a new leader with both agents").atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
        int now = cluster.leaderIndex();
        return now != old && cluster.activeAgents() == 2;
      });
      long ms = (System.nanoTime() - killedAt) / 1_000_000;
      failoverMs.add(ms);
      System.out.printf("failover %d: master-%d killed, master-%d leads with both agents after %d ms%n",
          round, old + 1, cluster.leaderIndex() + 1, ms);

      // The framework resubscribes (its stream died with the leader) and reconciles its task.
      framework.close();
      framework = TestFramework.subscribe(cluster.masterAddresses(), TestFramework.info("ha-tester", frameworkId, 3600));
      TestFramework current = framework;
      assertThat(current.id()).isEqualTo(frameworkId);
      quiet(current);
      current.send(Call.reconcile(frameworkId, List.of(new Call.ReconcileTask(task, agent))));
      await("the task reconciles as running").atMost(WAIT)
          .until(() -> current.states(task).contains(TaskState.TASK_RUNNING));
      assertThat(current.states(task)).doesNotContain(TaskState.TASK_LOST, TaskState.TASK_KILLED,
          TaskState.TASK_UNREACHABLE, TaskState.TASK_FAILED);
      assertThat(cluster.runningTaskIds()).contains(task.value());

      // The app is still there, with the same two instances (nothing relaunched).
      await("the services scheduler serves the app").atMost(WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> appTasks("/steady").size() >= 2);
      assertThat(ids(appTasks("/steady"))).isEqualTo(instances);
      assertThat(cluster.runningTaskIds()).containsAll(instances).hasSize(3 + round - 1);

      // The load balancer follows the new leader: an app created now reaches it.
      String after = "/after-" + round;
      assertThat(new V2Client(cluster.masterAddress()).post("/v2/apps", routedApp(after, 1, "")).status()).isEqualTo(201);
      await("the load balancer discovers " + after).atMost(WAIT).until(() -> serving(after) == 1);
      assertThat(serving("/steady")).isEqualTo(2);

      cluster.startMaster(old); // back as a standby
    }
    framework.close();
    failoverMs.sort(Long::compare);
    System.out.printf("failover times (ms): %s, median %d%n", failoverMs, failoverMs.get(failoverMs.size() / 2));
  }
}
