package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.auth.Caller;
import io.mezzo.core.auth.Tls;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.json.Json;
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
import io.mezzo.testkit.TestPki;
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
 * A cluster of processes whose master requires client certificates ({@code --tls-client-ca},
 * {@code --tls-client-auth require}) from a throw-away CA ({@link TestPki}): its agent, the master's
 * services scheduler, a load balancer, frameworks and the CLI are known by their certificates alone,
 * with the roles of the principals those name; callers without a certificate, or with one of another
 * CA, are refused.
 */
class MutualTlsClusterTest {
  static final Duration TASK_TIMEOUT = Duration.ofSeconds(30);

  @TempDir
  static Path dir;

  static TestPki pki;
  static MezzoCluster cluster;
  static TestPki.Identity frameworkA;
  static TestPki.Identity frameworkB;
  static TestPki.Identity viewer;
  static TestPki.Identity operator;
  static TestPki.Identity stranger;
  static TestPki.Identity foreignAgent;

  @BeforeAll
  static void startCluster() {
    pki = TestPki.create(dir.resolve("pki"), "cluster-ca");
    frameworkA = pki.client("fw-a", "/CN=fw-a");
    frameworkB = pki.client("fw-b", "/CN=fw-b");
    viewer = pki.client("grafana", "/O=Monitoring/CN=grafana");
    operator = pki.client("ops", "/CN=ops");
    stranger = pki.client("stranger", "/CN=stranger");
    // the agents' subject, from a CA the master does not trust
    foreignAgent = TestPki.create(dir.resolve("other"), "other-ca").client("test-agents", "/CN=test-agents");
    cluster = MezzoCluster.builder(dir.resolve("cluster")).agents(1)
        .certificatePrincipal("fa", "framework", "CN=fw-a", "*")
        .certificatePrincipal("fb", "framework", "CN=fw-b", "*")
        .certificatePrincipal("view", "viewer", "CN=grafana,O=Monitoring")
        .certificatePrincipal("ops", "operator", "CN=ops")
        .mutualTls(pki, true)
        .start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Caller as(TestPki.Identity identity) {
    return new Caller(null, Tls.client(pki.caPem(), identity.certificate(), identity.key()));
  }

  private static FrameworkInfo info(String name, String principal) {
    return new FrameworkInfo(TestFramework.USER, name, null, 3600.0, false, null, null, null, principal, null, List.of());
  }

  @Test
  void anAgentKnownByItsCertificateRegistersAndRunsATask() {
    assertThat(cluster.activeAgents()).isEqualTo(1); // it was given no secret, only --tls-client-cert
    try (TestFramework a = TestFramework.subscribeAs(cluster.masterAddress(), as(frameworkA), info("a", "fa"))) {
      Offer offer = a.awaitOffer();
      TaskId task = new TaskId("a-echo");
      a.launch(offer, task, "echo by certificate", Resources.parse("cpus:0.1;mem:32"));
      a.awaitState(task, TaskState.TASK_FINISHED, TASK_TIMEOUT);
    }
  }

  @Test
  void agentsWithoutACertificateOrWithAnotherCasAreRefused() throws Exception {
    AgentCall subscribe = AgentCall.subscribe(new AgentInfo(null, "rogue", 5051, Resources.parse("cpus:64;mem:65536")
        .toList()), List.of());
    URI uri = URI.create("https://" + cluster.masterAddress() + "/api/v1/agent");
    // no certificate, even with the agents' subject from another CA: refused in the handshake
    for (Caller rogue : new Caller[] {new Caller(null, Tls.trusting(pki.caPem())),
        new Caller(null, Tls.client(pki.caPem(), foreignAgent.certificate(), foreignAgent.key()))}) {
      JsonClient client = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10), rogue);
      assertThatThrownBy(() -> client.subscribe(uri, subscribe, Map.of(), Object.class, e -> { }, e -> { }).close())
          .isInstanceOf(java.io.IOException.class);
    }
    // a certificate of this CA, but of no principal, or of a principal that is no agent: 401, 403
    Map<TestPki.Identity, Integer> refusals = Map.of(stranger, 401, viewer, 403, frameworkA, 403);
    for (Map.Entry<TestPki.Identity, Integer> r : refusals.entrySet()) {
      JsonClient client = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10), as(r.getKey()));
      try (JsonClient.Subscription sub = client.subscribe(uri, subscribe, Map.of(), Object.class, e -> { }, e -> { })) {
        assertThat(sub.isOpen()).as("agent SUBSCRIBE as " + r.getKey().certificate()).isFalse();
        assertThat(sub.reply().status()).as(sub.reply().body()).isEqualTo(r.getValue());
      }
    }
    assertThat(cluster.activeAgents()).isEqualTo(1);
  }

  @Test
  void aFrameworkKnownByItsCertificateIsKeptToItsPrincipalAndItsTasks() {
    assertThatThrownBy(() -> TestFramework.subscribeAs(cluster.masterAddress(), as(frameworkA), info("imposter", "fb")))
        .isInstanceOf(SchedulerClient.SchedulerException.class)
        .hasMessageContaining("HTTP 403: subscribe.framework_info.principal: 'fb' (expected: 'fa'");
    try (TestFramework b = TestFramework.subscribeAs(cluster.masterAddress(), as(frameworkB), info("b", "fb"));
        TestFramework a = TestFramework.subscribeAs(cluster.masterAddress(), as(frameworkA), info("a", "fa"))) {
      Offer offer = b.awaitOffer();
      TaskId task = new TaskId("b-sleeper");
      b.launch(offer, task, "sleep 600", Resources.parse("cpus:0.1;mem:32"));
      b.awaitState(task, TaskState.TASK_RUNNING, TASK_TIMEOUT);

      JsonClient.Reply asB = a.client().send(Call.kill(b.id(), task, offer.agentId())).join();
      assertThat(asB.status()).isEqualTo(403);
      assertThat(asB.body()).isEqualTo("principal 'fa' may not KILL for framework " + b.id()
          + " (expected: a framework subscribed by 'fa'; it belongs to 'fb')");
      assertThat(cluster.runningTaskIds()).contains(task.value());
      // its owner, known by its own certificate, may
      assertThat(b.kill(task, offer.agentId())).isEqualTo(202);
      b.awaitState(task, TaskState.TASK_KILLED, TASK_TIMEOUT);
    }
  }

  @Test
  void aViewerCertificateReadsButIsRefusedOperatorEndpoints() throws Exception {
    JsonClient view = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10), as(viewer));
    assertThat(view.get(view.uri(cluster.masterAddress(), "/v2/apps")).join().status()).isEqualTo(200);
    JsonNode app = Json.MAPPER.readTree("{\"id\": \"/web\", \"cmd\": \"sleep 60\", \"instances\": 1}");
    JsonClient.Reply create = view.post(view.uri(cluster.masterAddress(), "/v2/apps"), app, Map.of()).join();
    assertThat(create.status()).isEqualTo(403);
    assertThat(create.body()).isEqualTo("principal 'view' (role viewer) may not POST /v2/apps"
        + " (expected: role admin or operator)");
    JsonNode weights = Json.MAPPER.readTree("{\"type\": \"UPDATE_WEIGHTS\", \"update_weights\": {\"weight_infos\": "
        + "[{\"role\": \"web\", \"weight\": 2.0}]}}");
    JsonClient.Reply update = view.post(view.uri(cluster.masterAddress(), "/api/v1"), weights, Map.of()).join();
    assertThat(update.status()).as(update.body()).isEqualTo(403);
  }

  @Test
  void theCliCallsWithAClientCertificateAndNoToken() {
    CliRun ok = CliRun.mezzo("app", "list", "--master", cluster.masterAddress(), "--tls-ca", pki.caPem().toString(),
        "--tls-client-cert", viewer.certificate().toString(), "--tls-client-key", viewer.key().toString());
    assertThat(ok.exit()).as(ok.toString()).isZero();
    assertThat(ok.out()).containsPattern("^ID +INSTANCES");
    CliRun without = CliRun.mezzo("app", "list", "--master", cluster.masterAddress(), "--tls-ca",
        pki.caPem().toString());
    assertThat(without.exit()).as(without.toString()).isNotZero();
    CliRun noCa = CliRun.mezzo("app", "list", "--master", cluster.masterAddress(),
        "--tls-client-cert", viewer.certificate().toString(), "--tls-client-key", viewer.key().toString());
    assertThat(noCa.exit()).as(noCa.toString()).isNotZero();
    assertThat(noCa.err()).contains("--tls-client-cert, --tls-client-key: given without --tls-ca");
  }

  @Test
  void aLoadBalancerKnownByItsCertificateFollowsTheApps() throws Exception {
    int adminPort = MezzoCluster.freeLoopbackPort();
    cluster.startLoadBalancer(MezzoCluster.freeLoopbackPort(), adminPort);
    int appPort = MezzoCluster.freeLoopbackPort();
    JsonClient ops = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10), as(operator));
    JsonNode app = Json.MAPPER.readTree("{\"id\":\"/behind-lb\",\"cmd\":\"sleep 3600\",\"cpus\":0.1,\"mem\":16,"
        + "\"instances\":1,\"labels\":{\"MEZZO_LB_PORT_0\":\"" + appPort + "\"}}");
    JsonClient.Reply created = ops.post(ops.uri(cluster.masterAddress(), "/v2/apps"), app, Map.of()).join();
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    await("the lb routes the app it read from the master over mutual TLS").atMost(Duration.ofSeconds(60))
        .ignoreExceptions().until(() -> {
          java.util.Iterator<String> routes = cluster.getJson(adminPort, "/stats").path("routes").fieldNames();
          while (routes.hasNext()) {
            if (routes.next().contains("behind-lb")) {
              return true;
            }
          }
          return false;
        });
  }

  /**
   * Regression: {@code mezzo master --credentials --tls-cert ...} without {@code --secret-file} rebuilt
   * its security with the in-process services principal and lost the TLS files, serving plain HTTP.
   */
  @Test
  void aMasterWithCredentialsAndTlsButNoSecretFileServesOnlyHttps() {
    JsonClient plain = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10), Caller.NONE);
    assertThatThrownBy(() -> plain.get(URI.create("http://" + cluster.masterAddress() + "/health")).join())
        .isInstanceOf(java.util.concurrent.CompletionException.class);
    JsonClient admin = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10), as(operator));
    assertThat(admin.get(admin.uri(cluster.masterAddress(), "/health")).join().status()).isEqualTo(200);
  }
}
