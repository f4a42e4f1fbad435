package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.core.auth.Access;
import io.mezzo.core.auth.Caller;
import io.mezzo.core.auth.Credentials;
import io.mezzo.core.auth.Security;
import io.mezzo.core.auth.Tls;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import io.mezzo.core.http.JsonClient;
import io.mezzo.testkit.TestPki;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS on a real {@link HttpServer} called by {@link JsonClient}s on real sockets, with a
 * throw-away CA made by {@link TestPki}: a verified client certificate is the principal whose
 * {@code certificate} is its subject, tokens keep working beside it (optional), a required
 * certificate is enforced in the handshake, and certificates of another CA or of no principal are
 * refused.
 */
class MutualTlsTest {
  static final String OPS = "ops-secret-0123456789";

  @TempDir
  static Path dir;

  static TestPki pki;
  static TestPki.Identity server;
  static TestPki.Identity agent;
  static TestPki.Identity viewer;
  static TestPki.Identity stranger;
  static TestPki.Identity foreign;
  static Credentials credentials;

  HttpServer http;

  @BeforeAll
  static void makeCertificates() {
    pki = TestPki.create(dir.resolve("pki"), "mezzo-test");
    server = pki.server("server");
    agent = pki.client("agent-1", "/CN=agent-1");
    viewer = pki.client("grafana", "/O=Monitoring/CN=grafana");
    stranger = pki.client("stranger", "/CN=stranger");
    // the same subject as agent-1, from a CA the server does not trust
    foreign = TestPki.create(dir.resolve("other"), "other").client("agent-1", "/CN=agent-1");
    credentials = Credentials.parse("""
        {"principals": [
          {"name": "ops", "secret": "ops-secret-0123456789", "role": "operator"},
          {"name": "agent-1", "certificate": "CN=agent-1", "role": "agent"},
          {"name": "grafana", "certificate": "CN=grafana,O=Monitoring", "role": "viewer"}]}
        """);
  }

  @AfterEach
  void stop() {
    if (http != null) {
      http.close();
    }
  }

  private void start(Tls.ClientAuth mode) {
    Security security = new Security(credentials, false)
        .withTls(new Tls.Server(server.certificate(), server.key()).withClientAuth(pki.caPem(), mode));
    http = HttpServer.builder().security(security)
        .route("GET", "/state", Access.VIEWER, r -> whoami(r.principal().name()))
        .route("POST", "/apps", Access.OPERATOR, r -> whoami(r.principal().name()))
        .route("POST", "/api/v1/agent", Access.AGENT, r -> whoami(r.principal().name()))
        .start();
  }

  private static CompletableFuture<HttpResponse> whoami(String name) {
    return CompletableFuture.completedFuture(HttpResponse.text(200, name));
  }

