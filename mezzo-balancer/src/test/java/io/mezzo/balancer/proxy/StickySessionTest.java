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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sticky sessions on real sockets: the cookie for HTTP routes, the client address for TCP routes. */
class StickySessionTest {
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private LbFixture f;
  private int port;
  private final Map<String, Integer> backendPorts = new HashMap<>();

  @BeforeEach
  void start() throws Exception {
    f = new LbFixture();
    port = LbFixture.freePort();
    for (String name : List.of("a", "b", "c")) {
      HttpServer s = f.closeLater(HttpServer.builder().prefixRoute("GET", "/", Access.PUBLIC,
          req -> CompletableFuture.completedFuture(HttpResponse.text(200, name))).start());
      backendPorts.put(name, s.port());
    }
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  private void route(String... names) {
    var instances = new io.mezzo.balancer.discovery.BackendInstance[names.length];
    for (int i = 0; i < names.length; i++) {
      instances[i] = LbFixture.instance("web." + names[i], backendPorts.get(names[i]), true, false);
    }
    f.route(Map.of("MEZZO_LB_PORT_0", String.valueOf(port), "MEZZO_LB_STICKY_0", "true"), instances);
  }

  private java.net.http.HttpResponse<String> get(String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
        .timeout(Duration.ofSeconds(10));
    if (cookie != null) {
      b.header("Cookie", "theme=dark; " + cookie + "; lang=en");
    }
    return client.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  /** The {@code name=value} of the response's sticky cookie, or null. */
  private static String stickyCookie(java.net.http.HttpResponse<String> r) {
    return r.headers().allValues("set-cookie").stream().filter(c -> c.startsWith("mezzo_sticky="))
        .map(c -> c.substring(0, c.indexOf(';'))).findFirst().orElse(null);
  }

  @Test
  void requestsCarryingTheCookieStickToTheBackendThatSetIt() throws Exception {
    route("a", "b", "c");
    var first = get(null);
    String setCookie = first.headers().firstValue("set-cookie").orElseThrow();
    assertThat(setCookie).matches("mezzo_sticky=[0-9a-f]+; Path=/; HttpOnly");
    for (int p : backendPorts.values()) {
      assertThat(setCookie).doesNotContain(String.valueOf(p)).doesNotContain("127.0.0.1");
    }
    String cookie = stickyCookie(first);

    for (int i = 0; i < 12; i++) {
      var r = get(cookie);
      assertThat(r.body()).isEqualTo(first.body());
      assertThat(stickyCookie(r)).as("no new cookie while it sticks").isNull();
    }
    Set<String> withoutCookie = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      withoutCookie.add(get(null).body());
    }
    assertThat(withoutCookie).as("requests without the cookie are balanced").hasSize(3);
  }

  @Test
  void aCookieOfABackendThatLeftIsRepointedToAServingOne() throws Exception {
    route("a", "b", "c");
    var first = get(null);
    String gone = first.body();
    String cookie = stickyCookie(first);
    route(List.of("a", "b", "c").stream().filter(n -> !n.equals(gone)).toArray(String[]::new));

    var moved = get(cookie);
    assertThat(moved.statusCode()).isEqualTo(200);
    assertThat(moved.body()).isNotEqualTo(gone);
    String newCookie = stickyCookie(moved);
    assertThat(newCookie).isNotNull().isNotEqualTo(cookie);
    for (int i = 0; i < 6; i++) {
      assertThat(get(newCookie).body()).isEqualTo(moved.body());
    }
  }

  @Test
  void aCookieOfADrainingBackendIsRepointedToo() throws Exception {
    route("a", "b");
    var first = get(null);
    String cookie = stickyCookie(first);
    String draining = first.body();
    String other = draining.equals("a") ? "b" : "a";
    f.route(Map.of("MEZZO_LB_PORT_0", String.valueOf(port), "MEZZO_LB_STICKY_0", "true"),
        LbFixture.instance("web." + draining, backendPorts.get(draining), false, true),
        LbFixture.instance("web." + other, backendPorts.get(other), true, false));

    var moved = get(cookie);
    assertThat(moved.body()).isEqualTo(other);
    assertThat(stickyCookie(moved)).isNotNull().isNotEqualTo(cookie);
  }

  /** One HTTP/1.1 exchange over a raw socket (through a TCP listener): the body. */
  private String rawGet() throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String all = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return all.substring(all.indexOf("\r\n\r\n") + 4);
    }
  }

  private void tcpRoute(boolean sticky) {
    f.route(Map.of("MEZZO_LB_PORT_0", String.valueOf(port), "MEZZO_LB_MODE_0", "tcp", "MEZZO_LB_STICKY_0",
        String.valueOf(sticky)), LbFixture.instance("web.a", backendPorts.get("a"), true, false),
        LbFixture.instance("web.b", backendPorts.get("b"), true, false),
        LbFixture.instance("web.c", backendPorts.get("c"), true, false));
  }

  @Test
  void aStickyTcpRouteKeepsAClientAddressOnOneBackend() throws Exception {
    tcpRoute(false);
    Set<String> roundRobin = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      roundRobin.add(rawGet());
    }
    assertThat(roundRobin).as("not sticky: connections are spread").hasSize(3);

    tcpRoute(true);
    Set<String> sticky = new HashSet<>();
    for (int i = 0; i < 9; i++) {
      sticky.add(rawGet());
    }
    assertThat(sticky).as("sticky: one client address, one backend").hasSize(1);
  }

  @Test
  void theCookieTokenIsReadAmongOtherCookies() {
    var h = new io.netty.handler.codec.http.DefaultHttpHeaders();
    h.add("Cookie", "a=1; mezzo_stickyx=no");
    h.add("Cookie", "b=2;mezzo_sticky=\"abc123\"; c=3");
    assertThat(StickyCookie.fromRequest(h)).isEqualTo("abc123");
    assertThat(StickyCookie.fromRequest(new io.netty.handler.codec.http.DefaultHttpHeaders().add("Cookie", "x=1")))
        .isNull();
  }
}
