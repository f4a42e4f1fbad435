package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.V2Client;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services scheduler's instance life cycle on a real cluster: every instance removed drains
 * (published on the event bus) before it is killed, an unreachable instance is replaced only after
 * the app's {@code unreachableStrategy} says so and the surplus is drained when it returns, and the
 * scheduler runs as its own process ({@code mezzo services}) against a master without it.
 */
class ServicesLifecycleClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  MezzoCluster cluster;
  V2Client v2;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private void awaitSubscribed() {
    await("services scheduler subscribed").atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> v2.get("/v2/info").json().path("frameworkId").isTextual());
  }

  private List<JsonNode> tasks(String id) {
    List<JsonNode> out = new ArrayList<>();
    v2.get("/v2/apps" + id + "/tasks").json().path("tasks").forEach(out::add);
    return out;
  }

  @Test
  void scaleInDrainsEachRemovedInstanceOnTheEventBusBeforeKillingIt() throws Exception {
    cluster = MezzoCluster.builder(dir).agents(1).start();
    v2 = new V2Client(cluster.masterAddress());
    awaitSubscribed();
    String app = "{\"id\":\"/drain\",\"cmd\":\"sleep 3600\",\"cpus\":0.1,\"mem\":16,\"instances\":3,"
        + "\"labels\":{\"mezzo.drain.seconds\":\"600\"}}";
    assertThat(v2.post("/v2/apps", app).status()).isEqualTo(201);
    await().atMost(WAIT).until(() -> tasks("/drain").size() == 3 && v2.get("/v2/deployments").json().isEmpty());

    List<String> events = new CopyOnWriteArrayList<>();
    int port = Integer.parseInt(cluster.masterAddress().split(":")[1]);
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.getOutputStream().write(("GET /v2/events?event_type=instance_changed_event HTTP/1.1\r\nHost: x\r\n"
          + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      Thread reader = new Thread(() -> read(s, events));
      reader.setDaemon(true);
      reader.start();
      await("stream attached").atMost(WAIT).until(() -> String.join("", events).contains(": connected"));

      assertThat(v2.patch("/v2/apps/drain", "{\"instances\":1}").status()).isEqualTo(200);
      await("two instances draining").atMost(WAIT).until(() ->
          tasks("/drain").stream().filter(t -> t.path("mezzoState").asText().equals("DRAINING")).count() == 2);
      List<String> draining = tasks("/drain").stream().filter(t -> t.path("mezzoState").asText().equals("DRAINING"))
          .map(t -> t.path("id").asText()).toList();
      await("Draining published for both").atMost(WAIT).until(() -> {
        String all = String.join("", events);
        return draining.stream().allMatch(id -> all.contains("\"instanceId\":\"" + id + "\",\"condition\":\"Draining\""));
      });
      // 600 s of drain: they still run, and the deployment waits for them.
      assertThat(cluster.runningTaskIds()).containsAll(draining);
      assertThat(v2.get("/v2/deployments").json()).hasSize(1);

      // The load balancer's hook ends a drain at once.
      for (String id : draining) {
        V2Client.Answer drained = v2.post("/v2/tasks/" + id + "/drained", "{}");
        assertThat(drained.status()).as("%s", drained).isEqualTo(200);
      }
      await("killed after draining, deployment done").atMost(WAIT).until(() ->
          draining.stream().noneMatch(cluster.runningTaskIds()::contains) && v2.get("/v2/deployments").json().isEmpty());
      await().atMost(WAIT).until(() -> String.join("", events).contains("\"condition\":\"Killing\""));
      String all = String.join("", events);
      for (String id : draining) {
        assertThat(all.indexOf("\"instanceId\":\"" + id + "\",\"condition\":\"Draining\""))
            .isLessThan(all.indexOf("\"instanceId\":\"" + id + "\",\"condition\":\"Killing\""));
      }
      assertThat(tasks("/drain")).hasSize(1);
    }
  }

  private static void read(Socket s, List<String> into) {
    byte[] buf = new byte[8192];
    try (InputStream in = s.getInputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        into.add(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
    } catch (Exception e) {
      // the test closed the socket
    }
  }

  @Test
  void anUnreachableInstanceIsReplacedAfterInactiveAfterSecondsAndTheSurplusDrainedWhenItReturns() {
    cluster = MezzoCluster.builder(dir).agents(2).agentHeartbeat(Duration.ofMillis(200), 5).start();
    v2 = new V2Client(cluster.masterAddress());
    awaitSubscribed();
    String app = "{\"id\":\"/partitioned\",\"cmd\":\"sleep 3600\",\"cpus\":0.1,\"mem\":16,\"instances\":1,"
        + "\"labels\":{\"mezzo.drain.seconds\":\"0\"},"
        + "\"unreachableStrategy\":{\"inactiveAfterSeconds\":3,\"expungeAfterSeconds\":600}}";
    assertThat(v2.post("/v2/apps", app).status()).isEqualTo(201);
    await().atMost(WAIT).until(() -> tasks("/partitioned").size() == 1
        && tasks("/partitioned").get(0).path("state").asText().equals("TASK_RUNNING"));
    JsonNode first = tasks("/partitioned").get(0);
    String firstId = first.path("id").asText();
    String agentId = first.path("agentId").asText();
    MezzoCluster.Node agent = agentNode(agentId);

    agent.pause();
    try {
      await("unreachable").atMost(WAIT).until(() -> tasks("/partitioned").stream()
          .anyMatch(t -> t.path("id").asText().equals(firstId) && t.path("state").asText().equals("TASK_UNREACHABLE")));
      await("replaced on the other agent").atMost(WAIT).until(() -> tasks("/partitioned").stream()
          .anyMatch(t -> !t.path("id").asText().equals(firstId) && t.path("state").asText().equals("TASK_RUNNING")));
    } finally {
      agent.resume();
    }
    await("back to exactly one instance").atMost(WAIT).until(() -> {
      List<JsonNode> now = tasks("/partitioned");
      return now.size() == 1 && now.get(0).path("state").asText().equals("TASK_RUNNING");
    });
    // YOUNGEST_FIRST: the replacement is the surplus, the instance that came back stays.
    assertThat(tasks("/partitioned").get(0).path("id").asText()).isEqualTo(firstId);
  }

  private MezzoCluster.Node agentNode(String agentId) {
    for (JsonNode s : cluster.masterState().path("slaves")) {
      if (s.path("id").asText().equals(agentId)) {
        int port = s.path("port").asInt();
        for (String name : new String[] {"agent-1", "agent-2"}) {
          if (cluster.node(name).port() == port) {
            return cluster.node(name);
          }
        }
      }
    }
    throw new AssertionError("no agent process for " + agentId);
  }

  @Test
  void theServicesSchedulerRunsAsItsOwnProcessAgainstAMasterWithoutIt() {
    cluster = MezzoCluster.builder(dir).agents(1).services(false).start();
    assertThat(new V2Client(cluster.masterAddress()).get("/v2/apps").status()).isEqualTo(404);
    int port = MezzoCluster.freeLoopbackPort();
    cluster.startServices(port);
    v2 = new V2Client("127.0.0.1:" + port);
    awaitSubscribed();
    String app = "{\"id\":\"/apart\",\"cmd\":\"sleep 3600\",\"cpus\":0.1,\"mem\":16,\"instances\":2}";
    assertThat(v2.post("/v2/apps", app).status()).isEqualTo(201);
    await().atMost(WAIT).until(() -> tasks("/apart").stream()
        .filter(t -> t.path("state").asText().equals("TASK_RUNNING")).count() == 2);
    String frameworkId = v2.get("/v2/info").json().path("frameworkId").asText();
    boolean seen = false;
    for (JsonNode f : cluster.masterState().path("frameworks")) {
      if (f.path("id").asText().equals(frameworkId)) {
        seen = f.path("name").asText().equals("mezzo-services") && f.path("tasks").size() == 2;
      }
    }
    assertThat(seen).as("the master runs the framework's two tasks").isTrue();

    // kill -9 of the services process: its tasks keep running, and a new process takes them over.
    cluster.node("services").kill9();
    cluster.startServices(port);
    awaitSubscribed();
    assertThat(v2.get("/v2/info").json().path("frameworkId").asText()).isEqualTo(frameworkId);
    await().atMost(WAIT).until(() -> tasks("/apart").stream()
        .filter(t -> t.path("state").asText().equals("TASK_RUNNING")).count() == 2);
    await("its deployment (resumed, if the kill came first) completes").atMost(WAIT)
        .until(() -> v2.get("/v2/deployments").json().isEmpty());
    assertThat(tasks("/apart")).hasSize(2);
  }
}
