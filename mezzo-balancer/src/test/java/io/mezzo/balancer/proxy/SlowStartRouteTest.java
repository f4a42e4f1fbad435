package io.mezzo.balancer.proxy;

import io.mezzo.core.auth.Access;
import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code MEZZO_LB_SLOW_START_n} through the proxy: a backend that joins a running route starts small. */
class SlowStartRouteTest {
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private LbFixture f;

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  private Map<String, Integer> spread(String slowStart) throws Exception {
    f = new LbFixture();
    HttpServer a = f.closeLater(HttpServer.builder().prefixRoute("GET", "/", Access.PUBLIC,
        req -> CompletableFuture.completedFuture(HttpResponse.text(200, "warm"))).start());
    HttpServer b = f.closeLater(HttpServer.builder().prefixRoute("GET", "/", Access.PUBLIC,
        req -> CompletableFuture.completedFuture(HttpResponse.text(200, "new"))).start());
    int port = LbFixture.freePort();
    Map<String, String> labels = slowStart == null ? Map.of("MEZZO_LB_PORT_0", String.valueOf(port))
        : Map.of("MEZZO_LB_PORT_0", String.valueOf(port), "MEZZO_LB_SLOW_START_0", slowStart);
    f.route(labels, LbFixture.instance("web.a", a.port(), true, false));
    f.route(labels, LbFixture.instance("web.a", a.port(), true, false), LbFixture.instance("web.b", b.port(), true, false));
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      seen.merge(r.body(), 1, Integer::sum);
    }
    return seen;
  }

  @Test
  void aBackendJoiningASlowStartRouteGetsAboutATenthOfItsShareAtFirst() throws Exception {
    Map<String, Integer> seen = spread("10m");
    // round robin, weights 1 x 10% against 1: about 1 in 11 requests
    assertThat(seen.getOrDefault("new", 0)).as("%s", seen).isBetween(1, 8);
  }

  @Test
  void withoutSlowStartAJoiningBackendGetsItsShareAtOnce() throws Exception {
    Map<String, Integer> seen = spread(null);
    assertThat(seen.getOrDefault("new", 0)).as("%s", seen).isEqualTo(20);
  }
}
