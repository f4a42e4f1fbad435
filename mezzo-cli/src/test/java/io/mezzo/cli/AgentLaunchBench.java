package io.mezzo.cli;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskState;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.TestFramework;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a test (its name escapes Surefire's default includes): the figures {@code bench/agent-recovery}
 * prints. One real master and agent JVM (the test kit's {@code -Xmx256m -XX:+UseSerialGC}); TASKS
 * (100) {@code sleep} tasks launched one at a time, each timed from its ACCEPT to the framework seeing
 * TASK_RUNNING (1 ms polling); the agent's RSS with all of them running; then {@code kill -9} of the
 * agent, a restart on the same work dir, and the time until its {@code /state} shows every task
 * re-adopted and running, and its RSS again.
 */
class AgentLaunchBench {
  @TempDir
  Path dir;

  @Test
  void launchLatencyAgentRssAndRecovery() throws Exception {
    int n = Integer.getInteger("tasks", 100);
    try (MezzoCluster cluster = MezzoCluster.builder(dir).agents(1).agentHeartbeat(Duration.ofMillis(500), 120)
        .agentResources("cpus:" + n + ";mem:" + (64 * n) + ";disk:1024").start();
        TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "bench", false)) {
      Resources each = Resources.parse("cpus:0.5;mem:32");
      List<Double> ms = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        TaskId id = new TaskId("bench-" + i);
        var offer = fw.awaitOffer();
        long t0 = System.nanoTime();
        fw.launch(offer, id, "sleep 100000", each);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
            .until(() -> fw.states(id).contains(TaskState.TASK_RUNNING));
        ms.add((System.nanoTime() - t0) / 1e6);
      }
      Collections.sort(ms);
      System.out.printf("BENCH launch ACCEPT->TASK_RUNNING over %d launches: median %.1f ms, p99 %.1f ms, min %.1f ms, max %.1f ms%n",
          n, ms.get(n / 2), ms.get((int) Math.ceil(n * 0.99) - 1), ms.get(0), ms.get(n - 1));
      MezzoCluster.Node agent = cluster.node("agent-1");
      System.out.printf("BENCH agent RSS with %d running tasks: %d MiB%n", n, rssKib(agent.pid()) / 1024);

      agent.kill9();
      long t0 = System.nanoTime();
      MezzoCluster.Node again = cluster.startAgent(0);
      long healthy = System.nanoTime();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> running(cluster, again) == n);
      long adopted = System.nanoTime();
      System.out.printf("BENCH restart after kill -9 with %d tasks: agent healthy after %.0f ms, all re-adopted and running after %.0f ms%n",
          n, (healthy - t0) / 1e6, (adopted - t0) / 1e6);
      int lost = 0;
      for (int i = 0; i < n; i++) {
        if (fw.states(new TaskId("bench-" + i)).stream().anyMatch(s -> s != TaskState.TASK_STARTING && s != TaskState.TASK_RUNNING)) {
          lost++;
        }
      }
      System.out.printf("BENCH tasks the framework saw leave TASK_RUNNING across the restart: %d; agent RSS after recovery: %d MiB%n",
          lost, rssKib(again.pid()) / 1024);
    }
  }

  private static int running(MezzoCluster cluster, MezzoCluster.Node agent) {
    int r = 0;
    for (JsonNode t : cluster.getJson(agent.port(), "/state").path("tasks")) {
      if (t.path("state").asText().equals("TASK_RUNNING")) {
        r++;
      }
    }
    return r;
  }

  private static long rssKib(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
