package io.mezzo.agent;

import static io.mezzo.agent.FakeMaster.shellTask;
import static io.mezzo.core.model.TaskState.TASK_ERROR;
import static io.mezzo.core.model.TaskState.TASK_FAILED;
import static io.mezzo.core.model.TaskState.TASK_FINISHED;
import static io.mezzo.core.model.TaskState.TASK_KILLED;
import static io.mezzo.core.model.TaskState.TASK_KILLING;
import static io.mezzo.core.model.TaskState.TASK_LOST;
import static io.mezzo.core.model.TaskState.TASK_RUNNING;
import static io.mezzo.core.model.TaskState.TASK_STARTING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.Resource;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Tasks as real processes: their states, sandboxes, environment and kills. */
class TaskLifecycleTest {
  @RegisterExtension
  final FakeMaster master = new FakeMaster();

  @TempDir
  Path workDir;

  Agent agent;

  @BeforeEach
  void startAgent() {
    agent = master.startSubscribedAgent(workDir);
  }

  @Test
  void taskExitingZeroFinishesAfterStartingAndRunningAndKeepsItsStdout() throws IOException {
    master.launch(shellTask("hello", "echo hello from $MESOS_TASK_ID; echo oops >&2"));

    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("hello").contains(TASK_FINISHED));
    assertThat(master.states("hello")).containsExactly(TASK_STARTING, TASK_RUNNING, TASK_FINISHED);
    TaskStatus finished = master.last("hello");
    assertThat(finished.message()).isEqualTo("Command exited with status 0");
    assertThat(finished.source()).isEqualTo(TaskStatus.Source.SOURCE_EXECUTOR);
    assertThat(finished.agentId()).isEqualTo(agent.agentId().orElseThrow());
    assertThat(finished.timestamp()).isGreaterThan(1.6e9);
    Path sandbox = sandboxOf("hello");
    assertThat(sandbox.toString()).matches(
        java.util.regex.Pattern.quote(workDir.toString()) + "/frameworks/fw-1/tasks/hello/runs/[0-9a-f-]{36}");
    assertThat(Files.readString(sandbox.resolve("stdout"))).isEqualTo("hello from hello\n");
    assertThat(Files.readString(sandbox.resolve("stderr"))).isEqualTo("oops\n");
  }

  @Test
  void taskExitingThreeFailsWithTheStatusInTheMessage() {
    master.launch(shellTask("three", "exit 3"));

    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("three").contains(TASK_FAILED));
    assertThat(master.states("three")).containsExactly(TASK_STARTING, TASK_RUNNING, TASK_FAILED);
    assertThat(master.last("three").message()).isEqualTo("Command exited with status 3");
  }

  @Test
  void taskEnvironmentCarriesPortsSandboxAndItsOwnVariables() throws IOException {
    List<Resource> ports = List.of(Resource.ranges("ports",
        List.of(new Resource.Range(31005, 31006), new Resource.Range(31001, 31001))));
    CommandInfo command = new CommandInfo("env > env.txt", true, null,
        new CommandInfo.Environment(List.of(new CommandInfo.Variable("GREETING", "hi"),
            new CommandInfo.Variable("HOST", "overridden"))), null);
    TaskInfo task = new TaskInfo("env", TaskId.of("env"), null,
        concat(shellTask("env", "x").resources(), ports), command, null, null, null);
    master.launch(task);

    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("env").contains(TASK_FINISHED));
    Path sandbox = sandboxOf("env");
    Map<String, String> env = Files.readAllLines(sandbox.resolve("env.txt")).stream()
        .filter(l -> l.contains("="))
        .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1), (a, b) -> b));
    String agentId = agent.agentId().orElseThrow().value();
    assertThat(env)
        .containsEntry("PORT0", "31005").containsEntry("PORT1", "31006").containsEntry("PORT2", "31001")
        .containsEntry("PORT", "31005").containsEntry("PORTS", "31005,31006,31001")
        .containsEntry("MEZZO_PORTS", "31005,31006,31001")
        .containsEntry("MESOS_SANDBOX", sandbox.toString()).containsEntry("MEZZO_SANDBOX", sandbox.toString())
        .containsEntry("MESOS_TASK_ID", "env").containsEntry("MESOS_FRAMEWORK_ID", "fw-1")
        .containsEntry("MESOS_AGENT_ID", agentId).containsEntry("MEZZO_AGENT_ID", agentId)
        .containsEntry("MEZZO_HOST", "127.0.0.1")
        .containsEntry("GREETING", "hi").containsEntry("HOST", "overridden")
        .containsKey("PATH");
    // Nothing else leaks from the agent's environment; a task switched to another user (the agent runs
    // as root) has its sandbox as HOME.
    if (io.mezzo.agent.user.Accounts.self().isRoot()) {
      assertThat(env).containsEntry("HOME", sandbox.toString()).containsEntry("USER", "nobody");
    } else {
      assertThat(env).doesNotContainKey("HOME");
    }
  }

  @Test
  void killTermsTheWholeProcessGroupAndReportsKillingThenKilled() throws IOException {
    master.launch(shellTask("sleeper", "sleep 1000 & sleep 1000; wait"));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("sleeper").contains(TASK_RUNNING));
    long pid = pidOf("sleeper");
    assertThat(Processes.pgidOf(pid)).as("the task leads its own process group").isEqualTo(pid);
    await().atMost(Duration.ofSeconds(5)).until(() -> childrenOf(pid) >= 1);

    master.kill("sleeper", 0);

    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("sleeper").contains(TASK_KILLED));
    assertThat(master.states("sleeper")).containsExactly(TASK_STARTING, TASK_RUNNING, TASK_KILLING, TASK_KILLED);
    assertThat(master.last("sleeper").message()).isEqualTo("Command terminated by signal 15");
    await().atMost(Duration.ofSeconds(2)).until(() -> !Processes.groupAlive(pid));
    assertThat(ProcessHandle.of(pid)).isEmpty();
  }

  @Test
  void taskIgnoringSigtermIsSigkilledAfterTheGracePeriod() throws IOException {
    master.launch(shellTask("stubborn", "trap '' TERM; touch trapped; sleep 1000"));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("stubborn").contains(TASK_RUNNING));
    await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(sandboxOf("stubborn").resolve("trapped")));
    long pid = pidOf("stubborn");

    long killedAt = System.nanoTime();
    master.kill("stubborn", 0.8);

    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("stubborn").contains(TASK_KILLING));
    assertThat(Processes.groupAlive(pid)).as("SIGTERM is ignored").isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("stubborn").contains(TASK_KILLED));
    assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isGreaterThanOrEqualTo(Duration.ofMillis(800));
    assertThat(master.last("stubborn").message()).isEqualTo("Command terminated by signal 9");
    await().atMost(Duration.ofSeconds(2)).until(() -> !Processes.groupAlive(pid));
  }

  @Test
  void killRightAfterLaunchStillKillsTheTask() {
    master.launch(shellTask("hasty", "sleep 1000"));
    master.kill("hasty", 0);

    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("hasty").contains(TASK_KILLED));
    assertThat(master.states("hasty")).containsExactly(TASK_STARTING, TASK_RUNNING, TASK_KILLING, TASK_KILLED);
    long pid = pidOf("hasty");
    await().atMost(Duration.ofSeconds(2)).until(() -> !Processes.groupAlive(pid) && ProcessHandle.of(pid).isEmpty());
  }

  @Test
  void killOfAnUnknownTaskIsAnsweredWithTaskLost() {
    master.kill("nobody", 0);

    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("nobody").contains(TASK_LOST));
    assertThat(master.last("nobody").message()).isEqualTo("unknown task");
  }

  @Test
  void executorTaskIsRefusedWithTaskError() {
    TaskInfo plain = shellTask("custom", "true");
    master.launch(new TaskInfo(plain.name(), plain.taskId(), null, plain.resources(), plain.command(),
        JsonNodeFactory.instance.objectNode().put("type", "CUSTOM"), null, null));

    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("custom").contains(TASK_ERROR));
    assertThat(master.states("custom")).containsExactly(TASK_ERROR);
    assertThat(master.last("custom").message()).isEqualTo("executor tasks are not supported yet (expected: a command task)");
    assertThat(workDir.resolve("frameworks/fw-1/tasks/custom")).doesNotExist();
  }

  @Test
  void launchOfAnActiveTaskIdIsRefusedAndTheRunningTaskIsLeftAlone() {
    master.launch(shellTask("twice", "sleep 1000"));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("twice").contains(TASK_RUNNING));
    long pid = pidOf("twice");

    master.launch(shellTask("twice", "sleep 1000"));

    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("twice").contains(TASK_ERROR));
    assertThat(master.last("twice").message()).contains("'twice' is in use");
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
    assertThat(pidOf("twice")).isEqualTo(pid);
  }

  private Path sandboxOf(String taskId) throws IOException {
    Path runs = workDir.resolve("frameworks/fw-1/tasks/" + taskId + "/runs");
    try (var list = Files.list(runs)) {
      return list.findFirst().orElseThrow();
    }
  }

  private long pidOf(String taskId) {
    try {
      return Long.parseLong(Files.readString(sandboxOf(taskId).resolve("task.pid")).strip());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static long childrenOf(long pid) {
    return ProcessHandle.of(pid).map(p -> p.children().count()).orElse(0L);
  }

  private static List<Resource> concat(List<Resource> a, List<Resource> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
