package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.balancer.Balancer;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.V2Client;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load balancer in front of real instances of the sample server on a real cluster, following the
 * services scheduler through its event stream: it spreads requests over every healthy instance, and
 * under a steady load a scale-in from 4 to 1, a rolling restart, and another app added and removed drop
 * no request, because removed instances drain (no new requests, in-flight ones finish, reported idle)
 * before they are killed and listeners change without touching the others. Discovery is resilient: the
 * LB keeps serving what it knows while the master (and the scheduler inside it) is down, picks the
 * stream up again after the master comes back, and an LB started afresh learns every instance from the
 * snapshot.
 */
class LoadBalancerClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir
  Path dir;

  MezzoCluster cluster;
  Balancer balancer;
  V2Client v2;
  int lbPort;

  @AfterEach
  void stop() {
    if (balancer != null) {
      balancer.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private void start() {
    cluster = MezzoCluster.builder(dir).agentResources("cpus:2;mem:2048;disk:1024").start();
    v2 = new V2Client(cluster.masterAddress());
    await().atMost(WAIT).until(() -> v2.get("/v2/info").json().path("frameworkId").isTextual());
    lbPort = MezzoCluster.freeLoopbackPort();
    balancer = Balancer.start(cluster.masterAddress(), "127.0.0.1", MezzoCluster.freeLoopbackPort(), null, 0);
  }

  private String app(int instances, String generation) {
    return LbClusterSupport.sampleApp("/lb", instances,
        Map.of("mezzo.drain.seconds", "30", "MEZZO_LB_PORT_0", String.valueOf(lbPort)),
        ",\"env\":{\"GENERATION\":\"" + generation + "\"}");
  }

  private int healthy() {
    return LbClusterSupport.healthy(v2, "/lb");
  }

  /** A closed-loop load of {@code threads} clients until stopped; counts answers and failures. */
  static final class Load implements AutoCloseable {
    final AtomicLong ok = new AtomicLong();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final Set<String> servedBy = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    Load(int port, int n) {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      for (int i = 0; i < n; i++) {
        Thread t = new Thread(() -> {
          while (running.get()) {
            try {
              HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                  .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() == 200) {
                ok.incrementAndGet();
                servedBy.add(r.body().trim());
              } else {
                failures.add(r.statusCode() + " " + r.body().trim());
              }
            } catch (Exception e) {
              if (running.get()) {
                failures.add(e.toString());
              }
            }
          }
        }, "load-" + i);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(15_000);
      }
    }
  }

  @Test
  void scaleInARollingRestartAndAppsComingAndGoingUnderLoadDropNoRequest() throws Exception {
    start();
    assertThat(v2.post("/v2/apps", app(4, "1")).status()).isEqualTo(201);
    await("four healthy").atMost(WAIT).until(() -> healthy() == 4 && v2.get("/v2/deployments").json().isEmpty());
    await("the lb routes to them").atMost(WAIT).ignoreExceptions().until(() -> HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lbPort + "/")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200);

    long t0 = System.nanoTime();
    try (Load load = new Load(lbPort, 4)) {
      await("every instance serves").atMost(WAIT).until(() -> load.servedBy.size() == 4);

      // (a) scale-in from 4 to 1.
      assertThat(v2.patch("/v2/apps/lb", "{\"instances\":1}").status()).isEqualTo(200);
      await("scaled in").atMost(WAIT).until(() -> v2.get("/v2/deployments").json().isEmpty()
          && v2.get("/v2/apps/lb/tasks").json().path("tasks").size() == 1);
      long afterScale = load.ok.get();
      await("load goes on").atMost(WAIT).until(() -> load.ok.get() > afterScale + 200);
      assertThat(load.failures).as("failures during the scale-in").isEmpty();

      // (b) a rolling restart of what is left, scaled back to 2 first.
      assertThat(v2.patch("/v2/apps/lb", "{\"instances\":2}").status()).isEqualTo(200);
      await().atMost(WAIT).until(() -> healthy() == 2 && v2.get("/v2/deployments").json().isEmpty());
      Set<String> before = Set.copyOf(taskIds());
      assertThat(v2.post("/v2/apps/lb/restart", "{}").status()).isEqualTo(200);
      await("restarted").atMost(WAIT).until(() -> v2.get("/v2/deployments").json().isEmpty()
          && taskIds().size() == 2 && taskIds().stream().noneMatch(before::contains));
      long afterRestart = load.ok.get();
      await("load goes on").atMost(WAIT).until(() -> load.ok.get() > afterRestart + 200);
      assertThat(load.failures).as("failures during the rolling restart").isEmpty();
      // (c) another app is added behind the LB (a listener of its own), then removed.
      int otherPort = MezzoCluster.freeLoopbackPort();
      String other = "{\"id\":\"/other\",\"cmd\":\"sleep 3600\",\"cpus\":0.1,\"mem\":16,\"instances\":1,"
          + "\"labels\":{\"MEZZO_LB_PORT_0\":\"" + otherPort + "\"}}";
      assertThat(v2.post("/v2/apps", other).status()).isEqualTo(201);
      await("its listener is up").atMost(WAIT).until(() -> balancer.loadBalancer().listening().contains(otherPort)
          && v2.get("/v2/deployments").json().isEmpty());
      assertThat(v2.delete("/v2/apps/other").status()).isEqualTo(200);
      await("its listener is gone").atMost(WAIT).until(() -> !balancer.loadBalancer().listening().contains(otherPort));
      long afterApps = load.ok.get();
      await("load goes on").atMost(WAIT).until(() -> load.ok.get() > afterApps + 200);
      assertThat(load.failures).as("failures while an app was added and removed").isEmpty();

      JsonNode stats = cluster.getJson(balancer.adminPort(), "/stats").path("routes").path("/lb:0");
      assertThat(stats.path("backends").size()).isEqualTo(2);
      stats.path("backends").forEach(b -> assertThat(b.path("p99_ms").asDouble()).isPositive());
      assertThat(new V2Client("127.0.0.1:" + balancer.adminPort()).get("/metrics").text())
          .contains("mezzo_lb_responses_total{backend=");
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("LOAD %d requests in %.1f s through the lb (%.0f/s), 0 failed%n", load.ok.get(), seconds,
          load.ok.get() / seconds);
    }
  }

  private List<String> taskIds() {
    return LbClusterSupport.instances(v2, "/lb").stream().map(LbClusterSupport.Instance::id).toList();
  }

  @Test
  void theLoadBalancerServesThroughAMasterCrashAndResynchronisesAfterIt() throws Exception {
    start();
    assertThat(v2.post("/v2/apps", app(2, "1")).status()).isEqualTo(201);
    await("two healthy").atMost(WAIT).until(() -> healthy() == 2 && v2.get("/v2/deployments").json().isEmpty());

    try (Load load = new Load(lbPort, 2)) {
      await("both instances serve").atMost(WAIT).until(() -> load.servedBy.size() == 2);

      cluster.master().kill9();
      long whileDown = load.ok.get();
      await("the lb goes on serving while the master is down").atMost(WAIT)
          .until(() -> load.ok.get() > whileDown + 300);
      assertThat(cluster.master().isAlive()).isFalse();
      assertThat(load.failures).as("failures while the master was down").isEmpty();

      cluster.startMaster();
      await("the scheduler is back").atMost(WAIT).ignoreExceptions()
          .until(() -> healthy() == 2 && v2.get("/v2/deployments").json().isEmpty());
      assertThat(v2.patch("/v2/apps/lb", "{\"instances\":3}").status()).isEqualTo(200);
      await("the lb learns of the third instance from the resumed stream").atMost(WAIT)
          .until(() -> load.servedBy.size() == 3);
      long after = load.ok.get();
      await("load goes on").atMost(WAIT).until(() -> load.ok.get() > after + 200);
      assertThat(load.failures).as("failures across the master's crash and return").isEmpty();
    }

    // A load balancer started afresh gets every serving instance from the snapshot.
    balancer.close();
    balancer = Balancer.start(cluster.masterAddress(), "127.0.0.1", MezzoCluster.freeLoopbackPort(), null, -1);
    Set<String> served = new HashSet<>();
    await("a new lb routes to all three").atMost(WAIT).ignoreExceptions().until(() -> {
      LbClusterSupport.Answer a = LbClusterSupport.get(lbPort, "x", "/");
      if (a.status() == 200) {
        served.add(a.body().trim());
      }
      return served.size() == 3;
    });
  }
}
