package io.mezzo.agent;

import static io.mezzo.agent.FakeMaster.shellTask;
import static io.mezzo.core.model.TaskState.TASK_FAILED;
import static io.mezzo.core.model.TaskState.TASK_KILLED;
import static io.mezzo.core.model.TaskState.TASK_RUNNING;
import static io.mezzo.core.model.TaskState.TASK_STARTING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a real agent process and a restart on the same work dir: running tasks are
 * re-adopted, a task that ended meanwhile is reported with its real exit status, and checkpointed
 * status updates are delivered exactly as far as they were not acknowledged.
 */
class AgentRecoveryTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension
  final FakeMaster master = new FakeMaster();

  @TempDir
  Path dir;

  private AgentProcess agent;

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    FakeMaster.killLeftovers(dir);
  }

  @Test
  void runningTasksSurviveKill9AndTheOneThatExitedMeanwhileReportsItsExitCode() throws Exception {
    Processes.openToTasks(dir); // the tasks, run as nobody, look for the release file there
    Path workDir = dir.resolve("agent");
    Path release = dir.resolve("release");
    agent = startAgent(workDir, "reconnect", 1);
    await().atMost(WAIT).until(() -> Files.exists(workDir.resolve("agent.id")));
    String agentId = Files.readString(workDir.resolve("agent.id")).strip();
    List<String> survivors = List.of("long-1", "long-2", "long-3");
    survivors.forEach(id -> master.launch(shellTask(id, "sleep 1000")));
    master.launch(shellTask("exits", "while [ ! -e " + release + " ]; do sleep 0.05; done; exit 7"));
    for (String id : List.of("long-1", "long-2", "long-3", "exits")) {
      await(id + " running").atMost(WAIT).until(() -> master.states(id).contains(TASK_RUNNING));
    }
    Map<String, Long> pids = pids(agent.port());

    agent.kill9();

    pids.values().forEach(pid -> assertThat(Processes.groupAlive(pid)).as("task %d outlives its agent", pid).isTrue());
    Files.createFile(release);
    await("exits ends while the agent is down").atMost(WAIT).until(() -> !Processes.groupAlive(pids.get("exits")));

    agent = startAgent(workDir, "reconnect", 2);

    AgentCall.Subscribe again = subscribes().get(1).subscribe();
    assertThat(again.agentInfo().id().value()).isEqualTo(agentId);
    for (String id : survivors) {
      assertThat(again.tasks()).anySatisfy(t -> {
        assertThat(t.task().taskId().value()).isEqualTo(id);
        assertThat(t.status().state()).isEqualTo(TASK_RUNNING);
      });
    }
    await("exit status of exits").atMost(WAIT).until(() -> master.last("exits").state() == TASK_FAILED);
    assertThat(master.last("exits").message()).isEqualTo("Command exited with status 7");
    Map<String, Long> after = pids(agent.port());
    for (String id : survivors) {
      assertThat(after.get(id)).as("pid of %s", id).isEqualTo(pids.get(id));
      assertThat(Processes.groupAlive(pids.get(id))).isTrue();
      assertThat(master.last(id).state()).isEqualTo(TASK_RUNNING);
    }
    assertThat(stateOf(agent.port(), "long-1")).isEqualTo("TASK_RUNNING");

    // An adopted task is still the agent's to kill, and its end is seen although it is not its child.
    master.kill("long-1", 0.5);
    await("adopted task killed").atMost(WAIT).until(() -> master.last("long-1").state() == TASK_KILLED);
    assertThat(Processes.groupAlive(pids.get("long-1"))).isFalse();
  }

  @Test
  void acknowledgedUpdateIsNeverResentAfterRestartAndUnacknowledgedOneIs() throws Exception {
    master.autoAck = false;
    Path workDir = dir.resolve("agent");
    agent = startAgent(workDir, "reconnect", 1);
    master.launch(shellTask("acks", "sleep 1000"));
    await().atMost(WAIT).until(() -> master.states("acks").contains(TASK_STARTING));
    TaskStatus starting = master.last("acks");
    master.acknowledge(starting);
    await().atMost(WAIT).until(() -> master.states("acks").contains(TASK_RUNNING));
    TaskStatus running = master.last("acks");

    agent.kill9();
    int before = master.updates("acks").size();
    agent = startAgent(workDir, "reconnect", 2);

    await("RUNNING resent").atMost(WAIT)
        .until(() -> master.updates("acks").subList(before, master.updates("acks").size()).contains(running));
    List<TaskStatus> resent = master.updates("acks").subList(before, master.updates("acks").size());
    assertThat(resent).extracting(TaskStatus::uuid).containsOnly(running.uuid());
    assertThat(resent).noneMatch(s -> s.uuid().equals(starting.uuid()));

    master.acknowledge(running);
    int acked = master.updates("acks").size();
    // Once acknowledged, RUNNING is no longer resent, not even after one more restart.
    await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(5))
        .until(() -> master.updates("acks").size() == acked);
    agent.kill9();
    agent = startAgent(workDir, "reconnect", 3);
    await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(5))
        .until(() -> master.updates("acks").size() == acked);
    assertThat(subscribes().get(2).subscribe().tasks())
        .anySatisfy(t -> assertThat(t.status().uuid()).isEqualTo(running.uuid()));
  }

  @Test
  void recoverCleanupKillsLeftoverTasksAndReportsThemKilled() throws Exception {
    Path workDir = dir.resolve("agent");
    agent = startAgent(workDir, "reconnect", 1);
    master.launch(shellTask("leftover", "sleep 1000"));
    await().atMost(WAIT).until(() -> master.states("leftover").contains(TASK_RUNNING));
    long pid = pids(agent.port()).get("leftover");

    agent.kill9();
    agent = startAgent(workDir, "cleanup", 2);

    await("leftover killed").atMost(WAIT).until(() -> master.last("leftover").state() == TASK_KILLED);
    assertThat(master.last("leftover").message()).isEqualTo("Command terminated by signal 9");
    await().atMost(WAIT).until(() -> !Processes.groupAlive(pid));
  }

  @Test
  void killUnderWayWhenTheAgentDiedIsFinishedAfterTheRestart() throws Exception {
    Path workDir = dir.resolve("agent");
    agent = startAgent(workDir, "reconnect", 1);
    master.launch(shellTask("stubborn", "trap '' TERM; sleep 1000"));
    await().atMost(WAIT).until(() -> master.states("stubborn").contains(TASK_RUNNING));
    long pid = pids(agent.port()).get("stubborn");
    master.kill("stubborn", 600); // a grace period the agent will not live to see out
    await().atMost(WAIT).until(() -> master.states("stubborn").contains(TaskState.TASK_KILLING));

    agent.kill9();
    assertThat(Processes.groupAlive(pid)).as("SIGTERM is ignored").isTrue();
    agent = startAgent(workDir, "reconnect", 2);

    await("kill finished").atMost(WAIT).until(() -> master.last("stubborn").state() == TASK_KILLED);
    await().atMost(WAIT).until(() -> !Processes.groupAlive(pid));
  }

  @Test
  void checkpointedTaskWhoseExitWasUnacknowledgedIsReportedAgain() throws Exception {
    Path workDir = dir.resolve("agent");
    agent = startAgent(workDir, "reconnect", 1);
    master.autoAck = false;
    master.launch(shellTask("quick", "exit 3"));
    await().atMost(WAIT).until(() -> master.updates("quick").size() >= 1);
    // Acknowledge STARTING and RUNNING only: FAILED stays unacknowledged.
    master.acknowledge(master.last("quick"));
    await().atMost(WAIT).until(() -> master.states("quick").contains(TASK_RUNNING));
    master.acknowledge(master.last("quick"));
    await().atMost(WAIT).until(() -> master.states("quick").contains(TASK_FAILED));
    TaskStatus failed = master.last("quick");

    agent.kill9();
    int before = master.updates("quick").size();
    agent = startAgent(workDir, "reconnect", 2);

    await().atMost(WAIT).until(() -> master.updates("quick").size() > before);
    assertThat(master.updates("quick").subList(before, master.updates("quick").size()))
        .extracting(TaskStatus::uuid).containsOnly(failed.uuid());
    master.acknowledge(failed);
    await("checkpoint removed once the terminal update is acknowledged").atMost(WAIT)
        .until(() -> !Files.exists(workDir.resolve("meta/frameworks/fw-1/tasks/quick")));
  }

  @Test
  void adoptedTaskKeepsItsUserAndItsCommandCheckRunsAsItAfterTheRestart() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(io.mezzo.agent.user.Accounts.self().isRoot(),
        "only an agent running as root switches users");
    Path workDir = dir.resolve("agent");
    agent = startAgent(workDir, "reconnect", 1);
    // Checked every 0.1 s, killed on the first failure: a check run as anyone but daemon kills the task.
    io.mezzo.core.model.HealthCheck check = new io.mezzo.core.model.HealthCheck(
        io.mezzo.core.model.CheckInfo.Type.COMMAND, null, null,
        io.mezzo.core.model.CommandInfo.shell("test \"$(id -un)\" = daemon"), 0.0, 0.1, 5.0, 1, 0.0);
    io.mezzo.core.model.TaskInfo plain = shellTask("owned", "sleep 1000");
    master.launch(new io.mezzo.core.model.TaskInfo("owned", plain.taskId(), null, plain.resources(),
        new io.mezzo.core.model.CommandInfo("sleep 1000", true, null, null, "daemon"), null, null, null, null, check,
        null));
    await("healthy as daemon").atMost(WAIT).until(() -> healthy("owned").contains(true));

    agent.kill9();
    agent = startAgent(workDir, "reconnect", 2);

    await("healthy again after the restart").atMost(WAIT).until(() -> healthy("owned").size() >= 2);
    assertThat(healthy("owned")).containsOnly(true);
    assertThat(master.last("owned").state()).isEqualTo(TASK_RUNNING);
  }

  private List<Boolean> healthy(String taskId) {
    return master.distinctUpdates(taskId).stream().map(TaskStatus::healthy).filter(java.util.Objects::nonNull).toList();
  }

  private AgentProcess startAgent(Path workDir, String recover, int nthSubscribe) {
    AgentProcess p = AgentProcess.start(master.hostPort(), workDir, recover);
    await("SUBSCRIBE number " + nthSubscribe).atMost(WAIT)
        .until(() -> subscribes().size() >= nthSubscribe && master.streamOpen());
    return p;
  }

  private List<AgentCall> subscribes() {
    return master.calls(AgentCall.Type.SUBSCRIBE);
  }

  private static Map<String, Long> pids(int port) {
    Map<String, Long> out = new HashMap<>();
    for (JsonNode t : state(port).path("tasks")) {
      if (!t.path("pid").isMissingNode() && !t.path("pid").isNull()) {
        out.put(t.path("id").asText(), t.path("pid").asLong());
      }
    }
    return out;
  }

  private static String stateOf(int port, String taskId) {
    for (JsonNode t : state(port).path("tasks")) {
      if (t.path("id").asText().equals(taskId)) {
        return t.path("state").asText();
      }
    }
    return null;
  }

  private static JsonNode state(int port) {
    return Json.read(Processes.get(port, "/state").body().getBytes(StandardCharsets.UTF_8), JsonNode.class);
  }

}
