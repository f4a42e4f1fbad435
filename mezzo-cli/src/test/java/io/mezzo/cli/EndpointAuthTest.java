package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.agent.Agent;
import io.mezzo.agent.AgentConfig;
import io.mezzo.agent.recovery.RecoveryMode;
import io.mezzo.balancer.Balancer;
import io.mezzo.core.auth.Access;
import io.mezzo.core.auth.Credentials;
import io.mezzo.core.auth.Security;
import io.mezzo.core.http.HttpServer;
import io.mezzo.core.model.Resources;
import io.mezzo.master.Master;
import io.mezzo.master.MasterConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every endpoint of a real master (with the services API and the autoscaler's routes, as
 * {@code mezzo master} serves them), a real agent and a real load balancer's admin server, all with
 * credentials: each route is taken from the server's own route table, so an endpoint added later is
 * checked without touching this test. Each must refuse a missing token (401), a wrong token (401) and
 * a known principal below its level (403); only health pings may be open.
 */
class EndpointAuthTest {
  static final String ADMIN = "admin-secret-0123456789";
  static final String OPS = "ops-secret-0123456789";
  static final String VIEWER = "viewer-secret-0123456789";
  static final String AGENT = "agent-secret-0123456789";
  static final String FRAMEWORK = "framework-secret-0123456789";
  static final Security SECURITY = new Security(Credentials.parse("""
      {"principals": [
        {"name": "root", "secret": "admin-secret-0123456789", "role": "admin"},
        {"name": "ops", "secret": "ops-secret-0123456789", "role": "operator"},
        {"name": "view", "secret": "viewer-secret-0123456789", "role": "viewer"},
        {"name": "agents", "secret": "agent-secret-0123456789", "role": "agent"},
        {"name": "fw", "secret": "framework-secret-0123456789", "role": "framework", "frameworkRoles": ["*"]}]}
      """), false);

  @TempDir
  static Path dir;

