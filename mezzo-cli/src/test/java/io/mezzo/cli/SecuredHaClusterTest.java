package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.scheduler.Call;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.TestFramework;
import io.mezzo.testkit.V2Client;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Master HA with credentials, as real processes: a ZooKeeper ensemble of three, three masters with
 * {@code --credentials}, two agents holding the agent secret and a {@code mezzo lb} holding an admin's,
 * both given {@code --master zk://...}; an operator, a viewer and a framework principal.
 *
 * <p>A standby redirects every request, with a token or without, to the leader (Mesos's master
 * detection: the redirect only says where the leader is), and the leader authenticates. The CLI with
 * an operator's token deploys through a standby (following its 307 to the leader with the token), given
 * one standby, the masters' list or {@code zk://}. After a kill -9 of the leader, agents reregister
 * with the new leader (authenticated), the framework resubscribes with its secret, the load balancer
 * follows the new leader through ZooKeeper, and a wrong token is still a 401.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecuredHaClusterTest {
  static final String OPS = "operator-secret-0123456789";
  static final String VIEWER = "viewer-secret-0123456789";
  static final String FRAMEWORK = "framework-secret-0123456789";
  static final String WRONG = "not-a-known-secret-0123456789";
  static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  static Path dir;

  static MezzoCluster cluster;
  static Path opsToken;
  static int lbAdminPort;
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
      .followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = MezzoCluster.builder(dir).masters(3).zookeepers(3).agents(2).zkDiscovery()
        .principal("ops", "operator", OPS)
        .principal("view", "viewer", VIEWER)
        .principal("fw", "framework", FRAMEWORK, "*")
        .start();
    opsToken = dir.resolve("ops.token");
    Files.createFile(opsToken, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(opsToken, OPS);
    await("the services scheduler registered").atMost(WAIT).ignoreExceptions()
        .until(() -> leaderV2(VIEWER).get("/v2/info").json().path("frameworkId").isTextual());
    lbAdminPort = MezzoCluster.freeLoopbackPort();
    cluster.startLoadBalancer(MezzoCluster.freeLoopbackPort(), lbAdminPort);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static V2Client leaderV2(String token) {
    return new V2Client(cluster.masterAddress(), token);
  }

  private static String address(int master) {
    return "127.0.0.1:" + cluster.masterNode(master).port();
  }

  private static int aStandby() {
    return (cluster.leaderIndex() + 1) % 3;
  }

  /** One request with {@code token} (null: none), redirects not followed. */
  private static HttpResponse<String> send(String method, String hostPort, String path, String token, String json)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + hostPort + path)).timeout(Duration.ofSeconds(10))
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A sleeping app with one port, routed by the load balancer on its own port. */
  private static String app(String id) {
    return "{\"id\":\"" + id + "\",\"cmd\":\"sleep 3600\",\"cpus\":0.1,\"mem\":32,\"instances\":1,"
        + "\"portDefinitions\":[{\"port\":0,\"name\":\"http\"}],"
        + "\"labels\":{\"MEZZO_LB_PORT_0\":\"" + MezzoCluster.freeLoopbackPort() + "\"}}";
  }

  private static CliRun deploy(String master, String id) throws Exception {
    Path file = dir.resolve(id.substring(1) + ".json");
    Files.writeString(file, app(id));
    return CliRun.mezzo("app", "deploy", file.toString(), "--master", master, "--token-file", opsToken.toString());
  }

  /** How many backends the load balancer process knows for {@code appId}'s first port (its /stats, as a viewer). */
  private static int lbBackends(String appId) {
    try {
      HttpResponse<String> r = send("GET", "127.0.0.1:" + lbAdminPort, "/stats", VIEWER, null);
      return r.statusCode() != 200 ? 0
          : Json.MAPPER.readTree(r.body()).path("routes").path(appId + ":0").path("backends").size();
    } catch (Exception e) {
      return 0;
    }
  }

  private static FrameworkInfo info(FrameworkId id) {
    return new FrameworkInfo(TestFramework.USER, "secured-ha", id, 3600.0, false, null, null, null, "fw", null, List.of());
  }

  @Test
  @Order(1)
  void aStandbyRedirectsEveryRequestAndTheLeaderAuthenticates() throws Exception {
    String leader = address(cluster.leaderIndex());
    String standby = address(aStandby());

    for (String token : new String[] {null, WRONG, VIEWER}) {
      HttpResponse<String> r = send("POST", standby, "/v2/apps", token, app("/redirected"));
      assertThat(r.statusCode()).as("token %s", token).isEqualTo(307);
      assertThat(r.headers().firstValue("Location")).contains("//" + leader + "/v2/apps");
    }
    HttpResponse<String> none = send("POST", leader, "/v2/apps", null, app("/refused"));
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    assertThat(send("POST", leader, "/v2/apps", WRONG, app("/refused")).statusCode()).isEqualTo(401);
    assertThat(send("POST", leader, "/v2/apps", VIEWER, app("/refused")).statusCode()).isEqualTo(403);
    assertThat(send("GET", leader, "/v2/apps/refused", VIEWER, null).statusCode()).isEqualTo(404);
    // What a standby answers itself needs the same level as on the leader.
    assertThat(send("GET", standby, "/master/state", null, null).statusCode()).isEqualTo(401);
    HttpResponse<String> state = send("GET", standby, "/master/state", VIEWER, null);
    assertThat(state.statusCode()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(state.body()).path("leader").asText()).isEqualTo("master@" + leader);
  }

  @Test
  @Order(2)
  void theCliDeploysThroughAStandbyWithItsTokenGivenOneStandbyTheListOrZooKeeper() throws Exception {
    String standby = address(aStandby());

    CliRun viaStandby = deploy(standby, "/via-standby");
    assertThat(viaStandby.exit()).as("%s", viaStandby).isZero();
    CliRun viaList = deploy(cluster.masterAddresses(), "/via-list");
    assertThat(viaList.exit()).as("%s", viaList).isZero();
    CliRun viaZk = deploy(cluster.zkUrl(), "/via-zk");
    assertThat(viaZk.exit()).as("%s", viaZk).isZero();
    CliRun withoutToken = CliRun.mezzo("app", "list", "--master", standby);
    assertThat(withoutToken.exit()).as("%s", withoutToken).isEqualTo(1);
    assertThat(withoutToken.err()).contains("answered 401");

    CliRun list = CliRun.mezzo("app", "list", "--master", cluster.zkUrl(), "--token-file", opsToken.toString());
    assertThat(list.exit()).as("%s", list).isZero();
    assertThat(list.out()).contains("/via-standby", "/via-list", "/via-zk");
    for (String id : List.of("/via-standby", "/via-list", "/via-zk")) {
      await("the load balancer (zk://) discovers " + id).atMost(WAIT).until(() -> lbBackends(id) == 1);
    }
  }

  @Test
  @Order(3)
  void afterAKillOfTheLeaderAgentsTheFrameworkAndTheLbFollowTheNewLeaderWithTheirSecrets() throws Exception {
    TestFramework framework = TestFramework.subscribe(cluster.masterAddresses(), FRAMEWORK, info(null));
    FrameworkId id = framework.id();
    Offer offer = framework.awaitOffer(o -> Resources.of(o.resources()).contains(Resources.parse("cpus:0.1;mem:32")));
    TaskId task = new TaskId("secured-survivor");
    AgentId agent = offer.agentId();
    assertThat(framework.launch(offer, task, "sleep 3600", Resources.parse("cpus:0.1;mem:32"))).isEqualTo(202);
    framework.awaitState(task, TaskState.TASK_RUNNING, WAIT);
    framework.send(Call.of(id, Call.Type.SUPPRESS));
    framework.declineAll(3600);

    int old = cluster.leaderIndex();
    long killedAt = System.nanoTime();
    cluster.killMaster(old);
    // Agents (zk://) find the new leader and reregister with the agent secret.
    await("a new leader with both agents").atMost(WAIT).pollInterval(Duration.ofMillis(100))
        .until(() -> cluster.leaderIndex() != old && cluster.activeAgents() == 2);
    System.out.printf("secured failover: master-%d killed, master-%d leads with both agents after %d ms%n", old + 1,
        cluster.leaderIndex() + 1, (System.nanoTime() - killedAt) / 1_000_000);
    String leader = address(cluster.leaderIndex());

    // The framework resubscribes with its secret, finding the leader in ZooKeeper this time.
    framework.close();
    try (TestFramework again = TestFramework.subscribe(cluster.zkUrl(), FRAMEWORK, info(id))) {
      assertThat(again.id()).isEqualTo(id);
      again.send(Call.of(id, Call.Type.SUPPRESS));
      again.declineAll(3600);
      again.send(Call.reconcile(id, List.of(new Call.ReconcileTask(task, agent))));
      await("the task reconciles as running").atMost(WAIT)
          .until(() -> again.states(task).contains(TaskState.TASK_RUNNING));
      assertThat(again.states(task)).doesNotContain(TaskState.TASK_LOST, TaskState.TASK_KILLED,
          TaskState.TASK_UNREACHABLE, TaskState.TASK_FAILED);
    }
    // Without the framework's secret the same resubscription is refused.
    assertThat(send("POST", leader, "/api/v1/scheduler", WRONG,
        "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"x\",\"name\":\"x\"}}}").statusCode())
        .isEqualTo(401);

    // The new leader authenticates as the old one did; the remaining standbys redirect to it.
    assertThat(send("GET", leader, "/v2/apps", WRONG, null).statusCode()).isEqualTo(401);
    assertThat(send("GET", leader, "/v2/apps", null, null).statusCode()).isEqualTo(401);
    assertThat(send("GET", leader, "/master/state", VIEWER, null).statusCode()).isEqualTo(200);
    for (int i = 0; i < 3; i++) {
      if (i != old && i != cluster.leaderIndex()) {
        HttpResponse<String> r = send("GET", address(i), "/v2/apps", WRONG, null);
        assertThat(r.statusCode()).isEqualTo(307);
        assertThat(r.headers().firstValue("Location")).contains("//" + leader + "/v2/apps");
      }
    }

    // The load balancer (zk://) follows the new leader: an app deployed now through ZooKeeper reaches it.
    CliRun after = deploy(cluster.zkUrl(), "/after-failover");
    assertThat(after.exit()).as("%s", after).isZero();
    await("the load balancer discovers /after-failover").atMost(WAIT).until(() -> lbBackends("/after-failover") == 1);
    assertThat(lbBackends("/via-zk")).isEqualTo(1);
    cluster.startMaster(old);
  }
}
