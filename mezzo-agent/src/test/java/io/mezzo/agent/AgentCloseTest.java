package io.mezzo.agent;

import static io.mezzo.agent.FakeMaster.shellTask;
import static io.mezzo.core.model.TaskState.TASK_RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Closing an agent leaves no task process behind. */
class AgentCloseTest {
  @RegisterExtension
  final FakeMaster master = new FakeMaster();

  @TempDir
  Path workDir;

  @Test
  void closeKillsEveryTaskIncludingOnesIgnoringSigterm() throws IOException {
    Agent agent = master.startSubscribedAgent(workDir);
    master.launch(shellTask("polite", "sleep 1000 & sleep 1000; wait"));
    master.launch(shellTask("stubborn", "trap '' TERM; touch trapped; sleep 1000"));
    await().atMost(Duration.ofSeconds(10)).until(() ->
        master.states("polite").contains(TASK_RUNNING) && master.states("stubborn").contains(TASK_RUNNING));
    await().atMost(Duration.ofSeconds(5)).until(() -> trappedFiles() == 1);
    List<Long> pids = taskPids();
    assertThat(pids).hasSize(2).allSatisfy(pid -> assertThat(Processes.groupAlive(pid)).isTrue());

    agent.close();

    // close() returns once every main process is gone and every group got SIGKILL.
    await().atMost(Duration.ofSeconds(2)).until(() -> pids.stream().noneMatch(Processes::groupAlive));
    int port = agent.port();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Processes.get(port, "/health"))
        .isInstanceOf(java.io.UncheckedIOException.class);
  }

  private long trappedFiles() throws IOException {
    try (Stream<Path> files = Files.walk(workDir)) {
      return files.filter(p -> p.getFileName().toString().equals("trapped")).count();
    }
  }

  private List<Long> taskPids() throws IOException {
    try (Stream<Path> files = Files.walk(workDir)) {
      return files.filter(p -> p.getFileName().toString().equals("task.pid"))
          .map(p -> {
            try {
              return Long.parseLong(Files.readString(p).strip());
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          })
          .toList();
    }
  }
}