  private JsonClient client(String token, TestPki.Identity identity) {
    return new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(5), new Caller(token,
        identity == null ? Tls.trusting(pki.caPem()) : Tls.client(pki.caPem(), identity.certificate(), identity.key())));
  }

  private JsonClient.Reply post(JsonClient client, String path) {
    return client.post(uri(path), java.util.Map.of(), java.util.Map.of()).join();
  }

  private URI uri(String path) {
    return URI.create("https://127.0.0.1:" + http.port() + path);
  }

  @Test
  void aVerifiedCertificateIsThePrincipalNamingItsSubjectWithThatPrincipalsRole() {
    start(Tls.ClientAuth.OPTIONAL);
    JsonClient.Reply asAgent = post(client(null, agent), "/api/v1/agent");
    assertThat(asAgent.status()).as(asAgent.body()).isEqualTo(200);
    assertThat(asAgent.body()).isEqualTo("agent-1");
    // the role applies exactly as with a token: an agent is no viewer
    JsonClient.Reply agentReads = client(null, agent).get(uri("/state")).join();
    assertThat(agentReads.status()).isEqualTo(403);
    assertThat(agentReads.body()).isEqualTo("principal 'agent-1' (role agent) may not GET /state (expected: role "
        + "admin or operator or viewer or framework)");

    JsonClient.Reply viewerReads = client(null, viewer).get(uri("/state")).join();
    assertThat(viewerReads.status()).isEqualTo(200);
    assertThat(viewerReads.body()).isEqualTo("grafana");
    JsonClient.Reply viewerWrites = post(client(null, viewer), "/apps");
    assertThat(viewerWrites.status()).isEqualTo(403);
    assertThat(viewerWrites.body()).isEqualTo("principal 'grafana' (role viewer) may not POST /apps (expected: role "
        + "admin or operator)");
  }

  @Test
  void tokensStillWorkWhenCertificatesAreOptional() {
    start(Tls.ClientAuth.OPTIONAL);
    JsonClient.Reply ops = post(client(OPS, null), "/apps");
    assertThat(ops.status()).isEqualTo(200);
    assertThat(ops.body()).isEqualTo("ops");
    // a known token wins over the certificate; an unknown one does not hide it
    assertThat(post(client(OPS, viewer), "/apps").body()).isEqualTo("ops");
    assertThat(client("not-a-known-secret-0123", viewer).get(uri("/state")).join().body()).isEqualTo("grafana");

    JsonClient.Reply nobody = client(null, null).get(uri("/state")).join();
    assertThat(nobody.status()).isEqualTo(401);
    assertThat(nobody.body()).isEqualTo("missing bearer token for GET /state (expected: Authorization: Bearer "
        + "<secret> of a principal with role admin or operator or viewer or framework, or its client certificate)");
  }

  @Test
  void aVerifiedCertificateOfNoPrincipalIs401NamingTheSubject() {
    start(Tls.ClientAuth.OPTIONAL);
    JsonClient.Reply r = client(null, stranger).get(uri("/state")).join();
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("client certificate 'CN=stranger' is no principal's, for GET /state "
        + "(expected: a principal with \"certificate\": \"CN=stranger\" in the credentials file)");
    assertThat(r.headers()).containsEntry("www-authenticate", "Bearer realm=\"mezzo\"");
  }

  @Test
  void aCertificateFromAnotherCaIsRefusedInTheHandshake() {
    start(Tls.ClientAuth.OPTIONAL);
    JsonClient client = client(null, foreign);
    assertThatThrownBy(() -> post(client, "/api/v1/agent"))
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(java.io.IOException.class);
    // the same server still answers a trusted certificate: the refusal was the foreign CA's
    assertThat(post(client(null, agent), "/api/v1/agent").status()).isEqualTo(200);
  }

  @Test
  void aRequiredCertificateRefusesConnectionsWithoutOneEvenWithAToken() {
    start(Tls.ClientAuth.REQUIRE);
    assertThatThrownBy(() -> post(client(OPS, null), "/apps"))
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(java.io.IOException.class);
    // with a certificate, a token still chooses the principal
    assertThat(post(client(OPS, agent), "/apps").body()).isEqualTo("ops");
    assertThat(post(client(null, agent), "/api/v1/agent").body()).isEqualTo("agent-1");
  }

  @Test
  void badClientTlsFilesAreRefusedNamingTheFlag() {
    assertThatThrownBy(() -> Tls.client(pki.caPem(), agent.certificate(), null))
        .hasMessage("--tls-client-cert, --tls-client-key: only one given (expected: both, or neither)");
    assertThatThrownBy(() -> Tls.client(pki.caPem(), agent.certificate(), agent.certificate()))
        .hasMessageStartingWith("--tls-client-key: " + agent.certificate() + " holds no PKCS#8 key");
    assertThatThrownBy(() -> Tls.client(pki.caPem(), agent.certificate(), viewer.key()))
        .hasMessage("--tls-client-key: " + viewer.key() + " is not the key of --tls-client-cert " + agent.certificate()
            + " (expected: the key the certificate was issued for)");
    assertThatThrownBy(() -> new Tls.Server(server.certificate(), server.key(), null, Tls.ClientAuth.REQUIRE))
        .hasMessage("--tls-client-auth: require without --tls-client-ca (expected: the CAs of the client "
            + "certificates, --tls-client-ca PEM)");
    assertThatThrownBy(() -> Tls.ClientAuth.parse("--tls-client-auth", "want"))
        .hasMessage("--tls-client-auth: 'want' (expected: optional or require)");
  }

  @Test
  void serverFlagsForMutualTlsAreCheckedTogether() {
    CliRun noCert = CliRun.mezzo("agent", "--master", "127.0.0.1:1", "--port", "0", "--work-dir",
        dir.resolve("agent").toString(), "--tls-client-ca", pki.caPem().toString());
    assertThat(noCert.exit()).as(noCert.toString()).isNotZero();
    assertThat(noCert.err()).contains("--tls-client-ca: given without --tls-cert (expected: --tls-cert and --tls-key");
    CliRun requireWithoutCa = CliRun.mezzo("agent", "--master", "127.0.0.1:1", "--port", "0", "--work-dir",
        dir.resolve("agent").toString(), "--tls-cert", server.certificate().toString(), "--tls-key",
        server.key().toString(), "--tls-client-auth", "require");
    assertThat(requireWithoutCa.err()).contains("--tls-client-auth: require without --tls-client-ca");
    // a master requiring certificates would refuse its own services scheduler without one
    CliRun master = CliRun.mezzo("master", "--port", "0", "--work-dir", dir.resolve("master").toString(),
        "--tls-cert", server.certificate().toString(), "--tls-key", server.key().toString(),
        "--tls-client-ca", pki.caPem().toString(), "--tls-client-auth", "require");
    assertThat(master.exit()).as(master.toString()).isNotZero();
    assertThat(master.err()).contains("--tls-client-auth require: the in-process services scheduler calls this "
        + "master too and would be refused (expected: --tls-client-cert/--tls-client-key for it, or --no-services)");
  }
}
