package io.mezzo.agent;

import static io.mezzo.agent.FakeMaster.shellTask;
import static io.mezzo.core.model.TaskState.TASK_FINISHED;
import static io.mezzo.core.model.TaskState.TASK_RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sandbox garbage collection on a real agent with a 2 s {@code gcDelay}: sandboxes of tasks the agent
 * no longer tracks go, with their empty parents; sandboxes of running tasks and of tasks whose
 * terminal update is not acknowledged stay, however old.
 */
class SandboxCollectionTest {
  static final Duration GC_DELAY = Duration.ofSeconds(2);

  @RegisterExtension
  final FakeMaster master = new FakeMaster();

  @TempDir
  Path workDir;

  @Test
  void finishedAndAcknowledgedSandboxesAreRemovedWhileRunningOnesStay() throws IOException {
    startAgent();
    master.launch(shellTask("runner", "sleep 1000"));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("runner").contains(TASK_RUNNING));
    Path running = onlyRun("runner");
    backdate(running, Duration.ofDays(30));

    master.launch(shellTask("done", "echo bye"));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("done").contains(TASK_FINISHED));
    Path done = onlyRun("done");
    assertThat(done.resolve("stdout")).hasContent("bye\n");

    await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(workDir.resolve("frameworks/fw-1/tasks/done")));
    assertThat(running.resolve("stdout")).exists();
    assertThat(Processes.get(agent.port(), "/files/read?path=%2Fframeworks%2Ffw-1%2Ftasks%2Fdone%2Fruns%2Flatest%2Fstdout")
        .statusCode()).isEqualTo(404);
  }

  @Test
  void aSandboxIsKeptUntilItsTerminalUpdateIsAcknowledged() throws IOException {
    master.autoAck = false;
    startAgent();
    master.launch(shellTask("acked", "true"));
    master.launch(shellTask("unacked", "true"));
    // Updates flow one at a time per task: acknowledge each until TASK_FINISHED arrives, but not that one.
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      for (String task : new String[] {"acked", "unacked"}) {
        master.distinctUpdates(task).stream().filter(u -> !u.state().isTerminal()).forEach(master::acknowledge);
      }
      return master.states("acked").contains(TASK_FINISHED) && master.states("unacked").contains(TASK_FINISHED);
    });
    Path acked = onlyRun("acked");
    Path unacked = onlyRun("unacked");
    backdate(acked, Duration.ofDays(30));
    backdate(unacked, Duration.ofDays(30));

    master.distinctUpdates("acked").forEach(master::acknowledge);
    await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(acked));
    assertThat(unacked).exists();

    master.distinctUpdates("unacked").forEach(master::acknowledge);
    await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(unacked));
    assertThat(workDir.resolve("frameworks")).isEmptyDirectory();
    assertThat(workDir.resolve("agent.id")).exists();
  }

  @Test
  void anUntrackedSandboxWhoseProcessStillRunsIsKept() throws Exception {
    Path orphan = Files.createDirectories(workDir.resolve("frameworks/fw-0/tasks/orphan/runs/r1"));
    Path dead = Files.createDirectories(workDir.resolve("frameworks/fw-0/tasks/dead/runs/r1"));
    Process sleeper = new ProcessBuilder("sleep", "1000").start();
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    try {
      Files.writeString(orphan.resolve("task.pid"), sleeper.pid() + "\n");
      Files.writeString(dead.resolve("task.pid"), gone.pid() + "\n");
      backdate(orphan, Duration.ofDays(30));
      backdate(dead, Duration.ofDays(30));
      startAgent();

      await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(dead));
      assertThat(orphan.resolve("task.pid")).exists();
    } finally {
      sleeper.destroyForcibly();
    }
  }

  Agent agent;

  private void startAgent() {
    agent = master.startAgent(workDir, c -> c.withGcDelay(GC_DELAY));
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.agentId().isPresent());
  }

  private Path onlyRun(String task) throws IOException {
    try (var runs = Files.list(workDir.resolve("frameworks/fw-1/tasks/" + task + "/runs"))) {
      return runs.findFirst().orElseThrow();
    }
  }

  private static void backdate(Path dir, Duration by) throws IOException {
    FileTime past = FileTime.from(Instant.now().minus(by));
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.setLastModifiedTime(f, past);
      }
    }
    Files.setLastModifiedTime(dir, past);
  }
}
