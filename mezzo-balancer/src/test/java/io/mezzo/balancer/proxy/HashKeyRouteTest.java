package io.mezzo.balancer.proxy;

import io.mezzo.core.auth.Access;
import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.balancer.discovery.BackendInstance;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Consistent hashing on a request header or cookie, on real sockets: every request of one client
 * comes from 127.0.0.1, so only the key the route names can spread them, and a key keeps its backend.
 */
class HashKeyRouteTest {
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private LbFixture f;
  private int port;
  private final Map<String, Integer> backendPorts = new HashMap<>();

  @BeforeEach
  void start() throws Exception {
    f = new LbFixture();
    port = LbFixture.freePort();
    for (String name : List.of("a", "b", "c", "d")) {
      HttpServer s = f.closeLater(HttpServer.builder().prefixRoute("GET", "/", Access.PUBLIC,
          req -> CompletableFuture.completedFuture(HttpResponse.text(200, name))).start());
      backendPorts.put(name, s.port());
    }
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  private void route(Map<String, String> labels) {
    Map<String, String> all = new HashMap<>(labels);
    all.put("MEZZO_LB_PORT_0", String.valueOf(port));
    BackendInstance[] instances = backendPorts.entrySet().stream()
        .map(e -> LbFixture.instance("web." + e.getKey(), e.getValue(), true, false)).toArray(BackendInstance[]::new);
    f.route(all, instances);
  }

  private String get(String header, String value) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
        .timeout(Duration.ofSeconds(10));
    if (value != null) {
      b.header(header, value);
    }
    java.net.http.HttpResponse<String> r = client.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  @Test
  void aHashedHeaderSpreadsKeysAndKeepsEachOnItsBackend() throws Exception {
    route(Map.of("MEZZO_LB_BALANCE_0", "consistent_hash", "MEZZO_LB_HASH_KEY_0", "header:X-User"));
    Map<String, String> owner = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      owner.put("user-" + i, get("X-User", "user-" + i));
    }
    assertThat(Set.copyOf(owner.values())).as("40 keys over 4 backends").hasSizeGreaterThanOrEqualTo(3);
    for (int i = 0; i < 40; i++) {
      assertThat(get("X-User", "user-" + i)).as("user-" + i + " again").isEqualTo(owner.get("user-" + i));
    }
  }

  @Test
  void marathonLbsHdrBalanceHashesThatHeader() throws Exception {
    route(Map.of("HAPROXY_0_BALANCE", "hdr(X-Tenant)"));
    Set<String> backends = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      String first = get("X-Tenant", "t" + i);
      assertThat(get("X-Tenant", "t" + i)).isEqualTo(first);
      backends.add(first);
    }
    assertThat(backends).hasSizeGreaterThanOrEqualTo(3);
  }

  @Test
  void aHashedCookieIsFoundAmongOthersAndARequestWithoutItHashesTheClientAddress() throws Exception {
    route(Map.of("MEZZO_LB_BALANCE_0", "consistent_hash", "MEZZO_LB_HASH_KEY_0", "cookie:session"));
    Set<String> backends = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      String first = get("Cookie", "theme=dark; session=s" + i + "; lang=en");
      assertThat(get("Cookie", "session=s" + i)).isEqualTo(first);
      backends.add(first);
    }
    assertThat(backends).hasSizeGreaterThanOrEqualTo(3);
    Set<String> anonymous = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      anonymous.add(get("Cookie", null));
    }
    assertThat(anonymous).as("one client address, one backend").hasSize(1);
  }
}
