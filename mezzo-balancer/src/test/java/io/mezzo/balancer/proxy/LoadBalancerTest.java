package io.mezzo.balancer.proxy;

import io.mezzo.core.auth.Access;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.balancer.discovery.BackendInstance;
import io.mezzo.balancer.discovery.Discovered;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The data plane on real sockets: real HTTP backends on loopback, a real client, the load balancer
 * in between, fed routing state directly (discovery is tested apart).
 */
class LoadBalancerTest {
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final List<String> drained = new CopyOnWriteArrayList<>();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private LoadBalancer lb;
  private int sharedPort;

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A backend answering {@code name} (after {@code delayMs}), and echoing POST bodies. */
  private HttpServer backend(String name, long delayMs) {
    HttpServer s = HttpServer.builder().maxRequestBytes(16 * 1024 * 1024)
        .prefixRoute("GET", "/", Access.PUBLIC, req -> {
          CompletableFuture<HttpResponse> f = new CompletableFuture<>();
          CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS)
              .execute(() -> f.complete(HttpResponse.text(200, name)));
          return f;
        })
        .prefixRoute("POST", "/", Access.PUBLIC, req -> CompletableFuture.completedFuture(
            new HttpResponse(200, "application/octet-stream", req.body(), Map.of(), null)))
        .start();
    closing.add(s);
    return s;
  }

  private void startLb() throws IOException {
    sharedPort = freePort();
    lb = LoadBalancer.start(new LoadBalancer.Config("127.0.0.1", sharedPort, 2, Duration.ofSeconds(1)), drained::add);
    closing.add(lb);
  }

  private static BackendInstance instance(String id, int port, boolean serving, boolean draining) {
    return new BackendInstance(id, "/web", "127.0.0.1", List.of(port), serving, draining);
  }

  private static Discovered.App app(String id, Map<String, String> labels, BackendInstance... instances) {
    return new Discovered.App(id, labels, List.of(0), Arrays.asList(instances));
  }

  private java.net.http.HttpResponse<String> get(int port, String host, String path) throws Exception {
    HttpRequest b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build();
    return client.send(b, java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  /** A raw HTTP/1.1 exchange with its own Host header (the JDK client will not set one): status line and body. */
  private static String[] rawGet(int port, String host, String path) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String all = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return new String[] {all.substring(0, all.indexOf("\r\n")), all.substring(all.indexOf("\r\n\r\n") + 4)};
    }
  }

  @Test
  void requestsAreSharedRoundRobinOverKeptAliveConnections() throws Exception {
    startLb();
    HttpServer a = backend("a", 0);
    HttpServer b = backend("b", 0);
    int port = freePort();
    lb.apply(Discovered.of(List.of(app("/web", Map.of("MEZZO_LB_PORT_0", String.valueOf(port)),
        instance("web.a", a.port(), true, false), instance("web.b", b.port(), true, false))), sharedPort, null));

    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      var r = get(port, null, "/");
      assertThat(r.statusCode()).isEqualTo(200);
      seen.merge(r.body(), 1, Integer::sum);
    }
    assertThat(seen).containsEntry("a", 10).containsEntry("b", 10);
  }

  @Test
  void anUnknownHostGets404AndARouteWithoutBackendsGets503WithAClearBody() throws Exception {
    startLb();
    lb.apply(Discovered.of(List.of(app("/web", Map.of("MEZZO_LB_VHOST_0", "web.example.com",
        "MEZZO_LB_QUEUE_TIMEOUT_0", "100ms"))), sharedPort, null));

    String[] unknown = rawGet(sharedPort, "other.example.com", "/x");
    assertThat(unknown[0]).isEqualTo("HTTP/1.1 404 Not Found");
    assertThat(unknown[1]).isEqualTo("no route for host 'other.example.com' path '/x' on port " + sharedPort + "\n");
    String[] empty = rawGet(sharedPort, "web.example.com:" + sharedPort, "/");
    assertThat(empty[0]).isEqualTo("HTTP/1.1 503 Service Unavailable");
    assertThat(empty[1]).isEqualTo("no healthy backend for /web:0 (none within the queue timeout of 100ms)\n");
  }

  @Test
  void aBackendThatRefusesConnectionsIsSkippedWithoutFailingARequest() throws Exception {
    startLb();
    HttpServer live = backend("live", 0);
    int dead = freePort(); // nothing listens there
    int port = freePort();
    lb.apply(Discovered.of(List.of(app("/web", Map.of("MEZZO_LB_PORT_0", String.valueOf(port)),
        instance("web.dead", dead, true, false), instance("web.live", live.port(), true, false))), sharedPort, null));

    for (int i = 0; i < 10; i++) {
      var r = get(port, null, "/");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("live");
    }
    assertThat(lb.counters().get("connect_failures")).isPositive();
  }

  @Test
  void aDrainingBackendFinishesItsRequestsGetsNoNewOnesAndIsReportedIdle() throws Exception {
    startLb();
    HttpServer slow = backend("slow", 1500);
    HttpServer other = backend("other", 0);
    int port = freePort();
    Map<String, String> labels = Map.of("MEZZO_LB_PORT_0", String.valueOf(port));
    lb.apply(Discovered.of(List.of(app("/web", labels, instance("web.slow", slow.port(), true, false))), sharedPort, null));

    CompletableFuture<java.net.http.HttpResponse<String>> inFlight = client.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(5)).until(() -> lb.counters().get("requests") >= 1);
    lb.apply(Discovered.of(List.of(app("/web", labels, instance("web.slow", slow.port(), false, true),
        instance("web.other", other.port(), true, false))), sharedPort, null));

    assertThat(get(port, null, "/").body()).isEqualTo("other");
    assertThat(drained).isEmpty(); // its request is still in flight
    assertThat(inFlight.get(10, TimeUnit.SECONDS).body()).isEqualTo("slow");
    await("reported idle").atMost(Duration.ofSeconds(5)).until(() -> drained.equals(List.of("web.slow")));
  }

  @Test
  void largeBodiesPassThroughBothWays() throws Exception {
    startLb();
    HttpServer echo = backend("echo", 0);
    int port = freePort();
    lb.apply(Discovered.of(List.of(app("/web", Map.of("MEZZO_LB_PORT_0", String.valueOf(port)),
        instance("web.echo", echo.port(), true, false))), sharedPort, null));
    byte[] body = new byte[5 * 1024 * 1024];
    new java.util.Random(7).nextBytes(body);

    var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/upload"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(body);
  }

  @Test
  void listenersFollowTheRoutesWithoutARestart() throws Exception {
    startLb();
    HttpServer a = backend("a", 0);
    int p1 = freePort();
    int p2 = freePort();
    lb.apply(Discovered.of(List.of(app("/one", Map.of("MEZZO_LB_PORT_0", String.valueOf(p1)),
        instance("one.a", a.port(), true, false))), sharedPort, null));
    assertThat(lb.listening()).containsExactly(p1);
    lb.apply(Discovered.of(List.of(app("/two", Map.of("MEZZO_LB_PORT_0", String.valueOf(p2)),
        instance("two.a", a.port(), true, false))), sharedPort, null));
    assertThat(lb.listening()).containsExactly(p2);
    assertThat(get(p2, null, "/").body()).isEqualTo("a");
  }

  @Test
  void leastRequestSendsMostRequestsToTheFasterBackend() throws Exception {
    startLb();
    HttpServer fast = backend("fast", 0);
    HttpServer slow = backend("slow", 100);
    int port = freePort();
    lb.apply(Discovered.of(List.of(app("/web", Map.of("MEZZO_LB_PORT_0", String.valueOf(port),
        "MEZZO_LB_BALANCE_0", "least_request"),
        instance("web.fast", fast.port(), true, false), instance("web.slow", slow.port(), true, false))), sharedPort, null));

    Map<String, Integer> seen = new java.util.concurrent.ConcurrentHashMap<>();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      Thread t = new Thread(() -> {
        for (int i = 0; i < 25; i++) {
          try {
            seen.merge(get(port, null, "/").body(), 1, Integer::sum);
          } catch (Exception e) {
            seen.merge("error", 1, Integer::sum);
          }
        }
      });
      t.start();
      clients.add(t);
    }
    for (Thread t : clients) {
      t.join(60_000);
    }
    assertThat(seen.getOrDefault("error", 0)).isZero();
    assertThat(seen.get("fast") + seen.getOrDefault("slow", 0)).isEqualTo(100);
    assertThat(seen.get("fast")).as("%s", seen).isGreaterThan(70);
  }

  @Test
  void consistentHashingKeepsAClientOnOneBackend() throws Exception {
    startLb();
    HttpServer a = backend("a", 0);
    HttpServer b = backend("b", 0);
    HttpServer c = backend("c", 0);
    int port = freePort();
    lb.apply(Discovered.of(List.of(app("/web", Map.of("MEZZO_LB_PORT_0", String.valueOf(port),
        "MEZZO_LB_BALANCE_0", "consistent_hash"), instance("web.a", a.port(), true, false),
        instance("web.b", b.port(), true, false), instance("web.c", c.port(), true, false))), sharedPort, null));

    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 20; i++) {
      seen.add(get(port, null, "/").body());
    }
    assertThat(seen).hasSize(1);
  }

  @Test
  void aBackendAnswering500sIsEjectedAfterFiveInARow() throws Exception {
    startLb();
    HttpServer good = backend("good", 0);
    HttpServer bad = HttpServer.builder().prefixRoute("GET", "/", Access.PUBLIC,
        req -> CompletableFuture.completedFuture(HttpResponse.text(500, "broken"))).start();
    closing.add(bad);
    int port = freePort();
    lb.apply(Discovered.of(List.of(app("/web", Map.of("MEZZO_LB_PORT_0", String.valueOf(port)),
        instance("web.good", good.port(), true, false), instance("web.bad", bad.port(), true, false))), sharedPort, null));

    int errors = 0;
    for (int i = 0; i < 40; i++) {
      if (get(port, null, "/").statusCode() == 500) {
        errors++;
      }
    }
    assertThat(errors).as("500s before the bad backend is ejected").isEqualTo(5);
  }

  private int lineServer(String name) throws IOException {
    ServerSocket server = LineServer.start(name);
    closing.add(server);
    return server.getLocalPort();
  }

  @Test
  void tcpModeRelaysBytesBothWaysAndSpreadsConnections() throws Exception {
    startLb();
    int a = lineServer("a");
    int b = lineServer("b");
    int dead = freePort();
    int port = freePort();
    lb.apply(Discovered.of(List.of(app("/db", Map.of("MEZZO_LB_PORT_0", String.valueOf(port), "MEZZO_LB_MODE_0", "tcp"),
        instance("db.a", a, true, false), instance("db.b", b, true, false), instance("db.dead", dead, true, false))),
        sharedPort, null));

    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 6; i++) {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", port);
          var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream()));
          var out = new java.io.PrintWriter(s.getOutputStream(), true)) {
        s.setSoTimeout(10_000);
        out.println("ping " + i);
        String answer = in.readLine();
        assertThat(answer).endsWith(":ping " + i);
        out.println("again");
        assertThat(in.readLine()).isEqualTo(answer.substring(0, answer.indexOf(':')) + ":again");
        seen.merge(answer.substring(0, answer.indexOf(':')), 1, Integer::sum);
      }
    }
    assertThat(seen.keySet()).containsExactlyInAnyOrder("a", "b");
    assertThat(seen.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(6);
  }
}
