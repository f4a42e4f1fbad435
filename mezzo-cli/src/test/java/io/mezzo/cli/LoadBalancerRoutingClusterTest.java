package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.balancer.Balancer;
import io.mezzo.cli.LbClusterSupport.Answer;
import io.mezzo.cli.LbClusterSupport.Instance;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.V2Client;
import io.mezzo.testkit.WebSocketEchoClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load balancer's routing on a real cluster, with real sample-server instances as backends, one
 * app per behaviour, all deployed at the start on one cluster (master + services + two agents, the LB
 * in this JVM) so that their start-ups overlap:
 * <ul>
 *   <li>round robin spreads one connection's requests evenly; least request favours the fast backend
 *       when one instance is made slow; consistent hashing keeps every key's instance when one of four
 *       instances leaves, but for that instance's keys (about a quarter) and Maglev's few collateral ones;
 *   <li>an instance answering 500s is ejected after the outlier threshold (5 in a row) and gets nothing
 *       more; the LB's {@code /stats} and {@code /metrics} count the ejection;
 *   <li>a {@code tcp} listener relays raw connections, each to one instance, spread over the instances;
 *   <li>an unknown host gets 404 and an app without a healthy instance 503, each with a body that says so;
 *   <li>an instance's {@code /ws} echoes WebSocket messages, directly and through the LB, where the
 *       upgraded connection is a tunnel counted in flight on its instance until it closes.
 * </ul>
 *
 * <p>Hash key: {@code MEZZO_LB_BALANCE_n=consistent_hash} asks for {@code Algorithm.KeySource.ROUTE},
 * "the route's sticky key (a header or cookie named by its labels), else the client address"; no label
 * names a header or cookie yet ({@code RouteLabels} reads none), so the proxy hashes the client address
 * (the same key as {@code source}). The test therefore makes its 1000 keys 1000 client addresses: it binds
 * each connection to its own source address in 127.1.0.0/16, which Linux routes over loopback.
 *
 * <p>Shares and orders are asserted, never wall-clock times.
 */
class LoadBalancerRoutingClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  /** One app of this class: its id, instances, the LB port it asks for (0: vhost only) and labels. */
  private record App(String id, int instances, int lbPort, Map<String, String> labels) {
    String routeKey() {
      return id + ":0";
    }
  }

  private static final int SHARED_PORT = MezzoCluster.freeLoopbackPort();
  private static final App ROUND_ROBIN = app("/lbrr", 4, "MEZZO_LB_BALANCE_0", "round_robin");
  private static final App LEAST_REQUEST = app("/lblr", 2, "MEZZO_LB_BALANCE_0", "least_request");
  private static final App HASHED = app("/lbch", 4, "MEZZO_LB_BALANCE_0", "consistent_hash");
  private static final App EJECTING = app("/lbeject", 3, "MEZZO_LB_BALANCE_0", "round_robin");
  private static final App TCP = app("/lbtcp", 2, "MEZZO_LB_MODE_0", "tcp");
  private static final App WEBSOCKET = app("/lbws", 1, "MEZZO_LB_BALANCE_0", "round_robin");
  /** Never healthy: {@code sleep} does not listen on its port. Reached by vhost on the shared port. */
  private static final App UNREADY = new App("/lbunready", 1, 0, Map.of("MEZZO_LB_VHOST_0", "unready.test",
      "MEZZO_LB_QUEUE_TIMEOUT_0", "1s"));

  @TempDir
  static Path dir;

  static MezzoCluster cluster;
  static Balancer balancer;
  static V2Client v2;

  private static App app(String id, int instances, String label, String value) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("mezzo.drain.seconds", "1");
    int port = MezzoCluster.freeLoopbackPort();
    labels.put("MEZZO_LB_PORT_0", String.valueOf(port));
    labels.put(label, value);
    return new App(id, instances, port, labels);
  }

  @BeforeAll
  static void start() {
    cluster = MezzoCluster.builder(dir).agentResources("cpus:2;mem:2048;disk:1024").start();
    v2 = new V2Client(cluster.masterAddress());
    await().atMost(WAIT).until(() -> v2.get("/v2/info").json().path("frameworkId").isTextual());
    balancer = Balancer.start(cluster.masterAddress(), "127.0.0.1", SHARED_PORT, null, 0);
    for (App a : List.of(ROUND_ROBIN, LEAST_REQUEST, HASHED, EJECTING, TCP, WEBSOCKET)) {
      V2Client.Answer posted = v2.post("/v2/apps", LbClusterSupport.sampleApp(a.id(), a.instances(), a.labels(), ""));
      assertThat(posted.status()).as("POST %s: %s", a.id(), posted).isEqualTo(201);
    }
    String unready = "{\"id\":\"" + UNREADY.id() + "\",\"cmd\":\"sleep 3600\",\"cpus\":0.05,\"mem\":16,\"instances\":1,"
        + "\"portDefinitions\":[{\"port\":0,\"name\":\"http\"}]," + LbClusterSupport.labelsJson(UNREADY.labels()) + ","
        + "\"healthChecks\":[{\"protocol\":\"MESOS_HTTP\",\"path\":\"/health\",\"portIndex\":0,"
        + "\"gracePeriodSeconds\":600,\"intervalSeconds\":2,\"timeoutSeconds\":1,\"maxConsecutiveFailures\":3}]}";
    assertThat(v2.post("/v2/apps", unready).status()).isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    if (balancer != null) {
      balancer.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Waits until every instance of {@code a} is healthy and the LB serves each; returns them. */
  private static List<Instance> ready(App a) {
    await(a.id() + " healthy behind the lb").atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> LbClusterSupport.healthy(v2, a.id()) == a.instances() && backends(a).size() == a.instances());
    List<Instance> instances = LbClusterSupport.instances(v2, a.id());
    assertThat(instances).hasSize(a.instances());
    return instances;
  }

  /** The route's backends in the LB's {@code /stats}, by instance id. */
  private static JsonNode backends(App a) {
    return cluster.getJson(balancer.adminPort(), "/stats").path("routes").path(a.routeKey()).path("backends");
  }

  private static Set<String> ids(List<Instance> instances) {
    Set<String> ids = new HashSet<>();
    instances.forEach(i -> ids.add(i.id()));
    return ids;
  }

  private static HttpResponse<String> post(String url) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void roundRobinSpreadsRequestsEvenly() throws IOException {
    List<Instance> instances = ready(ROUND_ROBIN);
    int n = 400;
    Map<String, Integer> served = new HashMap<>();
    try (Socket one = new Socket()) {
      one.connect(new InetSocketAddress("127.0.0.1", ROUND_ROBIN.lbPort()), 5_000);
      one.setSoTimeout(30_000);
      for (int i = 0; i < n; i++) {
        Answer a = LbClusterSupport.exchange(one, "rr.test", "/", true);
        assertThat(a.status()).as("%s", a).isEqualTo(200);
        served.merge(a.instance(), 1, Integer::sum);
      }
    }
    assertThat(served.keySet()).isEqualTo(ids(instances));
    // Exact shares over every cycle of 4; a picker rebuilt by a discovery update restarts its cycle at
    // a random offset, which can shift a share by one each time.
    assertThat(served.values()).as("requests per instance: %s", served).allSatisfy(c ->
        assertThat(c).isBetween(n / 4 - 3, n / 4 + 3));
  }

  @Test
  void leastRequestFavoursTheFastBackend() throws Exception {
    List<Instance> instances = ready(LEAST_REQUEST);
    Instance slow = instances.get(0);
    HttpResponse<String> slowed = post(slow.url("/latency?ms=200"));
    assertThat(slowed.statusCode()).as(slowed.body()).isEqualTo(200);

    Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
    AtomicInteger left = new AtomicInteger(400);
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        done.add(clients.submit(() -> {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", LEAST_REQUEST.lbPort()), 5_000);
            s.setSoTimeout(30_000);
            while (left.getAndDecrement() > 0) {
              Answer a = LbClusterSupport.exchange(s, "lr.test", "/", true);
              assertThat(a.status()).as("%s", a).isEqualTo(200);
              served.computeIfAbsent(a.instance(), k -> new AtomicInteger()).incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      clients.shutdownNow();
    }
    int slowCount = served.getOrDefault(slow.id(), new AtomicInteger()).get();
    int fastCount = served.getOrDefault(instances.get(1).id(), new AtomicInteger()).get();
    System.out.printf("LEAST_REQUEST fast %d, slow (200 ms) %d%n", fastCount, slowCount);
    assertThat(fastCount + slowCount).isEqualTo(400);
    assertThat(fastCount).as("fast %d vs slow %d", fastCount, slowCount).isGreaterThan(3 * slowCount);
  }

  /** Which instance answers each of {@code keys} client addresses. */
  private static Map<Integer, String> instanceByKey(int keys) throws Exception {
    Map<Integer, String> out = new ConcurrentHashMap<>();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int k = 0; k < keys; k++) {
        int key = k;
        done.add(clients.submit(() -> {
          Answer a = LbClusterSupport.get("127.1." + (key / 250) + "." + (key % 250 + 1), HASHED.lbPort(), "ch.test",
              "/");
          assertThat(a.status()).as("%s", a).isEqualTo(200);
          out.put(key, a.instance());
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      clients.shutdownNow();
    }
    return out;
  }

  @Test
  void consistentHashMovesAboutOneNthOfKeysWhenABackendLeaves() throws Exception {
    List<Instance> four = ready(HASHED);
    int keys = 1000;
    Map<Integer, String> before = instanceByKey(keys);
    assertThat(Set.copyOf(before.values())).isEqualTo(ids(four));
    assertThat(instanceByKey(keys)).as("the same key goes to the same instance").isEqualTo(before);

    assertThat(v2.patch("/v2/apps" + HASHED.id(), "{\"instances\":3}").status()).isEqualTo(200);
    await("scaled in to 3, the lb following").atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() ->
        LbClusterSupport.deployed(v2, HASHED.id()) && LbClusterSupport.instances(v2, HASHED.id()).size() == 3
            && backends(HASHED).size() == 3);
    Set<String> gone = new HashSet<>(ids(four));
    gone.removeAll(ids(LbClusterSupport.instances(v2, HASHED.id())));
    assertThat(gone).hasSize(1);
    String removed = gone.iterator().next();

    Map<Integer, String> after = instanceByKey(keys);
    int moved = 0;
    int collateral = 0;
    int ofRemoved = 0;
    for (int k = 0; k < keys; k++) {
      boolean wasRemoved = before.get(k).equals(removed);
      ofRemoved += wasRemoved ? 1 : 0;
      if (!before.get(k).equals(after.get(k))) {
        moved++;
        collateral += wasRemoved ? 0 : 1;
      }
    }
    System.out.printf("CONSISTENT_HASH %d of %d keys moved (%d were on the removed instance, %d collateral)%n",
        moved, keys, ofRemoved, collateral);
    assertThat(after.values()).doesNotContain(removed);
    assertThat(moved / (double) keys).as("share of keys moved").isBetween(0.15, 0.35);
    // Maglev moves the removed backend's slots plus a few others when its table is refilled (the paper's
    // "minimal disruption" is approximate; MaglevTest bounds it below 5% over 3..50 backends).
    assertThat(collateral / (double) keys).as("keys moved off surviving instances").isLessThan(0.03);
  }

  @Test
  void aBackendAnswering500sIsEjected() throws Exception {
    List<Instance> instances = ready(EJECTING);
    Instance bad = instances.get(0);
    assertThat(post(bad.url("/fail?status=500")).statusCode()).isEqualTo(200);

    List<Answer> answers = new ArrayList<>();
    try (Socket one = new Socket()) {
      one.connect(new InetSocketAddress("127.0.0.1", EJECTING.lbPort()), 5_000);
      one.setSoTimeout(30_000);
      for (int i = 0; i < 150; i++) {
        answers.add(LbClusterSupport.exchange(one, "eject.test", "/", true));
      }
    }
    List<Answer> failed = answers.stream().filter(a -> a.status() != 200).toList();
    // The outlier detector's threshold: 5 consecutive 5xx.
    assertThat(failed).as("answers that reached the client").isNotEmpty().hasSizeLessThanOrEqualTo(5)
        .allSatisfy(a -> {
          assertThat(a.status()).isEqualTo(500);
          assertThat(a.instance()).isEqualTo(bad.id());
        });
    int lastFailure = answers.lastIndexOf(failed.get(failed.size() - 1));
    assertThat(answers.subList(lastFailure + 1, answers.size())).as("after the ejection").hasSizeGreaterThan(100)
        .allSatisfy(a -> assertThat(a.status()).isEqualTo(200));
    // The instance itself saw no more requests than the client saw 500s.
    String itsMetrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(bad.url("/metrics"))).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(itsMetrics).contains("sample_requests_total{path=\"/\",status=\"500\"} " + failed.size() + ".0");

    assertThat(backends(EJECTING).path(bad.id()).path("ejections").asLong()).isEqualTo(1);
    assertThat(backends(EJECTING).path(instances.get(1).id()).path("ejections").asLong()).isZero();
    assertThat(new V2Client("127.0.0.1:" + balancer.adminPort()).get("/metrics").text())
        .containsPattern("mezzo_lb_ejections_total\\{[^}]*backend=\"" + java.util.regex.Pattern.quote(bad.id())
            + "\"[^}]*\\} 1\\.0");
  }

  @Test
  void tcpModeProxiesRawConnections() throws IOException {
    List<Instance> instances = ready(TCP);
    Map<String, Integer> connectionsPerInstance = new HashMap<>();
    for (int c = 0; c < 20; c++) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", TCP.lbPort()), 5_000);
        s.setSoTimeout(30_000);
        Answer first = LbClusterSupport.exchange(s, "tcp.test", "/", true);
        Answer second = LbClusterSupport.exchange(s, "tcp.test", "/", true);
        assertThat(first.status()).as("%s", first).isEqualTo(200);
        assertThat(first.body()).startsWith("hello from ");
        assertThat(second.instance()).as("one backend per connection").isEqualTo(first.instance());
        connectionsPerInstance.merge(first.instance(), 1, Integer::sum);
      }
    }
    assertThat(connectionsPerInstance.keySet()).isEqualTo(ids(instances));
    assertThat(connectionsPerInstance.values()).as("%s", connectionsPerInstance).allSatisfy(n ->
        assertThat(n).isGreaterThanOrEqualTo(5));
  }

  /** The unready app's route is on the shared port, and its instance runs (unhealthy). */
  private static void unreadyRouted() {
    await("the unready app's instance runs and its route is up").atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> balancer.loadBalancer().listening().contains(SHARED_PORT)
            && v2.get("/v2/apps" + UNREADY.id() + "/tasks").json().path("tasks").path(0).path("mezzoState").asText()
            .equals("RUNNING"));
  }

  @Test
  void unknownHostGets404WithAClearBody() {
    unreadyRouted();
    Answer a = LbClusterSupport.get(SHARED_PORT, "nobody.test", "/some/path");
    assertThat(a.status()).isEqualTo(404);
    assertThat(a.body()).isEqualTo("no route for host 'nobody.test' path '/some/path' on port " + SHARED_PORT + "\n");
  }

  @Test
  void anAppWithoutHealthyInstancesGets503() {
    unreadyRouted();
    assertThat(LbClusterSupport.healthy(v2, UNREADY.id())).isZero();
    // Up to the route's queue timeout (1 s) may pass before the answer, once the LB waits for a backend.
    Answer a = LbClusterSupport.get(SHARED_PORT, "unready.test", "/");
    assertThat(a.status()).isEqualTo(503);
    assertThat(a.body()).startsWith("no healthy backend for " + UNREADY.routeKey());
  }

  @Test
  void webSocketEchoesOnAnInstance() {
    Instance one = ready(WEBSOCKET).get(0);
    try (WebSocketEchoClient ws = WebSocketEchoClient.connect(URI.create("ws://" + one.host() + ":" + one.port()
        + "/ws"))) {
      assertThat(ws.text("hello, instance")).isEqualTo("hello, instance");
      assertThat(ws.binary(new byte[] {1, 2, 3, 0, -1})).containsExactly(1, 2, 3, 0, -1);
    }
  }

  @Test
  void webSocketEchoesThroughTheLoadBalancer() {
    Instance one = ready(WEBSOCKET).get(0);
    try (WebSocketEchoClient ws = WebSocketEchoClient.connect(URI.create("ws://127.0.0.1:" + WEBSOCKET.lbPort()
        + "/ws"))) {
      assertThat(ws.text("hello through the lb")).isEqualTo("hello through the lb");
      byte[] bytes = new byte[60_000];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) (i * 7);
      }
      assertThat(ws.binary(bytes)).isEqualTo(bytes);
      assertThat(ws.text("still open")).isEqualTo("still open");
      assertThat(backends(WEBSOCKET).path(one.id()).path("in_flight").asLong())
          .as("the open tunnel counts in flight on its instance").isEqualTo(1);
    }
    await("the closed tunnel is no longer in flight").atMost(WAIT).pollInterval(Duration.ofMillis(100))
        .until(() -> backends(WEBSOCKET).path(one.id()).path("in_flight").asLong() == 0);
  }
}
