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
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Task files and ports on a real cluster (a master and one agent as processes): {@code mezzo logs}
 * prints and follows a task's output through the master and the agent's files API, and tasks get
 * exactly the ports the master recorded for them, never the same ones.
 */
class TaskFilesClusterTest {
  private static final Duration TASK_TIMEOUT = Duration.ofSeconds(30);
  private static final Resources SMALL = Resources.parse("cpus:0.1;mem:32");

  @TempDir
  static Path dir;

  static MezzoCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = MezzoCluster.builder(dir).agents(1).start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  record Run(int exit, String out, String err) {}

  static Run mezzo(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private static TaskId newTaskId(String name) {
    return new TaskId(name + "-" + UUID.randomUUID().toString().substring(0, 8));
  }

  @Test
  void logsPrintsAFinishedTasksStdoutOrStderr() {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "logs", false)) {
      TaskId id = newTaskId("talker");
      fw.launch(fw.awaitOffer(), id, "printf 'out-1\\nout-2\\n'; printf 'err-1\\n' >&2", SMALL);
      fw.awaitState(id, TaskState.TASK_FINISHED, TASK_TIMEOUT);

      Run out = mezzo("logs", id.value(), "--master", cluster.masterAddress());
      assertThat(out.exit()).as(out.err()).isZero();
      assertThat(out.out()).isEqualTo("out-1\nout-2\n");
      Run err = mezzo("logs", id.value(), "--master", cluster.masterAddress(), "--stderr");
      assertThat(err.exit()).as(err.err()).isZero();
      assertThat(err.out()).isEqualTo("err-1\n");

      // like the other client commands: several masters (the leader is asked), or a malformed value refused
      Run listed = mezzo("logs", id.value(), "--master", "127.0.0.1:1," + cluster.masterAddress());
      assertThat(listed.exit()).as(listed.err()).isZero();
      assertThat(listed.out()).isEqualTo("out-1\nout-2\n");
      Run malformed = mezzo("logs", id.value(), "--master", "no-port");
      assertThat(malformed.exit()).isEqualTo(2);
      assertThat(malformed.err()).startsWith("mezzo logs: --master: 'no-port' (expected: HOST:PORT[,HOST:PORT...]");
    }
  }

  @Test
  void logsReadsOutputLargerThanOneChunkWithoutSplittingCharacters() {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "big", false)) {
      TaskId id = newTaskId("big");
      // 1.5 MB of two-byte characters with an odd prefix, so the 1 MiB chunk boundary cuts a character.
      fw.launch(fw.awaitOffer(), id, "python3 -c \"import sys; sys.stdout.buffer.write(b'x' + b'\\xc3\\xa9' * 750000 + b'\\n')\"", SMALL);
      fw.awaitState(id, TaskState.TASK_FINISHED, TASK_TIMEOUT);

      Run out = mezzo("logs", id.value(), "--master", cluster.masterAddress());
      assertThat(out.exit()).as(out.err()).isZero();
      assertThat(out.out()).isEqualTo("x" + "\u00e9".repeat(750000) + "\n");
    }
  }

  @Test
  void logsFollowPrintsOutputAsItComesUntilTheTaskEnds() throws Exception {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "follow", false)) {
      TaskId id = newTaskId("ticker");
      fw.launch(fw.awaitOffer(), id, "for i in $(seq 1 15); do echo tick-$i; sleep 0.2; done", SMALL);
      fw.awaitState(id, TaskState.TASK_RUNNING, TASK_TIMEOUT);

      CompletableFuture<Run> follow = CompletableFuture.supplyAsync(
          () -> mezzo("logs", id.value(), "--master", cluster.masterAddress(), "--follow"));
      // The task prints for 3 s, so the follower started while it was still writing.
      assertThat(fw.states(id)).doesNotContain(TaskState.TASK_FINISHED);
      Run run = follow.get(60, TimeUnit.SECONDS);

      assertThat(run.exit()).as(run.err()).isZero();
      assertThat(fw.states(id)).contains(TaskState.TASK_FINISHED);
      assertThat(run.out()).isEqualTo(IntStream.rangeClosed(1, 15).mapToObj(i -> "tick-" + i + "\n").collect(Collectors.joining()));
    }
  }

  @Test
  void logsOfAnUnknownTaskExitsOneSayingSo() {
    Run run = mezzo("logs", "no-such-task", "--master", cluster.masterAddress());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("mezzo logs: task 'no-such-task' is unknown to the master at "
        + cluster.masterAddress() + "\n");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void tasksGetThePortsTheMasterRecordedAndNeverTheSameOnes() throws IOException {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "ports", false)) {
      TaskId a = newTaskId("ports-a");
      TaskId b = newTaskId("ports-b");
      launchWithTwoPorts(fw, a);
      fw.awaitState(a, TaskState.TASK_RUNNING, TASK_TIMEOUT);
      launchWithTwoPorts(fw, b);
      fw.awaitState(b, TaskState.TASK_RUNNING, TASK_TIMEOUT);

      String portsA = awaitPortsFile(a);
      String portsB = awaitPortsFile(b);
      assertThat(portsA).isEqualTo(expectedEnv(masterPorts(a)));
      assertThat(portsB).isEqualTo(expectedEnv(masterPorts(b)));
      List<String> all = Stream.of(portsA.strip().split(" ")[1], portsB.strip().split(" ")[1])
          .flatMap(p -> Stream.of(p.split(","))).toList();
      assertThat(all).hasSize(4).doesNotHaveDuplicates();
      fw.kill(a, fw.updates(a).get(0).agentId());
      fw.kill(b, fw.updates(b).get(0).agentId());
      fw.awaitState(a, TaskState.TASK_KILLED, TASK_TIMEOUT);
      fw.awaitState(b, TaskState.TASK_KILLED, TASK_TIMEOUT);
    }
  }

  /** Takes the first two ports of the next offer, so that a second task must get other ones. */
  private static void launchWithTwoPorts(TestFramework fw, TaskId id) {
    Offer offer = fw.awaitOffer(o -> Resources.of(o.resources()).ranges("ports").size() >= 2);
    List<Long> ports = Resources.of(offer.resources()).ranges("ports").first(2);
    Resources r = Resources.parse("cpus:0.1;mem:32;ports:[" + ports.get(0) + "-" + ports.get(0) + ","
        + ports.get(1) + "-" + ports.get(1) + "]");
    fw.launch(offer, id, "echo $PORT0 $PORTS $PORT1 > ports.txt; sleep 1000", r);
  }

  /** {@code [31000-31001]} as the task's environment shows it: {@code PORT0 PORTS PORT1}. */
  private static String expectedEnv(String masterRanges) {
    List<String> ports = Stream.of(masterRanges.replaceAll("[\\[\\] ]", "").split(","))
        .flatMap(range -> {
          String[] ends = range.split("-");
          return java.util.stream.LongStream.rangeClosed(Long.parseLong(ends[0]), Long.parseLong(ends[1])).boxed();
        })
        .map(String::valueOf).toList();
    return ports.get(0) + " " + String.join(",", ports) + " " + ports.get(1) + "\n";
  }

  private static String masterPorts(TaskId id) {
    JsonNode state = cluster.masterState();
    for (JsonNode f : state.get("frameworks")) {
      for (JsonNode t : f.get("tasks")) {
        if (t.get("id").asText().equals(id.value())) {
          return t.get("resources").get("ports").asText();
        }
      }
    }
    throw new AssertionError("task " + id + " not in the master's state");
  }

  private static String awaitPortsFile(TaskId id) {
    return await().atMost(TASK_TIMEOUT).until(() -> sandboxFile(id, "ports.txt")
        .map(p -> {
          try {
            return Files.readString(p);
          } catch (IOException e) {
            return "";
          }
        }).orElse(""), s -> s.endsWith("\n"));
  }

  private static Optional<Path> sandboxFile(TaskId id, String name) throws IOException {
    try (Stream<Path> files = Files.walk(cluster.workDir())) {
      return files.filter(p -> p.getFileName().toString().equals(name) && p.toString().contains("/tasks/" + id.value() + "/"))
          .findFirst();
    }
  }
}
