package io.mezzo.cli;

import io.mezzo.core.model.Offer;
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
import java.util.concurrent.locks.LockSupport;

/**
 * A wall-clock figure, not a test (run by {@code bench/agent-isolation}): on a real master and agent
 * with the isolator active on this machine, launches N long-running tasks one after another and
 * measures ACCEPT sent to TASK_RUNNING received by the framework for each (median, p99, max); then,
 * with all N running, the agent JVM's RSS and the time to answer {@code /monitor/statistics}.
 */
public final class IsolatedLaunchBench {
  private IsolatedLaunchBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    Path dir = Files.createTempDirectory("mezzo-bench");
    try (MezzoCluster cluster = MezzoCluster.builder(dir).agents(1)
        .agentResources("cpus:8;mem:16384;disk:1024").start();
        TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "bench", false)) {
      long agentPid = cluster.node("agent-1").pid();
      System.out.printf("agent RSS before any task: %.1f MiB%n", rssKib(agentPid) / 1024.0);
      List<Double> ms = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Offer offer = fw.awaitOffer();
        TaskId id = new TaskId("t" + i);
        long start = System.nanoTime();
        fw.launch(offer, id, "sleep 3600", Resources.parse("cpus:0.01;mem:16"));
        while (!fw.states(id).contains(TaskState.TASK_RUNNING)) {
          if (fw.states(id).stream().anyMatch(TaskState::isTerminal)) {
            throw new IllegalStateException(id + ": " + fw.updates(id));
          }
          LockSupport.parkNanos(100_000);
        }
        ms.add((System.nanoTime() - start) / 1e6);
      }
      Collections.sort(ms);
      System.out.printf("ACCEPT -> TASK_RUNNING over %d launches (%s): median %.1f ms, p99 %.1f ms, max %.1f ms%n",
          n, isolator(cluster), ms.get(n / 2), ms.get((int) Math.ceil(n * 0.99) - 1), ms.get(n - 1));
      // RSS once the agent has measured every task and reported it (a full monitor round).
      org.awaitility.Awaitility.await("usage of all tasks reported").atMost(java.time.Duration.ofSeconds(60))
          .until(() -> cluster.masterState().path("slaves").path(0).path("task_usage").size() == n);
      System.out.printf("agent RSS with %d running tasks: %.1f MiB%n", n, rssKib(agentPid) / 1024.0);
      long t = System.nanoTime();
      var stats = cluster.getJson(cluster.node("agent-1").port(), "/monitor/statistics");
      System.out.printf("/monitor/statistics with %d tasks: %d entries in %.1f ms%n", n, stats.size(),
          (System.nanoTime() - t) / 1e6);
    }
  }

  private static String isolator(MezzoCluster cluster) {
    String log = cluster.node("agent-1").log();
    int i = log.indexOf("isolation: ");
    return i < 0 ? "isolator unknown" : log.substring(i, log.indexOf(' ', i + 11));
  }

  private static long rssKib(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D+", ""));
      }
    }
    return -1;
  }
}
