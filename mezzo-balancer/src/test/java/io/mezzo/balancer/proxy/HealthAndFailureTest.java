package io.mezzo.balancer.proxy;

import io.mezzo.core.auth.Access;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.balancer.discovery.BackendInstance;
import io.mezzo.balancer.discovery.Discovered;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Health and failure handling on real sockets: active health checks, panic mode, retries within the
 * budget, per-backend admission queues and waiting for a backend, with real backends on loopback, a
 * real load balancer and real clients.
 */
class HealthAndFailureTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private LoadBalancer lb;
  private int sharedPort;
  private int port;

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

  /**
   * A backend: {@code GET /} answers its name with {@code status}, {@code GET /health} answers
   * {@code health}, {@code GET /hold} waits until the test releases it.
   */
  private final class Backend {
    final String name;
    final AtomicInteger status = new AtomicInteger(200);
    final AtomicInteger health = new AtomicInteger(200);
    final AtomicInteger hits = new AtomicInteger();
    final Queue<CompletableFuture<HttpResponse>> holding = new ConcurrentLinkedQueue<>();
    final HttpServer server;

    Backend(String name) {
      this.name = name;
      this.server = HttpServer.builder()
          .route("GET", "/health", Access.PUBLIC, req -> CompletableFuture.completedFuture(HttpResponse.text(health.get(), "health")))
          .route("GET", "/hold", Access.PUBLIC, req -> {
            CompletableFuture<HttpResponse> f = new CompletableFuture<>();
            holding.add(f);
            return f;
          })
          .prefixRoute("GET", "/", Access.PUBLIC, req -> {
            hits.incrementAndGet();
            return CompletableFuture.completedFuture(HttpResponse.text(status.get(), name));
          })
          .start();
      closing.add(server);
    }

    int port() {
      return server.port();
    }

    /** Answers the oldest held request. */
    void releaseOne() {
      holding.poll().complete(HttpResponse.text(200, name));
    }
  }

  private void startLb() throws IOException {
    sharedPort = freePort();
    port = freePort();
    lb = LoadBalancer.start(new LoadBalancer.Config("127.0.0.1", sharedPort, 2, Duration.ofSeconds(1)), id -> { });
    closing.add(lb);
  }

  private static BackendInstance instance(String id, int port) {
    return new BackendInstance(id, "/web", "127.0.0.1", List.of(port), true, false);
  }

  /** Routes app /web on {@code port} with {@code labels} to {@code instances}. */
  private void route(Map<String, String> labels, BackendInstance... instances) {
    Map<String, String> all = new HashMap<>(labels);
    all.put("MEZZO_LB_PORT_0", String.valueOf(port));
    lb.apply(Discovered.of(List.of(new Discovered.App("/web", all, List.of(0), Arrays.asList(instances))), sharedPort,
        null));
  }

  private java.net.http.HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<java.net.http.HttpResponse<String>> getAsync(String path) {
    return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> routeStats() {
    Map<String, Object> routes = (Map<String, Object>) lb.metrics().stats().get("routes");
    return (Map<String, Object>) routes.getOrDefault("/web:0", Map.of());
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> backendStats(String instance) {
    Map<String, Object> backends = (Map<String, Object>) routeStats().getOrDefault("backends", Map.of());
    return (Map<String, Object>) backends.getOrDefault(instance, Map.of());
  }

  private long routeCount(String figure) {
    return ((Number) routeStats().getOrDefault(figure, 0)).longValue();
  }

  private Map<String, Integer> spread(int requests) throws Exception {
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (int i = 0; i < requests; i++) {
      var r = get("/");
      seen.merge(r.statusCode() + " " + r.body(), 1, Integer::sum);
    }
    return seen;
  }

  private static final Map<String, String> FAST_CHECKS = Map.of("MEZZO_LB_HEALTHCHECK_PATH_0", "/health",
      "MEZZO_LB_HEALTHCHECK_INTERVAL_0", "50ms", "MEZZO_LB_HEALTHCHECK_RISE_0", "2", "MEZZO_LB_HEALTHCHECK_FALL_0", "2");

  @Test
  void aBackendFailingItsHealthCheckGetsNoRequests() throws Exception {
    startLb();
    Backend a = new Backend("a");
    Backend b = new Backend("b");
    route(FAST_CHECKS, instance("web.a", a.port()), instance("web.b", b.port()));
    assertThat(spread(10)).containsEntry("200 a", 5).containsEntry("200 b", 5);

    a.health.set(500);
    await("a is DOWN").atMost(WAIT).until(() -> "DOWN".equals(backendStats("web.a").get("health")));

    int before = a.hits.get();
    assertThat(spread(20)).containsExactly(Map.entry("200 b", 20));
    assertThat(a.hits.get()).isEqualTo(before);
    assertThat((String) backendStats("web.a").get("health_reason")).contains("HTTP 500");
    String metrics = lb.metrics().prometheus();
    assertThat(metrics).containsPattern("mezzo_lb_backend_health_transitions_total\\{backend=\"web.a\",route=\"/web:0\","
        + "to=\"down\"} 1\\.0");
    assertThat(metrics).containsPattern("mezzo_lb_backend_up\\{backend=\"web.a\",route=\"/web:0\"} 0\\.0");
    assertThat(metrics).containsPattern("mezzo_lb_backend_up\\{backend=\"web.b\",route=\"/web:0\"} 1\\.0");
  }

  @Test
  void aBackendPassingRiseChecksComesBack() throws Exception {
    startLb();
    Backend a = new Backend("a");
    Backend b = new Backend("b");
    route(FAST_CHECKS, instance("web.a", a.port()), instance("web.b", b.port()));
    a.health.set(503);
    await("a is DOWN").atMost(WAIT).until(() -> "DOWN".equals(backendStats("web.a").get("health")));
    assertThat(spread(6)).containsExactly(Map.entry("200 b", 6));

    a.health.set(200);
    await("a is UP").atMost(WAIT).until(() -> "UP".equals(backendStats("web.a").get("health")));

    assertThat(spread(10)).containsEntry("200 a", 5).containsEntry("200 b", 5);
    assertThat((String) backendStats("web.a").get("health_reason")).contains("2 consecutive checks passed (rise 2)");
    assertThat(backendStats("web.a").get("health_transitions")).isEqualTo(2L);
  }

  @Test
  void theAppsOwnHttpHealthCheckPathIsCheckedByDefault() throws Exception {
    startLb();
    Backend a = new Backend("a");
    Backend b = new Backend("b");
    lb.apply(Discovered.of(List.of(new Discovered.App("/web", Map.of("MEZZO_LB_PORT_0", String.valueOf(port),
        "MEZZO_LB_HEALTHCHECK_INTERVAL_0", "50ms", "MEZZO_LB_HEALTHCHECK_FALL_0", "1"), List.of(0),
        List.of(instance("web.a", a.port()), instance("web.b", b.port())), Map.of(0, "/health"))), sharedPort, null));

    a.health.set(500); // "/" still answers 200: only a check of /health can see it
    await("a is DOWN").atMost(WAIT).until(() -> "DOWN".equals(backendStats("web.a").get("health")));
    assertThat(spread(6)).containsExactly(Map.entry("200 b", 6));
  }

  @Test
  void panicRoutesToAllWhenMostBackendsAreDown() throws Exception {
    startLb();
    Backend a = new Backend("a");
    Backend b = new Backend("b");
    Backend c = new Backend("c");
    route(FAST_CHECKS, instance("web.a", a.port()), instance("web.b", b.port()), instance("web.c", c.port()));
    a.health.set(500);
    await("a is DOWN").atMost(WAIT).until(() -> "DOWN".equals(backendStats("web.a").get("health")));
    assertThat(spread(6)).containsOnlyKeys("200 b", "200 c"); // 2 of 3 healthy: above the 50% threshold
    assertThat(routeStats().get("panic")).isEqualTo(false);

    b.health.set(500);
    await("b is DOWN").atMost(WAIT).until(() -> "DOWN".equals(backendStats("web.b").get("health")));

    assertThat(spread(9)).containsOnlyKeys("200 a", "200 b", "200 c"); // 1 of 3: panic, all of them
    assertThat(routeStats().get("panic")).isEqualTo(true);
    assertThat(routeCount("panic_requests")).isGreaterThanOrEqualTo(9);
    assertThat(lb.metrics().prometheus()).containsPattern("mezzo_lb_route_panic\\{route=\"/web:0\"} 1\\.0");
  }

  @Test
  void retriesStopWhenTheBudgetIsSpent() throws Exception {
    startLb();
    // Three backends nothing listens on: every attempt fails to connect and asks for a retry. The budget
    // allows retries for 20% of the requests, with no floor.
    route(Map.of("MEZZO_LB_RETRY_BUDGET_0", "20", "MEZZO_LB_RETRY_MIN_PER_SECOND_0", "0", "MEZZO_LB_HEALTHCHECK_0", "off"),
        instance("web.a", freePort()), instance("web.b", freePort()), instance("web.c", freePort()));

    int spent = 0;
    for (int i = 0; i < 20; i++) {
      var r = get("/");
      assertThat(r.statusCode()).isEqualTo(502);
      if (r.body().contains("the retry budget of /web:0 is spent (20% of requests, at least 0/s, over 10s)")) {
        spent++;
      }
    }

    long retries = 0;
    for (String b : List.of("web.a", "web.b", "web.c")) {
      retries += ((Number) backendStats(b).get("retries")).longValue();
    }
    assertThat(retries).as("retries within 20% of 20 requests").isBetween(1L, 4L);
    assertThat(spent).as("requests refused a retry by the budget").isGreaterThanOrEqualTo(16);
    assertThat(routeCount("retry_budget_exhausted")).isEqualTo(spent);
  }

  @Test
  void aRetryTakesAnEjectedBackendRatherThanFailWhenNoHealthyOneIsLeft() throws Exception {
    startLb();
    Backend a = new Backend("a");
    Backend b = new Backend("b");
    route(Map.of("MEZZO_LB_HEALTHCHECK_0", "off"), instance("web.a", a.port()), instance("web.b", b.port()));
    a.status.set(500);
    await("a ejected").atMost(WAIT).until(() -> {
      get("/");
      return ((Number) backendStats("web.a").get("ejections")).longValue() == 1;
    });
    a.status.set(200);
    closing.remove(b.server);
    b.server.close(); // b refuses connections from now on, and cannot be ejected too (at most one of two)

    var r = get("/");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("a");
  }

  @Test
  void aBackend503IsRetriedOnAnotherBackendOnlyWhenTheRouteOptsIn() throws Exception {
    startLb();
    Backend busy = new Backend("busy");
    busy.status.set(503);
    Backend ok = new Backend("ok");
    route(Map.of("MEZZO_LB_RETRY_ON_0", "503", "MEZZO_LB_HEALTHCHECK_0", "off"), instance("web.busy", busy.port()),
        instance("web.ok", ok.port()));

    assertThat(spread(10)).containsExactly(Map.entry("200 ok", 10));
    assertThat(busy.hits.get()).isPositive();
    assertThat(((Number) backendStats("web.busy").get("retries")).longValue()).isEqualTo(busy.hits.get());

    route(Map.of("MEZZO_LB_HEALTHCHECK_0", "off"), instance("web.busy2", busy.port()), instance("web.ok2", ok.port()));
    assertThat(spread(4)).containsEntry("503 busy", 2).containsEntry("200 ok", 2);
  }

  @Test
  void aFullBackendQueuesRequestsUntilASlotFrees() throws Exception {
    startLb();
    Backend a = new Backend("a");
    route(Map.of("MEZZO_LB_MAX_CONN_0", "1"), instance("web.a", a.port()));

    var first = getAsync("/hold");
    await("first at the backend").atMost(WAIT).until(() -> a.holding.size() == 1);
    var second = getAsync("/hold");
    await("second queued").atMost(WAIT).until(() -> routeCount("waiting") == 1);
    assertThat(a.holding).hasSize(1); // the second one waits in the LB, not at the backend

    a.releaseOne();
    assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    await("second at the backend").atMost(WAIT).until(() -> a.holding.size() == 1);
    a.releaseOne();
    assertThat(second.get(30, TimeUnit.SECONDS).body()).isEqualTo("a");
    assertThat(routeCount("queued")).isEqualTo(1);
    assertThat(routeCount("waiting")).isZero();
    assertThat(routeCount("queue_timeouts")).isZero();
  }

  @Test
  void aRequestForAFullBackendGoesToAnotherWithRoomInsteadOfQueueing() throws Exception {
    startLb();
    Backend a = new Backend("a");
    Backend b = new Backend("b");
    route(Map.of("MEZZO_LB_MAX_CONN_0", "1", "MEZZO_LB_QUEUE_TIMEOUT_0", "30s"), instance("web.a", a.port()),
        instance("web.b", b.port()));
    var held = getAsync("/hold");
    await("one backend is full").atMost(WAIT).until(() -> a.holding.size() + b.holding.size() == 1);
    String other = a.holding.isEmpty() ? "a" : "b";

    assertThat(spread(6)).containsExactly(Map.entry("200 " + other, 6)); // round robin would pick the full one
    assertThat(routeCount("queued")).isZero();
    (a.holding.isEmpty() ? b : a).releaseOne();
    assertThat(held.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void aQueuedRequestTimesOutWith503() throws Exception {
    startLb();
    Backend a = new Backend("a");
    route(Map.of("MEZZO_LB_MAX_CONN_0", "1", "MEZZO_LB_QUEUE_TIMEOUT_0", "200ms"), instance("web.a", a.port()));
    var first = getAsync("/hold");
    await("first at the backend").atMost(WAIT).until(() -> a.holding.size() == 1);

    var second = get("/hold");

    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(second.body()).contains("/web:0").contains("within the queue timeout of 200ms");
    assertThat(routeCount("queue_timeouts")).isEqualTo(1);
    a.releaseOne();
    assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void aFullQueueAnswers503AtOnce() throws Exception {
    startLb();
    Backend a = new Backend("a");
    route(Map.of("MEZZO_LB_MAX_CONN_0", "1", "MEZZO_LB_MAX_PENDING_0", "0", "MEZZO_LB_QUEUE_TIMEOUT_0", "30s"),
        instance("web.a", a.port()));
    var first = getAsync("/hold");
    await("first at the backend").atMost(WAIT).until(() -> a.holding.size() == 1);

    var second = get("/hold");

    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(second.body()).contains("backend web.a@127.0.0.1:" + a.port() + " of /web:0 is full");
    assertThat(routeCount("queue_rejections")).isEqualTo(1);
    a.releaseOne();
    assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void aRouteWithNoBackendAnswers503AfterTheQueueTimeout() throws Exception {
    startLb();
    route(Map.of("MEZZO_LB_QUEUE_TIMEOUT_0", "200ms"));

    var r = get("/");

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("no healthy backend for /web:0 (none within the queue timeout of 200ms)\n");
    assertThat(routeCount("no_backend_timeouts")).isEqualTo(1);
    assertThat(routeCount("waiting")).isZero();
  }

  @Test
  void aRequestWaitingForABackendIsServedWhenOneAppears() throws Exception {
    startLb();
    route(Map.of("MEZZO_LB_QUEUE_TIMEOUT_0", "30s"));
    var waiting = getAsync("/");
    await("request waits").atMost(WAIT).until(() -> routeCount("waiting") == 1);

    Backend a = new Backend("a");
    route(Map.of("MEZZO_LB_QUEUE_TIMEOUT_0", "30s"), instance("web.a", a.port()));

    var r = waiting.get(30, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("a");
    assertThat(routeCount("no_backend_waits")).isEqualTo(1);
    assertThat(routeCount("no_backend_timeouts")).isZero();
  }

  @Test
  void aClientLeavingTheQueueFreesItsPlace() throws Exception {
    startLb();
    Backend a = new Backend("a");
    route(Map.of("MEZZO_LB_MAX_CONN_0", "1", "MEZZO_LB_MAX_PENDING_0", "1", "MEZZO_LB_QUEUE_TIMEOUT_0", "30s"),
        instance("web.a", a.port()));
    var first = getAsync("/hold");
    await("first at the backend").atMost(WAIT).until(() -> a.holding.size() == 1);
    try (Socket leaving = new Socket("127.0.0.1", port)) {
      leaving.getOutputStream().write("GET /hold HTTP/1.1\r\nHost: web\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      await("second queued").atMost(WAIT).until(() -> routeCount("waiting") == 1);
    }
    await("its place is free").atMost(WAIT).until(() -> routeCount("waiting") == 0);

    var third = getAsync("/hold"); // the queue holds one: it would be refused if the leaver kept its place
    await("third queued").atMost(WAIT).until(() -> routeCount("waiting") == 1);
    a.releaseOne();
    await("third at the backend").atMost(WAIT).until(() -> a.holding.size() == 1);
    a.releaseOne();

    assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(third.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(routeCount("queue_rejections")).isZero();
    assertThat(routeCount("queue_timeouts")).isZero();
  }

  @Test
  void concurrentRequestsNeverExceedTheBackendLimitAndAllGetServed() throws Exception {
    startLb();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    HttpServer slow = HttpServer.builder().prefixRoute("GET", "/", Access.PUBLIC, req -> {
      most.accumulateAndGet(inside.incrementAndGet(), Math::max);
      CompletableFuture<HttpResponse> f = new CompletableFuture<>();
      CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS).execute(() -> {
        inside.decrementAndGet();
        f.complete(HttpResponse.text(200, "slow"));
      });
      return f;
    }).start();
    closing.add(slow);
    route(Map.of("MEZZO_LB_MAX_CONN_0", "2", "MEZZO_LB_QUEUE_TIMEOUT_0", "60s"), instance("web.slow", slow.port()));

    List<CompletableFuture<java.net.http.HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      all.add(getAsync("/"));
    }
    for (var f : all) {
      assertThat(f.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertThat(most.get()).as("requests at the backend at once").isBetween(1, 2);
    assertThat(routeCount("queued")).isPositive();
    assertThat(routeCount("waiting")).isZero();
    assertThat(backendStats("web.slow").get("in_flight")).isEqualTo(0);
  }

  private ServerSocket lineServer(String name) throws IOException {
    ServerSocket server = LineServer.start(name);
    closing.add(server);
    return server;
  }

  /** One TCP exchange through the LB: the backend's name. */
  private String tcpExchange(String line) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port);
        var in = new BufferedReader(new InputStreamReader(s.getInputStream()));
        var out = new PrintWriter(s.getOutputStream(), true)) {
      s.setSoTimeout(20_000);
      out.println(line);
      String answer = in.readLine();
      return answer.substring(0, answer.indexOf(':'));
    }
  }

  @Test
  void tcpModeSendsNoConnectionToADownBackend() throws Exception {
    startLb();
    ServerSocket a = lineServer("a");
    ServerSocket b = lineServer("b");
    route(Map.of("MEZZO_LB_MODE_0", "tcp", "MEZZO_LB_HEALTHCHECK_INTERVAL_0", "50ms", "MEZZO_LB_HEALTHCHECK_FALL_0",
        "1"), instance("db.a", a.getLocalPort()), instance("db.b", b.getLocalPort()));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      seen.add(tcpExchange("ping"));
    }
    assertThat(seen).containsExactlyInAnyOrder("a", "b");

    a.close(); // its TCP check fails from now on
    await("a is DOWN").atMost(WAIT).until(() -> "DOWN".equals(backendStats("db.a").get("health")));
    Object failuresBefore = backendStats("db.a").get("connect_failures");

    for (int i = 0; i < 6; i++) {
      assertThat(tcpExchange("ping " + i)).isEqualTo("b");
    }
    assertThat(backendStats("db.a").get("connect_failures")).as("no connection tried on a").isEqualTo(failuresBefore);
  }

  @Test
  void tcpModeQueuesAConnectionWhileTheBackendIsAtItsLimit() throws Exception {
    startLb();
    ServerSocket b = lineServer("b");
    route(Map.of("MEZZO_LB_MODE_0", "tcp", "MEZZO_LB_MAX_CONN_0", "1", "MEZZO_LB_QUEUE_TIMEOUT_0", "30s"),
        instance("db.b", b.getLocalPort()));
    Socket first = new Socket("127.0.0.1", port);
    first.setSoTimeout(20_000);
    var firstIn = new BufferedReader(new InputStreamReader(first.getInputStream()));
    var firstOut = new PrintWriter(first.getOutputStream(), true);
    firstOut.println("one");
    assertThat(firstIn.readLine()).isEqualTo("b:one");

    try (Socket second = new Socket("127.0.0.1", port)) {
      second.setSoTimeout(20_000);
      var in = new BufferedReader(new InputStreamReader(second.getInputStream()));
      new PrintWriter(second.getOutputStream(), true).println("two");
      await("second waits").atMost(WAIT).until(() -> routeCount("waiting") == 1);

      first.close();

      assertThat(in.readLine()).isEqualTo("b:two");
    }
    assertThat(routeCount("queued")).isEqualTo(1);
  }

  @Test
  void aTcpClientThatLeftWhileQueuedGivesItsSlotBack() throws Exception {
    startLb();
    ServerSocket b = lineServer("b");
    route(Map.of("MEZZO_LB_MODE_0", "tcp", "MEZZO_LB_MAX_CONN_0", "1", "MEZZO_LB_QUEUE_TIMEOUT_0", "30s"),
        instance("db.b", b.getLocalPort()));
    Socket first = new Socket("127.0.0.1", port);
    first.setSoTimeout(20_000);
    new PrintWriter(first.getOutputStream(), true).println("one");
    assertThat(new BufferedReader(new InputStreamReader(first.getInputStream())).readLine()).isEqualTo("b:one");
    Socket leaver = new Socket("127.0.0.1", port);
    await("leaver waits").atMost(WAIT).until(() -> routeCount("waiting") == 1);
    leaver.close(); // unnoticed while it waits: the LB does not read a waiting TCP client

    first.close(); // its slot goes to the leaver, which is found gone and gives it back

    await("nothing in flight").atMost(WAIT).until(() -> backendStats("db.b").get("in_flight").equals(0));
    assertThat(tcpExchange("three")).isEqualTo("b");
  }
}
