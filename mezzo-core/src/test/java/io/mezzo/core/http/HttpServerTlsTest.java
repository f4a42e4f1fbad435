package io.mezzo.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.core.auth.Access;
import io.mezzo.core.auth.Caller;
import io.mezzo.core.auth.Credentials;
import io.mezzo.core.auth.Security;
import io.mezzo.core.auth.Tls;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server over TLS with the test CA's certificate for 127.0.0.1 ({@code src/test/resources/tls}),
 * called by {@link JsonClient} as a {@link Caller} that trusts that CA, on a real socket.
 */
class HttpServerTlsTest {
  static Path tls(String name) {
    try {
      return Path.of(HttpServerTlsTest.class.getResource("/tls/" + name).toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static final String OPS = "ops-secret-0123456789";
  HttpServer server;

  @BeforeEach
  void start() {
    Security security = new Security(Credentials.parse(
        "{\"principals\": [{\"name\": \"ops\", \"secret\": \"" + OPS + "\", \"role\": \"operator\"}]}"), false)
        .withTls(new Tls.Server(tls("server.pem"), tls("server.key")));
    server = HttpServer.builder().security(security)
        .route("GET", "/whoami", Access.VIEWER, r -> CompletableFuture.completedFuture(
            HttpResponse.text(200, r.principal().name())))
        .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aCallerTrustingTheCaGetsAnswersOverHttps() {
    JsonClient client = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(5),
        new Caller(OPS, Tls.trusting(tls("ca.pem"))));
    URI uri = client.uri("127.0.0.1:" + server.port(), "/whoami");
    assertThat(uri.getScheme()).isEqualTo("https");
    JsonClient.Reply r = client.get(uri).join();
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ops");
    // the token is still checked over TLS
    JsonClient anonymous = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(5),
        new Caller(null, Tls.trusting(tls("ca.pem"))));
    assertThat(anonymous.get(uri).join().status()).isEqualTo(401);
  }

  @Test
  void aCallerTrustingAnotherCaIsRefusedTheHandshake() {
    JsonClient client = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(5),
        new Caller(OPS, Tls.trusting(tls("other-ca.pem"))));
    assertThatThrownBy(() -> client.get(client.uri("127.0.0.1:" + server.port(), "/whoami")).join())
        .hasCauseInstanceOf(javax.net.ssl.SSLHandshakeException.class)
        .hasMessageContaining("PKIX path building failed");
  }

  @Test
  void plainHttpGetsNoAnswer() {
    JsonClient plain = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(5), Caller.withToken(OPS));
    assertThatThrownBy(() -> plain.get(plain.uri("127.0.0.1:" + server.port(), "/whoami")).join())
        .isInstanceOf(java.util.concurrent.CompletionException.class);
  }

  @Test
  void badTlsFilesAreRefusedNamingTheFlag() {
    assertThatThrownBy(() -> new Tls.Server(tls("server.pem"), Path.of("/no/such.key")))
        .hasMessage("--tls-key: /no/such.key (expected: a readable PEM file)");
    assertThatThrownBy(() -> new Tls.Server(tls("server.pem"), tls("server.pem")).context())
        .hasMessageContaining("--tls-cert").hasMessageContaining("(expected: a PEM certificate chain and its"
            + " unencrypted PKCS#8 PEM key)");
    assertThatThrownBy(() -> Tls.trusting(tls("server.key"))).hasMessageContaining("--tls-ca: ");
  }
}
