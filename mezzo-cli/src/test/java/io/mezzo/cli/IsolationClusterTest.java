package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.TestFramework;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Isolation end to end, with real master and agent processes and the isolator that is active on this
 * machine: a framework sees its memory hog fail with the memory reason, and the master's state holds
 * each running task's usage from the agent's heartbeats.
 */
class IsolationClusterTest {
  static final String HOG = "python3 -c \"import time\nb=[]\nfor i in range(64):\n  b.append(b'x'*(8<<20))\n  time.sleep(0.02)\ntime.sleep(60)\"";

  @TempDir
  Path dir;

  MezzoCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void memoryHogFailsWithTheMemoryReasonAndBusyTaskUsageReachesTheMaster() throws Exception {
    cluster = MezzoCluster.builder(dir).agents(1).start();
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "isolation", false)) {
      Offer offer = fw.awaitOffer();
      TaskId hog = new TaskId("hog");
      fw.launch(offer, hog, HOG, Resources.parse("cpus:0.2;mem:48"));
      TaskStatus failed = fw.awaitState(hog, TaskState.TASK_FAILED, Duration.ofSeconds(60));
      assertThat(failed.reason()).isEqualTo("REASON_CONTAINER_LIMITATION_MEMORY");
      assertThat(failed.message()).startsWith("Memory limit exceeded: the task used more than its limit of 48.0 MiB");
      assertThat(cluster.node("agent-1").log()).contains("isolation: cgroups/v1");
      try (var runs = Files.list(dir.resolve("agent-1/frameworks/" + fw.id().value() + "/tasks/hog/runs"))) {
        assertThat(runs.findFirst().orElseThrow().resolve("stderr")).exists();
      }

      // The hog's freed resources may come back in an offer of their own, too small for the next task.
      Resources needs = Resources.parse("cpus:0.5;mem:64");
      Offer next = fw.awaitOffer(o -> Resources.of(o.resources()).contains(needs));
      TaskId busy = new TaskId("busy");
      fw.launch(next, busy, "python3 -c 'while True: pass'", needs);
      fw.awaitState(busy, TaskState.TASK_RUNNING, Duration.ofSeconds(30));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        JsonNode usage = cluster.masterState().get("slaves").get(0).get("task_usage");
        return usage != null && usage.size() == 1 && usage.get(0).get("task_id").get("value").asText().equals("busy")
            && usage.get(0).get("cpus_user_time_secs").asDouble() > 0.2
            && usage.get(0).get("mem_limit_bytes").asLong() == 64L << 20;
      });
    }
  }
}
