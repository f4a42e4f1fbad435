package io.mezzo.cli;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.V2Client;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a test (its name escapes Surefire's default includes): the figures {@code bench/services}
 * prints. A real master (with the services scheduler) and two agent JVMs; an app of INSTANCES (50)
 * {@code sleep} instances driven through {@code /v2}, ROUNDS (3) times: POST to every instance
 * running and the deployment gone; a rolling restart ({@code minimumHealthCapacity} 0.5,
 * {@code maximumOverCapacity} 0.5, no drain period); a scale-in to a fifth; then, with all instances
 * back, {@code kill -9} of the master and a restart until the services scheduler has reconciled every
 * instance. Each figure is wall-clock from the request to the state seen through the API (20 ms
 * polling); medians over the rounds. No peer runs here (Marathon is not installed), so no ratio.
 */
class ServicesBench {
  @TempDir
  Path dir;

  @Test
  void deployRestartScaleAndRecover() {
    int n = Integer.getInteger("instances", 50);
    int rounds = Integer.getInteger("rounds", 3);
    try (MezzoCluster cluster = MezzoCluster.builder(dir).agents(2).agentHeartbeat(Duration.ofMillis(500), 20)
        .agentResources("cpus:" + n + ";mem:" + (16 * n + 256) + ";disk:1024").start()) {
      V2Client v2 = new V2Client(cluster.masterAddress());
      wait(() -> v2.get("/v2/info").json().path("frameworkId").isTextual());
      List<Double> deploy = new ArrayList<>();
      List<Double> restart = new ArrayList<>();
      List<Double> scaleIn = new ArrayList<>();
      List<Double> recover = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        String id = "/bench/r" + r;
        String app = "{\"id\":\"" + id + "\",\"cmd\":\"sleep 100000\",\"cpus\":0.4,\"mem\":8,\"instances\":" + n
            + ",\"labels\":{\"mezzo.drain.seconds\":\"0\"},"
            + "\"upgradeStrategy\":{\"minimumHealthCapacity\":0.5,\"maximumOverCapacity\":0.5}}";
        long t0 = System.nanoTime();
        check(v2.post("/v2/apps", app), 201);
        wait(() -> running(v2, id) == n && idle(v2));
        deploy.add(ms(t0));

        t0 = System.nanoTime();
        check(v2.post("/v2/apps" + id + "/restart", "{}"), 200);
        wait(() -> idle(v2) && running(v2, id) == n);
        restart.add(ms(t0));

        t0 = System.nanoTime();
        check(v2.patch("/v2/apps" + id, "{\"instances\":" + (n / 5) + "}"), 200);
        wait(() -> idle(v2) && tasks(v2, id) == n / 5);
        scaleIn.add(ms(t0));

        check(v2.patch("/v2/apps" + id, "{\"instances\":" + n + "}"), 200);
        wait(() -> running(v2, id) == n && idle(v2));
        cluster.master().kill9();
        t0 = System.nanoTime();
        cluster.startMaster();
        wait(() -> v2.get("/v2/info").status() == 200 && running(v2, id) == n && cluster.runningTaskIds().size() == n);
        recover.add(ms(t0));

        check(v2.delete("/v2/apps" + id), 200);
        wait(() -> v2.get("/v2/apps" + id).status() == 404);
      }
      report("deploy " + n + " instances (POST -> all running, deployment done)", deploy);
      report("rolling restart of " + n + " (0.5 / 0.5, no drain)", restart);
      report("scale-in " + n + " -> " + n / 5 + " (no drain)", scaleIn);
      report("kill -9 master with " + n + " instances -> restarted, all reconciled running", recover);
    }
  }

  private static void check(V2Client.Answer a, int status) {
    if (a.status() != status) {
      throw new IllegalStateException("expected " + status + ", got " + a);
    }
  }

  private static boolean idle(V2Client v2) {
    return v2.get("/v2/deployments").json().isEmpty();
  }

  private static int running(V2Client v2, String id) {
    int k = 0;
    for (JsonNode t : v2.get("/v2/apps" + id + "/tasks").json().path("tasks")) {
      if (t.path("state").asText().equals("TASK_RUNNING")) {
        k++;
      }
    }
    return k;
  }

  private static int tasks(V2Client v2, String id) {
    return v2.get("/v2/apps" + id + "/tasks").json().path("tasks").size();
  }

  private static void wait(BooleanSupplier condition) {
    await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
        .until(condition::getAsBoolean);
  }

  private static double ms(long t0) {
    return (System.nanoTime() - t0) / 1e6;
  }

  private static void report(String what, List<Double> ms) {
    List<Double> sorted = new ArrayList<>(ms);
    Collections.sort(sorted);
    System.out.printf("BENCH %s: median %.0f ms over %d rounds (min %.0f, max %.0f)%n", what,
        sorted.get(sorted.size() / 2), sorted.size(), sorted.get(0), sorted.get(sorted.size() - 1));
  }
}
