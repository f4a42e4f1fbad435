package io.mezzo.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.core.auth.Access;
import io.mezzo.core.auth.Credentials;
import io.mezzo.core.auth.Security;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server's token check, on a real socket: 401 and 403 before any handler, principals handed on. */
class HttpServerAuthTest {
  static final Security SECURITY = new Security(Credentials.parse("""
      {"principals": [
        {"name": "ops", "secret": "ops-secret-0123456789", "role": "operator"},
        {"name": "agents", "secret": "agent-secret-0123456789", "role": "agent"}]}
      """), false);
  static final String OPS = "ops-secret-0123456789";
  static final String AGENT = "agent-secret-0123456789";

  final HttpClient client = HttpClient.newHttpClient();
  HttpServer server;
  volatile int handled;

  @BeforeEach
  void start() {
    server = HttpServer.builder().security(SECURITY)
        .route("GET", "/health", Access.PUBLIC, r -> ok("ok"))
        .route("GET", "/whoami", Access.VIEWER, r -> ok(r.principal().name()))
        .route("POST", "/apps", Access.OPERATOR, r -> ok("changed"))
        .prefixRoute("DELETE", "/admin/", Access.ADMIN, r -> ok("gone"))
        .webSocket("/ws", Access.VIEWER, () -> new io.netty.channel.ChannelInboundHandlerAdapter())
        .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private CompletableFuture<HttpResponse> ok(String text) {
    handled++;
    return CompletableFuture.completedFuture(HttpResponse.text(200, text));
  }

  private java.net.http.HttpResponse<String> send(String method, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return client.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void missingTokenIs401WithAChallenge() throws Exception {
    var r = send("GET", "/whoami", null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"mezzo\"");
    assertThat(r.body()).isEqualTo("missing bearer token for GET /whoami (expected: Authorization: Bearer <secret>"
        + " of a principal with role admin or operator or viewer or framework)");
    assertThat(handled).isZero();
  }

  @Test
  void unknownTokenIs401() throws Exception {
    var r = send("POST", "/apps", "not-a-secret-of-anyone");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).startsWith("unknown bearer token for POST /apps");
    assertThat(handled).isZero();
  }

  @Test
  void knownPrincipalBelowTheLevelIs403NamingItAndTheLevel() throws Exception {
    var r = send("DELETE", "/admin/everything", OPS);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("principal 'ops' (role operator) may not DELETE /admin/everything"
        + " (expected: role admin)");
    assertThat(send("GET", "/whoami", AGENT).statusCode()).isEqualTo(403);
    assertThat(handled).isZero();
  }

  @Test
  void allowedCallsReachTheHandlerWithTheirPrincipal() throws Exception {
    var r = send("GET", "/whoami", OPS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ops");
    assertThat(send("POST", "/apps", OPS).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/health", null).body()).isEqualTo("ok");
  }

  @Test
  void theWebSocketHandshakeIsCheckedToo() throws Exception {
    var r = send("GET", "/ws", null);
    assertThat(r.statusCode()).isEqualTo(401);
  }

  @Test
  void routeTableListsEveryRouteWithItsLevel() {
    assertThat(server.routes()).containsExactly(
        new HttpServer.Route("GET", "/health", false, Access.PUBLIC),
        new HttpServer.Route("GET", "/whoami", false, Access.VIEWER),
        new HttpServer.Route("POST", "/apps", false, Access.OPERATOR),
        new HttpServer.Route("DELETE", "/admin/", true, Access.ADMIN),
        new HttpServer.Route("GET", "/ws", false, Access.VIEWER));
  }

  @Test
  void nonLoopbackBindWithoutCredentialsRefusesToStart() {
    assertThatThrownBy(() -> HttpServer.builder().bind("0.0.0.0", 0)
        .route("GET", "/x", Access.VIEWER, r -> ok("x")).start())
        .hasMessageContaining("refusing to listen on 0.0.0.0:0 without credentials");
    // a server of public routes only (a sample app) has nothing to protect
    HttpServer open = HttpServer.builder().bind("0.0.0.0", 0).route("GET", "/", Access.PUBLIC, r -> ok("x")).start();
    open.close();
  }
}
