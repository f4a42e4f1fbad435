package io.mezzo.agent;

import static io.mezzo.agent.FakeMaster.shellTask;
import static io.mezzo.core.model.TaskState.TASK_ERROR;
import static io.mezzo.core.model.TaskState.TASK_KILLED;
import static io.mezzo.core.model.TaskState.TASK_RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.core.model.Resource;
import io.mezzo.core.model.TaskInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ports on a real agent (ranges [31000-31009]): a task gets the ports it was launched with, and the
 * agent refuses a launch whose ports are outside its ranges or held by another live task.
 */
class PortAssignmentTest {
  @RegisterExtension
  final FakeMaster master = new FakeMaster();

  @TempDir
  Path workDir;

  @BeforeEach
  void startAgent() {
    master.startSubscribedAgent(workDir);
  }

  @Test
  void tasksWithDisjointPortsRunWithExactlyThosePorts() throws IOException {
    master.launch(withPorts("a", "echo $PORT0 $PORTS > ports.txt; sleep 1000", 31000, 31001));
    master.launch(withPorts("b", "echo $PORT0 $PORTS > ports.txt; sleep 1000", 31002, 31009));
    await().atMost(Duration.ofSeconds(10)).until(
        () -> master.states("a").contains(TASK_RUNNING) && master.states("b").contains(TASK_RUNNING));

    await().atMost(Duration.ofSeconds(10)).until(() -> portsFile("a").contains("\n") && portsFile("b").contains("\n"));
    assertThat(portsFile("a")).isEqualTo("31000 31000,31001\n");
    assertThat(portsFile("b")).isEqualTo("31002 31002,31009\n");
  }

  @Test
  void aPortHeldByALiveTaskIsRefusedUntilThatTaskEnds() {
    master.launch(withPorts("holder", "sleep 1000", 31003));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("holder").contains(TASK_RUNNING));

    master.launch(withPorts("thief", "sleep 1000", 31004, 31003));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("thief").contains(TASK_ERROR));
    assertThat(master.states("thief")).containsExactly(TASK_ERROR);
    assertThat(master.last("thief").message())
        .isEqualTo("resources.ports: 31003 is held by task 'holder' (expected: a port no live task on this agent holds)");
    assertThat(master.last("thief").reason()).isEqualTo("REASON_TASK_INVALID");

    master.kill("holder", 0.5);
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("holder").contains(TASK_KILLED));
    master.launch(withPorts("heir", "sleep 1000", 31003));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("heir").contains(TASK_RUNNING));
  }

  @Test
  void portsOutsideTheAgentsRangesOrListedTwiceAreRefused() {
    master.launch(withPorts("outside", "sleep 1000", 31005, 8080));
    master.launch(withPorts("twice", "sleep 1000", 31006, 31006));
    await().atMost(Duration.ofSeconds(10)).until(
        () -> master.states("outside").contains(TASK_ERROR) && master.states("twice").contains(TASK_ERROR));
    assertThat(master.last("outside").message())
        .isEqualTo("resources.ports: 8080 (expected: a port in this agent's ranges [31000-31009])");
    assertThat(master.last("twice").message())
        .isEqualTo("resources.ports: 31006 listed twice (expected: distinct ports)");
    assertThat(workDir.resolve("frameworks/fw-1/tasks/outside")).doesNotExist();
  }

  private String portsFile(String task) throws IOException {
    try (var runs = Files.list(workDir.resolve("frameworks/fw-1/tasks/" + task + "/runs"))) {
      Path file = runs.findFirst().orElseThrow().resolve("ports.txt");
      return Files.exists(file) ? Files.readString(file) : "";
    }
  }

  private static TaskInfo withPorts(String id, String command, long... ports) {
    List<Resource.Range> ranges = new ArrayList<>();
    for (long p : ports) {
      ranges.add(new Resource.Range(p, p));
    }
    return shellTask(id, command, List.of(Resource.ranges("ports", ranges)));
  }
}
