package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskState;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.TestFramework;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent recovery end to end: a real master, a real agent JVM {@code kill -9}ed and started again on
 * the same work dir within the master's agent timeout, and a framework that must see its running
 * tasks go on and the task that ended during the outage reported with its exit code.
 */
class AgentRecoveryClusterTest {
  private static final Resources SMALL = Resources.parse("cpus:0.1;mem:32");
  private static final Duration WAIT = Duration.ofSeconds(30);

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
  void killedAgentRestartedOnItsWorkDirKeepsItsTasksAndReportsTheOneThatExited() throws Exception {
    // 500 ms heartbeats, 60 misses: the master waits 30 s before it gives the agent up.
    cluster = MezzoCluster.builder(dir).agents(1).agentHeartbeat(Duration.ofMillis(500), 60).start();
    Path release = dir.resolve("release");
    List<String> survivors = List.of("keep-1", "keep-2", "keep-3");
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "recovering", false)) {
      for (String id : survivors) {
        fw.launch(fw.awaitOffer(), new TaskId(id), "sleep 1000", SMALL);
      }
      fw.launch(fw.awaitOffer(), new TaskId("exits"),
          "while [ ! -e " + release + " ]; do sleep 0.05; done; exit 7", SMALL);
      for (String id : List.of("keep-1", "keep-2", "keep-3", "exits")) {
        fw.awaitState(new TaskId(id), TaskState.TASK_RUNNING, WAIT);
      }
      Map<String, Long> pids = pids(cluster.getJson(cluster.node("agent-1").port(), "/state"));
      assertThat(pids).containsKeys("keep-1", "keep-2", "keep-3", "exits");

      cluster.node("agent-1").kill9();
      Files.createFile(release);
      await("exits ends during the outage").atMost(WAIT).until(() -> !alive(pids.get("exits")));
      cluster.startAgent(0);

      assertThat(fw.awaitState(new TaskId("exits"), TaskState.TASK_FAILED, WAIT).message())
          .isEqualTo("Command exited with status 7");
      JsonNode agentState = cluster.getJson(cluster.node("agent-1").port(), "/state");
      Map<String, Long> after = pids(agentState);
      for (String id : survivors) {
        assertThat(after.get(id)).as("pid of %s after the restart", id).isEqualTo(pids.get(id));
        assertThat(alive(pids.get(id))).as("%s still running", id).isTrue();
        assertThat(fw.states(new TaskId(id))).as("states of %s", id).endsWith(TaskState.TASK_RUNNING)
            .doesNotContain(TaskState.TASK_LOST, TaskState.TASK_UNREACHABLE, TaskState.TASK_FAILED);
      }
      assertThat(cluster.activeAgents()).isEqualTo(1);

      // The restarted agent still controls what it adopted.
      fw.kill(new TaskId("keep-1"), fw.updates(new TaskId("keep-1")).get(0).agentId());
      fw.awaitState(new TaskId("keep-1"), TaskState.TASK_KILLED, WAIT);
      await().atMost(WAIT).until(() -> !alive(pids.get("keep-1")));
    }
  }

  private static Map<String, Long> pids(JsonNode agentState) {
    Map<String, Long> out = new HashMap<>();
    for (JsonNode t : agentState.path("tasks")) {
      if (t.path("pid").canConvertToLong()) {
        out.put(t.path("id").asText(), t.path("pid").asLong());
      }
    }
    return out;
  }

  /** Whether a live (not zombie) process of group {@code pgid} exists. */
  static boolean alive(long pgid) throws IOException {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs.filter(p -> p.getFileName().toString().matches("\\d+")).anyMatch(p -> {
        try {
          String stat = Files.readString(p.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          return Long.parseLong(f[2]) == pgid && !f[0].equals("Z") && !f[0].equals("X");
        } catch (IOException | RuntimeException e) {
          return false;
        }
      });
    }
  }
}
