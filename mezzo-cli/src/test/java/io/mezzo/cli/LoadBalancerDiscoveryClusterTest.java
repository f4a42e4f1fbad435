package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.balancer.Balancer;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.V2Client;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Service discovery's resilience: the load balancer follows the services scheduler through its event
 * stream, keeps serving what it knows while the master (and the scheduler inside it) is down, picks the
 * stream up again after the master comes back, and a load balancer started afresh learns every instance
 * from the snapshot.
 */
class LoadBalancerDiscoveryClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir
  Path dir;

  MezzoCluster cluster;
  Balancer balancer;

  @AfterEach
  void stop() {
    if (balancer != null) {
      balancer.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theLoadBalancerServesThroughAMasterCrashAndResynchronisesAfterIt() throws Exception {
    cluster = MezzoCluster.builder(dir).agentResources("cpus:2;mem:2048;disk:1024").start();
    V2Client v2 = new V2Client(cluster.masterAddress());
    await().atMost(WAIT).until(() -> v2.get("/v2/info").json().path("frameworkId").isTextual());
    int lbPort = MezzoCluster.freeLoopbackPort();
    balancer = Balancer.start(cluster.masterAddress(), "127.0.0.1", MezzoCluster.freeLoopbackPort(), null, -1);
    String app = ServicesClusterTest.sampleApp("/disc", 2, "").replace("\"labels\":{\"mezzo.drain.seconds\":\"1\"}",
        "\"labels\":{\"mezzo.drain.seconds\":\"30\",\"MEZZO_LB_PORT_0\":\"" + lbPort + "\"}");
    assertThat(v2.post("/v2/apps", app).status()).isEqualTo(201);
    await("two healthy").atMost(WAIT).until(() -> healthy(v2) == 2 && v2.get("/v2/deployments").json().isEmpty());

    try (LoadBalancerClusterTest.Load load = new LoadBalancerClusterTest.Load(lbPort, 2)) {
      await("both instances serve").atMost(WAIT).until(() -> load.servedBy.size() == 2);

      cluster.master().kill9();
      long whileDown = load.ok.get();
      await("the lb goes on serving while the master is down").atMost(WAIT)
          .until(() -> load.ok.get() > whileDown + 300);
      assertThat(cluster.master().isAlive()).isFalse();
      assertThat(load.failures).as("failures while the master was down").isEmpty();

      cluster.startMaster();
      await("the scheduler is back").atMost(WAIT).ignoreExceptions()
          .until(() -> healthy(v2) == 2 && v2.get("/v2/deployments").json().isEmpty());
      assertThat(v2.patch("/v2/apps/disc", "{\"instances\":3}").status()).isEqualTo(200);
      await("the lb learns of the third instance from the resumed stream").atMost(WAIT)
          .until(() -> load.servedBy.size() == 3);
      long after = load.ok.get();
      await("load goes on").atMost(WAIT).until(() -> load.ok.get() > after + 200);
      assertThat(load.failures).as("failures across the master's crash and return").isEmpty();
    }

    // A load balancer started afresh gets every serving instance from the snapshot.
    balancer.close();
    balancer = Balancer.start(cluster.masterAddress(), "127.0.0.1", MezzoCluster.freeLoopbackPort(), null, -1);
    HttpClient client = HttpClient.newHttpClient();
    Set<String> served = new HashSet<>();
    await("a new lb routes to all three").atMost(WAIT).ignoreExceptions().until(() -> {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lbPort + "/"))
          .build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        served.add(r.body().trim());
      }
      return served.size() == 3;
    });
  }

  private static int healthy(V2Client v2) {
    return v2.get("/v2/apps/disc").json().path("app").path("tasksHealthy").asInt();
  }
}
