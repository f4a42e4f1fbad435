package io.mezzo.balancer.proxy;

import io.mezzo.core.auth.Access;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log option: a request through the balancer gives its line, a local answer too. */
class AccessLogTest {
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private LbFixture f;

  @AfterEach
  void stop() throws Exception {
    if (f != null) {
      f.close();
    }
  }

  private static List<String> lines(Path file) throws Exception {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  @Test
  void eachRequestGetsOneLineWithItsClientRouteBackendStatusAndSize(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("access.log");
    AccessLog log = AccessLog.open(file.toString());
    f = new LbFixture(log);
    f.closeLater(log);
    HttpServer backend = f.closeLater(HttpServer.builder().prefixRoute("GET", "/", Access.PUBLIC,
        req -> CompletableFuture.completedFuture(HttpResponse.text(200, "hello"))).start());
    int port = LbFixture.freePort();
    f.route(Map.of("MEZZO_LB_PORT_0", String.valueOf(port), "MEZZO_LB_VHOST_0", "web.example.com"),
        LbFixture.instance("web.a", backend.port(), true, false));

    var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello?x=1")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> lines(file).size() == 1);
    assertThat(lines(file).get(0)).matches("127\\.0\\.0\\.1 \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z "
        + "\"GET /hello\\?x=1 HTTP/1\\.1\" 200 5 \\d+\\.\\d{3}ms /web:0 127\\.0\\.0\\.1:" + backend.port() + " 1");

    String[] unknown = LoadBalancerTestSupport.rawGet(f.sharedPort, "nowhere.example.com", "/x\"y");
    assertThat(unknown[0]).isEqualTo("HTTP/1.1 404 Not Found");
    await().atMost(Duration.ofSeconds(10)).until(() -> lines(file).size() == 2);
    assertThat(lines(file).get(1)).matches("127\\.0\\.0\\.1 \\S+ \"GET /x\\\\\"y HTTP/1\\.1\" 404 \\d+ \\S+ - - 0");
  }

  @Test
  void aTargetThatCannotBeOpenedIsNamedInTheError(@TempDir Path dir) {
    String bad = dir.resolve("no/such/dir/access.log").toString();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> AccessLog.open(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("access-log: '" + bad + "' (expected: a writable file path, or - for stdout)");
    f = null;
  }
}