  static Master master;
  static Agent agent;
  static Balancer lb;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() {
    ServicesHost services = new ServicesHost();
    master = Master.start(new MasterConfig("127.0.0.1", 0, dir.resolve("master"), null, "127.0.0.1",
        Duration.ofSeconds(5), 5, Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(2)),
        SECURITY, services::routes);
    agent = Agent.start(AgentConfig.defaults("127.0.0.1:" + master.port(), dir.resolve("agent"))
        .withResources(Resources.parse("cpus:1;mem:128")), io.mezzo.agent.isolation.IsolationConfig.defaults(),
        RecoveryMode.RECONNECT, SECURITY, io.mezzo.core.auth.Caller.withToken(AGENT));
    lb = Balancer.start("127.0.0.1:" + master.port(), "127.0.0.1", io.mezzo.testkit.MezzoCluster.freeLoopbackPort(),
        null, 0, null, SECURITY, io.mezzo.core.auth.Caller.withToken(OPS));
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {lb, agent, master}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // closing the rest matters more
      }
    }
  }

  @Test
  void everyMasterAndServicesEndpointRefusesMissingWrongAndWeakTokens() throws Exception {
    assertThat(master.routes()).extracting(HttpServer.Route::path)
        .contains("/api/v1/scheduler", "/api/v1/agent", "/api/v1", "/master/state", "/v2/", "/v1/autoscaler/apps",
            "/v1/overview", "/v1/agents", "/v1/files/read", "/v1/files/browse", "/v1/tasks/", "/v1/balancers");
    sweep(master.port(), master.routes());
  }

  @Test
  void everyAgentEndpointIncludingTheFilesApiRefusesMissingWrongAndWeakTokens() throws Exception {
    assertThat(agent.routes()).extracting(HttpServer.Route::path).contains("/files/read", "/files/browse", "/state");
    sweep(agent.port(), agent.routes());
  }

  @Test
  void everyLoadBalancerAdminEndpointRefusesMissingWrongAndWeakTokens() throws Exception {
    assertThat(lb.adminRoutes()).extracting(HttpServer.Route::path).contains("/stats", "/metrics");
    sweep(lb.adminPort(), lb.adminRoutes());
  }

  @Test
  void anAgentWithItsSecretRegistersAndTheRightTokensAreLetIn() throws Exception {
    await("agent registered").atMost(Duration.ofSeconds(30)).until(() -> agent.agentId().isPresent());
    assertThat(send("GET", master.port(), "/master/state", VIEWER).statusCode()).isEqualTo(200);
    assertThat(send("GET", agent.port(), "/state", VIEWER).statusCode()).isEqualTo(200);
    assertThat(send("GET", lb.adminPort(), "/stats", FRAMEWORK).statusCode()).isEqualTo(200);
    assertThat(send("GET", master.port(), "/health", null).statusCode()).isEqualTo(200);
  }

  @Test
  void operatorCallsThatChangeTheClusterNeedAnAdmin() throws Exception {
    String weights = "{\"type\": \"UPDATE_WEIGHTS\", \"update_weights\": {\"weight_infos\": [{\"role\": \"web\", "
        + "\"weight\": 2.0}]}}";
    HttpResponse<String> byOps = post(master.port(), "/api/v1", weights, OPS);
    assertThat(byOps.statusCode()).isEqualTo(403);
    assertThat(byOps.body()).isEqualTo("principal 'ops' (role operator) may not POST /api/v1 UPDATE_WEIGHTS"
        + " (expected: role admin)");
    assertThat(post(master.port(), "/api/v1", "{\"type\": \"GET_WEIGHTS\"}", VIEWER).statusCode()).isEqualTo(200);
    assertThat(post(master.port(), "/api/v1", weights, ADMIN).statusCode()).isEqualTo(200);
  }

  @Test
  void aFrameworkPrincipalSubscribesOnlyAsItselfAndWithinItsRoles() throws Exception {
    String asOther = "{\"type\": \"SUBSCRIBE\", \"subscribe\": {\"framework_info\": {\"user\": \"u\", \"name\": \"x\","
        + " \"principal\": \"someone-else\"}}}";
    HttpResponse<String> r = post(master.port(), "/api/v1/scheduler", asOther, FRAMEWORK);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("subscribe.framework_info.principal: 'someone-else' (expected: 'fw', the principal"
        + " whose token was sent)");
    String otherRole = "{\"type\": \"SUBSCRIBE\", \"subscribe\": {\"framework_info\": {\"user\": \"u\", \"name\": \"x\","
        + " \"principal\": \"fw\", \"role\": \"prod\"}}}";
    r = post(master.port(), "/api/v1/scheduler", otherRole, FRAMEWORK);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("subscribe.framework_info.roles: 'prod' (expected: one of [*], the roles of"
        + " principal 'fw')");
    // an operator is not a framework at all
    assertThat(post(master.port(), "/api/v1/scheduler", otherRole, OPS).statusCode()).isEqualTo(403);
  }

  /** The master-detection redirects (a GET that answers 307 to the leader): open, as a standby's are. */
  private static final java.util.Set<String> DETECTION = java.util.Set.of("/redirect", "/master/redirect",
      "/api/v1/scheduler", "/master/api/v1/scheduler");

  /**
   * Walks {@code routes}: open ones must be health pings or master detection (which answers 307 and
   * nothing else without a token); all others refuse missing, wrong and weak tokens.
   */
  private static void sweep(int port, List<HttpServer.Route> routes) throws Exception {
    assertThat(routes).isNotEmpty();
    for (HttpServer.Route r : routes) {
      String path = r.prefix() ? r.path() + "probe" : r.path();
      String what = r.method() + " " + path + " (" + r.access().label() + ")";
      if (r.access() == Access.PUBLIC) {
        if (r.method().equals("GET") && DETECTION.contains(path)) {
          assertThat(send("GET", port, path, null).statusCode()).as(what + " without a token").isEqualTo(307);
          continue;
        }
        if (r.method().equals("GET") && (path.equals("/") || path.equals("/ui") || path.startsWith("/ui/"))) {
          // the dashboard's static files: no cluster data (its API calls carry the token)
          HttpResponse<String> ui = send("GET", port, path, null);
          assertThat(ui.statusCode()).as(what + " without a token").isIn(200, 302, 404);
          assertThat(ui.headers().firstValue("Content-Type").orElse("")).as(what).doesNotContain("json");
          continue;
        }
        assertThat(path).as("open route " + what + " (expected: only health pings, master detection and the"
            + " dashboard's files are open)").endsWith("/health");
        continue;
      }
      HttpResponse<String> none = send(r.method(), port, path, null);
      assertThat(none.statusCode()).as(what + " without a token: " + none.body()).isEqualTo(401);
      assertThat(none.headers().firstValue("WWW-Authenticate")).as(what).contains("Bearer realm=\"mezzo\"");
      HttpResponse<String> wrong = send(r.method(), port, path, "wrong-secret-0123456789");
      assertThat(wrong.statusCode()).as(what + " with a wrong token: " + wrong.body()).isEqualTo(401);
      // the viewer reaches only viewer routes; the agent principal reaches no viewer route
      String weak = r.access() == Access.VIEWER ? AGENT : VIEWER;
      HttpResponse<String> below = send(r.method(), port, path, weak);
      assertThat(below.statusCode()).as(what + " with a token below its level: " + below.body()).isEqualTo(403);
      assertThat(below.body()).as(what).contains("(expected: role ");
    }
  }

  private static HttpResponse<String> send(String method, int port, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(int port, String path, String json, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
