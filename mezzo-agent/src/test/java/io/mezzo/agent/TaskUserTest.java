package io.mezzo.agent;

import static io.mezzo.agent.FakeMaster.shellTask;
import static io.mezzo.core.model.TaskState.TASK_FAILED;
import static io.mezzo.core.model.TaskState.TASK_FINISHED;
import static io.mezzo.core.model.TaskState.TASK_RUNNING;
import static io.mezzo.core.model.TaskState.TASK_STARTING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mezzo.agent.user.Accounts;
import io.mezzo.agent.user.TaskUserConfig;
import io.mezzo.core.model.CheckInfo;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.HealthCheck;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tasks of an agent running as root run as their user, {@code nobody} by default, never as root
 * unless allowed: real processes, real users of this machine ({@code nobody}, uid 65534, and
 * {@code daemon}, uid 1; none is created).
 */
class TaskUserTest {
  @RegisterExtension
  final FakeMaster master = new FakeMaster();

  @TempDir
  Path tmp;

  Path workDir;

  @BeforeEach
  void needRoot() throws IOException {
    Assumptions.assumeTrue(Accounts.self().isRoot(), "only an agent running as root switches users");
    // JUnit's temp dirs are private to root; a task run as nobody must reach its sandbox by its path.
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
    workDir = tmp.resolve("agent");
  }

