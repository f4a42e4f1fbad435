package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.core.scheduler.Event;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.TestFramework;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents dying for real: {@code kill -9} of an agent process, the master noticing within its
 * heartbeat timeout, frameworks told, and the agent readmitted when it comes back.
 */
class AgentFailureTest {
  private static final Resources SMALL = Resources.parse("cpus:0.1;mem:32");
  /** 200 ms heartbeats, 5 misses: unreachable after about one second. */
  private static final Duration DETECTION_BOUND = Duration.ofSeconds(10);

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
  void killedAgentsTasksAreReportedLostAndItsResourcesLeaveTheOffers() throws Exception {
    cluster = MezzoCluster.builder(dir).agents(2).agentHeartbeat(Duration.ofMillis(200), 5).start();
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "victim", false);
        TestFramework aware = TestFramework.subscribe(cluster.masterAddress(), "aware", true)) {
      Offer offer = fw.awaitOffer();
      AgentId doomed = offer.agentId();
      TaskId task = new TaskId("doomed-task");
      fw.launch(offer, task, "sleep 1000", SMALL);
      fw.awaitState(task, TaskState.TASK_RUNNING, Duration.ofSeconds(30));
      aware.declineAll(0);
      fw.declineAll(0);
      Offer awareOffer = aware.awaitOffer(o -> o.agentId().equals(doomed));
      TaskId awareTask = new TaskId("aware-task");
      aware.launch(awareOffer, awareTask, "sleep 1000", SMALL);
      aware.awaitState(awareTask, TaskState.TASK_RUNNING, Duration.ofSeconds(30));
      MezzoCluster.Node agent = agentNode(doomed);

      long killedAt = System.nanoTime();
      agent.kill9();

      TaskStatus lost = fw.awaitState(task, TaskState.TASK_LOST, DETECTION_BOUND);
      long detectedMs = (System.nanoTime() - killedAt) / 1_000_000;
      assertThat(lost.reason()).isEqualTo("REASON_AGENT_REMOVED");
      assertThat(lost.source()).isEqualTo(TaskStatus.Source.SOURCE_MASTER);
      assertThat(aware.awaitState(awareTask, TaskState.TASK_UNREACHABLE, DETECTION_BOUND).reason())
          .isEqualTo("REASON_AGENT_REMOVED");
      assertThat(fw.events()).anyMatch(e -> e.type() == Event.Type.FAILURE && e.failure().agentId().equals(doomed));
      assertThat(detectedMs).as("detection took %d ms", detectedMs).isGreaterThanOrEqualTo(800);

      // No offer for the dead agent is outstanding, and none comes again.
      assertThat(fw.outstandingOffers()).noneMatch(o -> o.agentId().equals(doomed));
      fw.declineAll(0);
      aware.declineAll(0);
      await().atMost(Duration.ofSeconds(10)).until(() -> !fw.outstandingOffers().isEmpty()
          || !aware.outstandingOffers().isEmpty());
      assertThat(fw.outstandingOffers()).noneMatch(o -> o.agentId().equals(doomed));
      assertThat(aware.outstandingOffers()).noneMatch(o -> o.agentId().equals(doomed));
      JsonNode state = cluster.masterState();
      assertThat(state.path("unreachable_slaves").asInt()).isEqualTo(1);
      assertThat(state.path("activated_slaves").asInt()).isEqualTo(1);
    }
  }

  @Test
  void restartedAgentIsReadmittedWithItsId() throws Exception {
    cluster = MezzoCluster.builder(dir).agents(1).agentHeartbeat(Duration.ofMillis(200), 5).start();
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "survivor", false)) {
      Offer offer = fw.awaitOffer();
      TaskId task = new TaskId("orphan-to-be");
      fw.launch(offer, task, "sleep 1000", SMALL);
      fw.awaitState(task, TaskState.TASK_RUNNING, Duration.ofSeconds(30));
      Path pidFile;
      try (var files = Files.walk(dir)) {
        pidFile = files.filter(p -> p.endsWith("task.pid")).findFirst().orElseThrow();
      }
      long pid = Long.parseLong(Files.readString(pidFile).trim());

      cluster.node("agent-1").kill9();
      fw.awaitState(task, TaskState.TASK_LOST, DETECTION_BOUND);
      assertThat(KernelClusterTest.groupAlive(pid)).as("the task outlives its agent").isTrue();

      cluster.startAgent(0);

      await("agent readmitted").atMost(Duration.ofSeconds(30)).until(() -> cluster.activeAgents() == 1);
      JsonNode slave = cluster.masterState().path("slaves").get(0);
      assertThat(slave.path("id").asText()).isEqualTo(offer.agentId().value());
      // The restarted agent re-adopts the task and reports it running, but the framework was told it
      // is lost: the master has the agent kill it rather than bring it back to life or orphan it.
      await("the lost task is killed").atMost(Duration.ofSeconds(30)).until(() -> !AgentRecoveryClusterTest.alive(pid));
      assertThat(fw.states(task)).contains(TaskState.TASK_LOST).doesNotContain(TaskState.TASK_FINISHED);
      Offer again = fw.awaitOffer(o -> o.agentId().equals(offer.agentId()));
      assertThat(Resources.of(again.resources()).scalar("cpus")).isEqualTo(2.0);
    }
  }

  private MezzoCluster.Node agentNode(AgentId id) {
    JsonNode slaves = cluster.masterState().path("slaves");
    for (JsonNode s : slaves) {
      if (s.path("id").asText().equals(id.value())) {
        int port = s.path("port").asInt();
        for (String name : new String[] {"agent-1", "agent-2"}) {
          if (cluster.node(name).port() == port) {
            return cluster.node(name);
          }
        }
      }
    }
    throw new AssertionError("no agent process for " + id);
  }
}
