package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.agent.Agent;
import io.mezzo.agent.AgentConfig;
import io.mezzo.agent.recovery.RecoveryMode;
import io.mezzo.balancer.Balancer;
import io.mezzo.core.auth.Caller;
import io.mezzo.core.auth.Credentials;
import io.mezzo.core.auth.Security;
import io.mezzo.core.auth.Tls;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.Resources;
import io.mezzo.master.Master;
import io.mezzo.master.MasterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane over TLS (the test CA's certificate for 127.0.0.1, {@code src/test/resources/tls})
 * with credentials: a master serving the services API, its in-process services scheduler, an agent
 * and a load balancer, each calling the others over HTTPS with its own secret; and the CLI with
 * {@code --tls-ca} and {@code --token-file}.
 */
class TlsControlPlaneTest {
  static final String ADMIN = "admin-secret-0123456789";
  static final String OPS = "ops-secret-0123456789";
  static final String AGENT = "agent-secret-0123456789";

  @TempDir
  static Path dir;

  static Master master;
  static ServicesHost services;
  static Agent agent;
  static Balancer lb;
  static Security security;
  static Caller admin;

  static Path tls(String name) {
    try {
      return Path.of(TlsControlPlaneTest.class.getResource("/tls/" + name).toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeAll
  static void start() {
    Credentials credentials = Credentials.parse("""
        {"principals": [
          {"name": "root", "secret": "admin-secret-0123456789", "role": "admin"},
          {"name": "ops", "secret": "ops-secret-0123456789", "role": "operator"},
          {"name": "agents", "secret": "agent-secret-0123456789", "role": "agent"}]}
        """);
    security = new Security(credentials, false).withTls(new Tls.Server(tls("server.pem"), tls("server.key")));
    admin = new Caller(ADMIN, Tls.trusting(tls("ca.pem")));
    services = new ServicesHost(List.of());
    master = Master.start(new MasterConfig("127.0.0.1", 0, dir.resolve("master"), null, "127.0.0.1",
        Duration.ofSeconds(5), 5, Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(2)),
        security, services::routes);
    String address = "127.0.0.1:" + master.port();
    services.start(address, master.zkConnect(), address, "root", admin);
    agent = Agent.start(AgentConfig.defaults(address, dir.resolve("agent")).withResources(Resources.parse("cpus:1;mem:128")),
        io.mezzo.agent.isolation.IsolationConfig.defaults(), RecoveryMode.RECONNECT, security,
        new Caller(AGENT, Tls.trusting(tls("ca.pem"))));
    lb = Balancer.start(address, "127.0.0.1", io.mezzo.testkit.MezzoCluster.freeLoopbackPort(), null, 0, null, security,
        new Caller(OPS, Tls.trusting(tls("ca.pem"))));
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {lb, agent, services, master}) {
      if (c != null) {
        c.close();
      }
    }
  }

  private static JsonNode get(int port, String path) throws Exception {
    JsonClient client = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10), admin);
    JsonClient.Reply r = client.get(client.uri("127.0.0.1:" + port, path)).join();
    assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  @Test
  void theAgentAndTheServicesSchedulerReachTheMasterOverHttps() throws Exception {
    await("agent registered over https").atMost(Duration.ofSeconds(30)).until(() -> agent.agentId().isPresent());
    await("services subscribed over https").atMost(Duration.ofSeconds(30)).until(() ->
        get(master.port(), "/master/state").path("frameworks").findValuesAsText("name").contains("mezzo-services"));
    assertThat(get(agent.port(), "/state").isObject()).isTrue();
    assertThat(get(lb.adminPort(), "/stats").has("routes")).isTrue();
  }

  @Test
  void theCliCallsTheMasterWithTlsCaAndTokenFile() throws Exception {
    Path token = dir.resolve("ops.token");
    Files.writeString(token, OPS);
    await("services API answers").atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> get(master.port(), "/v2/apps").has("apps"));
    CliRun ok = CliRun.mezzo("app", "list", "--master", "127.0.0.1:" + master.port(), "--tls-ca",
        tls("ca.pem").toString(), "--token-file", token.toString());
    assertThat(ok.exit()).as(ok.toString()).isZero();
    assertThat(ok.out()).contains("ID  INSTANCES");
    CliRun untrusted = CliRun.mezzo("app", "list", "--master", "127.0.0.1:" + master.port(), "--tls-ca",
        tls("other-ca.pem").toString(), "--token-file", token.toString());
    assertThat(untrusted.exit()).as(untrusted.toString()).isNotZero();
  }
}