  @Test
  void taskNamingNoUserRunsAsNobodyInASandboxItOwns() throws IOException {
    master.startSubscribedAgent(workDir, TaskUserConfig.defaults());
    master.launch(shellTask("plain", "id -u; id -g; echo $HOME; echo written > $MESOS_SANDBOX/mine"));

    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("plain").contains(TASK_FINISHED));
    Path sandbox = sandboxOf("plain");
    assertThat(master.states("plain")).containsExactly(TASK_STARTING, TASK_RUNNING, TASK_FINISHED);
    assertThat(Files.readString(sandbox.resolve("stdout"))).isEqualTo("65534\n65534\n" + sandbox + "\n");
    assertThat(Files.getOwner(sandbox).getName()).isEqualTo("nobody");
    assertThat(Files.getOwner(sandbox.resolve("stdout")).getName()).isEqualTo("nobody");
    assertThat(Files.getOwner(sandbox.resolve("mine")).getName()).isEqualTo("nobody");
    assertThat(master.distinctUpdates("plain")).extracting(TaskStatus::message).first().isNull();
  }

  @Test
  void commandUserOfAnUnprivilegedUserIsHonoured() throws IOException {
    master.startSubscribedAgent(workDir, TaskUserConfig.defaults());
    master.launch(withUser(shellTask("daemon", "id -un"), "daemon"));

    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("daemon").contains(TASK_FINISHED));
    assertThat(Files.readString(sandboxOf("daemon").resolve("stdout"))).isEqualTo("daemon\n");
    assertThat(Files.getOwner(sandboxOf("daemon")).getName()).isEqualTo("daemon");
  }

  @Test
  void frameworkUserAppliesWhenTheCommandNamesNoneAndTheCommandUserWins() throws IOException {
    master.startSubscribedAgent(workDir, TaskUserConfig.defaults());
    master.launch(shellTask("fw", "id -un"), "daemon");
    master.launch(withUser(shellTask("cmd", "id -un"), "nobody"), "daemon");

    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("fw").contains(TASK_FINISHED)
        && master.states("cmd").contains(TASK_FINISHED));
    assertThat(Files.readString(sandboxOf("fw").resolve("stdout"))).isEqualTo("daemon\n");
    assertThat(Files.readString(sandboxOf("cmd").resolve("stdout"))).isEqualTo("nobody\n");
  }

  @Test
  void taskAskingForRootRunsAsTheTaskUserAndSaysSo() throws IOException {
    master.startSubscribedAgent(workDir, TaskUserConfig.defaults());
    master.launch(shellTask("rooted", "id -u"), "root");

    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("rooted").contains(TASK_FINISHED));
    assertThat(Files.readString(sandboxOf("rooted").resolve("stdout"))).isEqualTo("65534\n");
    String note = "Runs as 'nobody', not 'root': this agent runs no task as root (expected: --allow-root-tasks)";
    assertThat(master.distinctUpdates("rooted")).extracting(TaskStatus::message)
        .containsExactly(note, note, "Command exited with status 0");
  }

  @Test
  void agentAllowingRootTasksRunsThemAsRoot() throws IOException {
    master.startSubscribedAgent(workDir, TaskUserConfig.defaults().withAllowRootTasks(true));
    master.launch(withUser(shellTask("root", "id -u"), "root"));
    master.launch(shellTask("default", "id -u"));

    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("root").contains(TASK_FINISHED)
        && master.states("default").contains(TASK_FINISHED));
    assertThat(Files.readString(sandboxOf("root").resolve("stdout"))).isEqualTo("0\n");
    assertThat(Files.readString(sandboxOf("default").resolve("stdout"))).isEqualTo("65534\n");
  }

  @Test
  void unknownUserFailsTheTaskNamingTheUserAndTheAgent() {
    master.startSubscribedAgent(workDir, TaskUserConfig.defaults());
    master.launch(withUser(shellTask("ghost", "id -u"), "mezzo-no-such-user"));

    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("ghost").contains(TASK_FAILED));
    TaskStatus failed = master.last("ghost");
    assertThat(master.states("ghost")).containsExactly(TASK_FAILED);
    assertThat(failed.message()).isEqualTo("user 'mezzo-no-such-user' does not exist on agent 127.0.0.1");
    assertThat(failed.reason()).isEqualTo("REASON_CONTAINER_LAUNCH_FAILED");
  }

  @Test
  void commandHealthCheckRunsAsTheTasksUser() {
    master.startSubscribedAgent(workDir, TaskUserConfig.defaults());
    HealthCheck check = new HealthCheck(CheckInfo.Type.COMMAND, null, null,
        CommandInfo.shell("test \"$(id -un)\" = daemon"), 0.0, 0.1, 5.0, 1, 0.0);
    TaskInfo plain = withUser(shellTask("checked", "sleep 1000"), "daemon");
    master.launch(new TaskInfo("checked", plain.taskId(), null, plain.resources(), plain.command(), null, null, null,
        null, check, null));

    await().atMost(Duration.ofSeconds(20)).until(() -> healthy("checked").contains(true));
    assertThat(healthy("checked")).doesNotContain(false);
  }

  @Test
  void withSwitchingOffTasksRunAsTheAgentsUserAndSaySo() throws IOException {
    master.startSubscribedAgent(workDir, TaskUserConfig.defaults().withSwitchUser(false));
    master.launch(withUser(shellTask("asis", "id -u"), "daemon"));

    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("asis").contains(TASK_FINISHED));
    assertThat(Files.readString(sandboxOf("asis").resolve("stdout"))).isEqualTo("0\n");
    assertThat(master.distinctUpdates("asis").get(0).message())
        .isEqualTo("Runs as 'root', the agent's user, not 'daemon' (--switch-user=false)");
  }

  @Test
  void agentRefusesATaskUserThisMachineLacks() {
    assertThatThrownBy(() -> master.startSubscribedAgent(workDir,
        TaskUserConfig.defaults().withTaskUser("mezzo-no-such-user")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("taskUser: 'mezzo-no-such-user' does not exist on this machine (expected: an existing user, "
            + "such as nobody)");
  }

  private static TaskInfo withUser(TaskInfo t, String user) {
    CommandInfo c = t.command();
    return new TaskInfo(t.name(), t.taskId(), null, t.resources(),
        new CommandInfo(c.value(), c.shell(), c.arguments(), c.environment(), user), null, null, null, null);
  }

  private List<Boolean> healthy(String taskId) {
    return master.distinctUpdates(taskId).stream().map(TaskStatus::healthy).filter(Objects::nonNull).toList();
  }

  private Path sandboxOf(String taskId) throws IOException {
    try (var dirs = Files.list(workDir.resolve("frameworks/fw-1/tasks").resolve(taskId).resolve("runs"))) {
      return dirs.findFirst().orElseThrow();
    }
  }
}
