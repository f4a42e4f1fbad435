package io.mezzo.agent;

import static io.mezzo.core.model.TaskState.TASK_ERROR;
import static io.mezzo.core.model.TaskState.TASK_FAILED;
import static io.mezzo.core.model.TaskState.TASK_FINISHED;
import static io.mezzo.core.model.TaskState.TASK_KILLED;
import static io.mezzo.core.model.TaskState.TASK_RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.CheckInfo;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.HealthCheck;
import io.mezzo.core.model.Resource;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.testkit.LocalRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Container tasks on a real agent with real runc (as root) and a busybox image: they run and finish with
 * their output in the sandbox, are held to their memory, killed with their grace period, health-checked
 * inside, and a missing image or a malformed container fails the task with the Mesos reason.
 */
class ContainerTaskTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String MESOS_BUSYBOX = "{\"type\":\"MESOS\",\"mesos\":{\"image\":{\"type\":\"DOCKER\",\"docker\":{\"name\":\"busybox\"}}}}";

  @RegisterExtension
  final FakeMaster master = new FakeMaster();

  @TempDir
  Path workDir;

  @AfterEach
  void cleanUp() throws Exception {
    TestImages.cleanUp(workDir);
  }

  static TaskInfo task(String id, String container, CommandInfo command, double memMb, HealthCheck check) throws Exception {
    return new TaskInfo(id, TaskId.of(id), null, List.of(Resource.scalar("cpus", 0.2), Resource.scalar("mem", memMb)),
        command, null, Json.MAPPER.readTree(container), null, null, check, null);
  }

  private Path sandbox(String taskId) throws Exception {
    try (Stream<Path> runs = Files.list(workDir.resolve("frameworks/fw-1/tasks/" + taskId + "/runs"))) {
      return runs.findFirst().orElseThrow();
    }
  }

  @Test
  void mesosShapedTaskRunsInItsImageAsItsUserAndFinishesWithItsOutputInTheSandbox() throws Exception {
    TestImages.busybox(workDir, "busybox", "{\"user\":\"nobody\",\"working_dir\":\"/tmp\",\"env\":[\"GREETING=hello\"]}");
    master.startSubscribedAgent(workDir, IsolationTest.ACTIVE);

    master.launch(task("hello", MESOS_BUSYBOX, CommandInfo.shell(
        "echo $GREETING uid=$(id -u) cwd=$(pwd) sandbox=$MESOS_SANDBOX; cat /image-marker; echo to-err >&2;"
            + " echo written > $MESOS_SANDBOX/inside"), 32, null));

    await().atMost(WAIT).until(() -> master.states("hello").contains(TASK_FINISHED));
    assertThat(master.states("hello")).contains(TASK_RUNNING);
    Path sandbox = sandbox("hello");
    assertThat(Files.readString(sandbox.resolve("stdout")))
        .contains("hello uid=65534 cwd=/tmp sandbox=/mnt/mesos/sandbox").contains("only in the image");
    assertThat(Files.readString(sandbox.resolve("stderr"))).contains("to-err");
    assertThat(Files.readString(sandbox.resolve("inside"))).isEqualTo("written\n");
    await().atMost(WAIT).until(() -> TestImages.runcList(workDir).isEmpty()
        && !Files.exists(workDir.resolve("containers/mezzo-" + sandbox.getFileName())));
  }

  @Test
  void imageThatNamesNoUserRunsAsTheTaskUserAndNeverAsRoot() throws Exception {
    TestImages.busybox(workDir, "busybox", "{}");
    master.startSubscribedAgent(workDir, IsolationTest.ACTIVE);

    master.launch(task("plain", MESOS_BUSYBOX, CommandInfo.shell(
        "echo uid=$(id -u) gid=$(id -g); echo mine > $MESOS_SANDBOX/written"), 32, null));

    await().atMost(WAIT).until(() -> master.states("plain").contains(TASK_FINISHED));
    assertThat(Files.readString(sandbox("plain").resolve("stdout"))).contains("uid=65534 gid=65534");
    assertThat(Files.readString(sandbox("plain").resolve("written"))).isEqualTo("mine\n");
  }

  @Test
  void imageUserThatIsNotRootIsKeptAndOwnsTheSandbox() throws Exception {
    TestImages.busybox(workDir, "busybox", "{\"user\":\"4321:4322\"}");
    master.startSubscribedAgent(workDir, IsolationTest.ACTIVE);

    master.launch(task("numeric", MESOS_BUSYBOX, CommandInfo.shell(
        "echo uid=$(id -u) gid=$(id -g); echo mine > $MESOS_SANDBOX/written"), 32, null));

    await().atMost(WAIT).until(() -> master.states("numeric").contains(TASK_FINISHED));
    Path sandbox = sandbox("numeric");
    assertThat(Files.readString(sandbox.resolve("stdout"))).contains("uid=4321 gid=4322");
    assertThat(Files.getAttribute(sandbox.resolve("written"), "unix:uid")).isEqualTo(4321);
  }

  @Test
  void userNamedByTheCommandWinsOverTheImagesAndRootIsRefusedUnlessAllowed() throws Exception {
    TestImages.busybox(workDir, "busybox", "{\"user\":\"nobody\"}");
    master.startSubscribedAgent(workDir, io.mezzo.agent.user.TaskUserConfig.defaults());

    master.launch(task("daemon", MESOS_BUSYBOX, new CommandInfo("echo uid=$(id -u)", true, null, null, "daemon"), 32, null));
    master.launch(task("root", MESOS_BUSYBOX, new CommandInfo("echo uid=$(id -u)", true, null, null, "root"), 32, null));

    await().atMost(WAIT).until(() -> master.states("daemon").contains(TASK_FINISHED)
        && master.states("root").contains(TASK_FINISHED));
    assertThat(Files.readString(sandbox("daemon").resolve("stdout"))).contains("uid=" + uidOf("daemon"));
    assertThat(Files.readString(sandbox("root").resolve("stdout"))).contains("uid=65534");
  }

  /** The host's uid of {@code user}, from {@code id -u}. */
  private static String uidOf(String user) throws Exception {
    Process p = new ProcessBuilder("id", "-u", user).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor()).isZero();
    return out;
  }

  @Test
  void dockerShapedTaskRunsTheImageEntrypointAndCmdAndFailsWithItsExitStatus() throws Exception {
    TestImages.busybox(workDir, "tools/busybox:1", "{\"entrypoint\":[\"/bin/sh\",\"-c\"],\"cmd\":[\"echo from-cmd; exit 3\"]}");
    master.startSubscribedAgent(workDir, IsolationTest.ACTIVE);

    master.launch(task("cmd", "{\"type\":\"DOCKER\",\"docker\":{\"image\":\"tools/busybox:1\"}}",
        new CommandInfo(null, false, null, null, null), 32, null));

    await().atMost(WAIT).until(() -> master.states("cmd").contains(TASK_FAILED));
    assertThat(master.last("cmd").message()).isEqualTo("Command exited with status 3");
    assertThat(Files.readString(sandbox("cmd").resolve("stdout"))).contains("from-cmd");
  }

  @Test
  void containerExceedingItsMemoryIsKilledWithTheMemoryReason() throws Exception {
    TestImages.busybox(workDir, "busybox", "{}");
    master.startSubscribedAgent(workDir, IsolationTest.ACTIVE);

    master.launch(task("hog", MESOS_BUSYBOX,
        CommandInfo.shell("x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived"), 32, null));

    await().atMost(WAIT).until(() -> master.states("hog").contains(TASK_FAILED));
    TaskStatus failed = master.last("hog");
    assertThat(failed.reason()).isEqualTo("REASON_CONTAINER_LIMITATION_MEMORY");
    assertThat(failed.message()).startsWith("Memory limit exceeded");
    assertThat(Files.readString(sandbox("hog").resolve("stdout"))).doesNotContain("survived");
  }

  @Test
  void containerUsageIsMeasuredInItsTasksCgroupAsForProcessTasks() throws Exception {
    TestImages.busybox(workDir, "busybox", "{}");
    Agent agent = master.startSubscribedAgent(workDir, IsolationTest.ACTIVE);

    // a shell holding ~24 MiB in a variable, then a busy loop
    master.launch(task("busy", MESOS_BUSYBOX, CommandInfo.shell(
        "x=$(head -c 25000000 /dev/zero | tr '\\0' a); echo ready; while true; do :; done"), 96, null));

    await().atMost(WAIT).until(() -> Files.readString(sandbox("busy").resolve("stdout")).contains("ready"));
    await().atMost(WAIT).until(() -> {
      com.fasterxml.jackson.databind.JsonNode s = IsolationTest.stats(agent, "busy");
      return s != null && s.path("mem_rss_bytes").asLong() > 20L << 20 && s.path("cpus_user_time_secs").asDouble() > 0.2;
    });
    com.fasterxml.jackson.databind.JsonNode s = IsolationTest.stats(agent, "busy");
    assertThat(s.path("mem_limit_bytes").asLong()).isEqualTo(96L << 20);
    assertThat(s.path("processes").asLong()).isGreaterThanOrEqualTo(2); // runc's init became the shell, plus the supervisor
    master.kill("busy", 0.5);
    await().atMost(WAIT).until(() -> master.states("busy").contains(TASK_KILLED));
  }

  @Test
  void killSendsTermToTheContainerAndWaitsOutItsGracePeriod() throws Exception {
    TestImages.busybox(workDir, "busybox", "{}");
    master.startSubscribedAgent(workDir, IsolationTest.ACTIVE);
    master.launch(task("polite", MESOS_BUSYBOX, CommandInfo.shell(
        "trap 'echo got-term; sleep 1; echo cleaned-up; exit 0' TERM; echo ready; while true; do sleep 0.1; done"), 32, null));
    await().atMost(WAIT).until(() -> Files.readString(sandbox("polite").resolve("stdout")).contains("ready"));

    master.kill("polite", 10);

    await().atMost(WAIT).until(() -> master.states("polite").contains(TASK_KILLED));
    assertThat(Files.readString(sandbox("polite").resolve("stdout"))).contains("got-term").contains("cleaned-up");
    await().atMost(WAIT).until(() -> TestImages.runcList(workDir).isEmpty());
  }

  @Test
  void containerIgnoringTermIsKilledAfterTheGracePeriod() throws Exception {
    TestImages.busybox(workDir, "busybox", "{}");
    master.startSubscribedAgent(workDir, IsolationTest.ACTIVE);
    // As pid 1 of its namespace, without a handler, sh and then sleep ignore SIGTERM: only the SIGKILL
    // after the grace ends it. (Killed while runc is still creating it, the container would fail instead.)
    master.launch(task("stubborn", MESOS_BUSYBOX, new CommandInfo("/bin/sh", false,
        List.of("sh", "-c", "echo ready; exec sleep 1000"), null, null), 32, null));
    await().atMost(WAIT).until(() -> Files.readString(sandbox("stubborn").resolve("stdout")).contains("ready"));

    master.kill("stubborn", 1);

    await().atMost(WAIT).until(() -> master.states("stubborn").contains(TASK_KILLED));
    assertThat(master.last("stubborn").message()).contains("signal 9");
    await().atMost(WAIT).until(() -> TestImages.runcList(workDir).isEmpty());
  }

  @Test
  void commandHealthCheckRunsInsideTheContainer() throws Exception {
    TestImages.busybox(workDir, "busybox", "{}");
    master.startSubscribedAgent(workDir, IsolationTest.ACTIVE);
    // /image-marker exists only in the container's root filesystem, not on the host.
    HealthCheck check = new HealthCheck(CheckInfo.Type.COMMAND, null, null, CommandInfo.shell("test -f /image-marker"),
        0.0, 0.5, 5.0, 3, 10.0);

    master.launch(task("checked", MESOS_BUSYBOX, CommandInfo.shell("sleep 1000"), 32, check));

    await().atMost(WAIT).until(() -> Boolean.TRUE.equals(master.last("checked").healthy()));
    master.kill("checked", 0.5);
    await().atMost(WAIT).until(() -> master.states("checked").contains(TASK_KILLED));
  }

  @Test
  void imagePulledFromARegistryRunsItsEntrypointAndCmd() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start(workDir.resolveSibling(workDir.getFileName() + "-registry"))) {
      String image = io.mezzo.testkit.TestImages.pushBusybox(registry, "demo/busybox", "1").reference();
      master.startSubscribedAgent(workDir, IsolationTest.ACTIVE);

      master.launch(task("pulled", "{\"type\":\"DOCKER\",\"docker\":{\"image\":\"" + image + "\"}}",
          null, 32, null));

      await().atMost(WAIT).until(() -> master.states("pulled").contains(TASK_FINISHED));
      assertThat(Files.readString(sandbox("pulled").resolve("stdout"))).isEqualTo("hello\n");
    }
  }

  @Test
  void unknownImageFailsTheTaskWithThePreparationReasonNamingTheImage() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start(workDir.resolveSibling(workDir.getFileName() + "-registry"))) {
      master.startSubscribedAgent(workDir, IsolationTest.ACTIVE);
      String image = registry.hostPort() + "/no/such-image:1";

      master.launch(task("nope", MESOS_BUSYBOX.replace("busybox", image), CommandInfo.shell("true"), 32, null));

      await().atMost(WAIT).until(() -> master.states("nope").contains(TASK_FAILED));
      assertThat(master.last("nope").reason()).isEqualTo("REASON_CONTAINER_PREPARATION_FAILED");
      assertThat(master.last("nope").message()).startsWith("Failed to pull image '" + image + "': unknown image");
    }
  }

  @Test
  void mesosShapedTaskWithAnImageFromARegistryRunsAndFinishes() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start(workDir.resolveSibling(workDir.getFileName() + "-registry"))) {
      String image = io.mezzo.testkit.TestImages.pushBusybox(registry, "mesos/busybox", "2").reference();
      master.startSubscribedAgent(workDir, IsolationTest.ACTIVE);

      master.launch(task("mesos-pulled", MESOS_BUSYBOX.replace("busybox", image),
          CommandInfo.shell("echo $GREETING from $(cat /etc/hostname 2>/dev/null || hostname) in $MESOS_SANDBOX"), 32, null));

      await().atMost(WAIT).until(() -> master.states("mesos-pulled").contains(TASK_FINISHED));
      assertThat(master.states("mesos-pulled")).contains(TASK_RUNNING);
      assertThat(Files.readString(sandbox("mesos-pulled").resolve("stdout"))).startsWith("hello from ")
          .endsWith(" in /mnt/mesos/sandbox\n");
    }
  }

  @Test
  void theAgentListsItsImagesWithTheTasksUsingThem() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start(workDir.resolveSibling(workDir.getFileName() + "-registry"))) {
      String image = io.mezzo.testkit.TestImages.pushBusybox(registry, "listed/busybox", "1").reference();
      Agent agent = master.startSubscribedAgent(workDir, IsolationTest.ACTIVE);
      assertThat(images(agent)).isEmpty();

      master.launch(task("user", "{\"type\":\"DOCKER\",\"docker\":{\"image\":\"" + image + "\"}}",
          CommandInfo.shell("echo up; while true; do sleep 0.1; done"), 32, null));
      await().atMost(WAIT).until(() -> master.states("user").contains(TASK_RUNNING));

      await().atMost(WAIT).until(() -> images(agent).size() == 1
          && images(agent).get(0).path("tasks").toString().equals("[\"user\"]"));
      com.fasterxml.jackson.databind.JsonNode listed = images(agent).get(0);
      assertThat(listed.path("references").toString()).contains(image);
      assertThat(listed.path("digest").asText()).startsWith("sha256:");
      assertThat(listed.path("size_bytes").asLong()).isPositive();

      master.kill("user", 0.5);
      await().atMost(WAIT).until(() -> master.states("user").contains(TASK_KILLED));
      await().atMost(WAIT).until(() -> images(agent).get(0).path("tasks").isEmpty());
    }
  }

  private static List<com.fasterxml.jackson.databind.JsonNode> images(Agent agent) throws Exception {
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + agent.port() + "/images")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    List<com.fasterxml.jackson.databind.JsonNode> out = new java.util.ArrayList<>();
    Json.MAPPER.readTree(r.body()).forEach(out::add);
    return out;
  }

  @Test
  void tamperedLayerFailsTheTaskWithTheDigestMismatchAndNothingRuns() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start(workDir.resolveSibling(workDir.getFileName() + "-registry"))) {
      io.mezzo.testkit.TestImages.Pushed pushed = io.mezzo.testkit.TestImages.pushBusybox(registry, "demo/tampered", "1");
      Path blob = registry.blobData(pushed.layerDigests().get(0));
      byte[] bytes = Files.readAllBytes(blob);
      bytes[bytes.length / 2] ^= 0x55; // same size, other content
      Files.write(blob, bytes);
      master.startSubscribedAgent(workDir, IsolationTest.ACTIVE);

      master.launch(task("tampered", "{\"type\":\"DOCKER\",\"docker\":{\"image\":\"" + pushed.reference() + "\"}}",
          null, 32, null));

      await().atMost(WAIT).until(() -> master.states("tampered").contains(TASK_FAILED));
      assertThat(master.states("tampered")).doesNotContain(TASK_RUNNING);
      assertThat(master.last("tampered").reason()).isEqualTo("REASON_CONTAINER_PREPARATION_FAILED");
      assertThat(master.last("tampered").message())
          .startsWith("Failed to pull image '" + pushed.reference() + "': digest mismatch: ")
          .contains(pushed.layerDigests().get(0));
    }
  }

  @Test
  void unreachableRegistryFailsTheTaskWithThePreparationReason() throws Exception {
    master.startSubscribedAgent(workDir, IsolationTest.ACTIVE);

    master.launch(task("away", MESOS_BUSYBOX.replace("busybox", "127.0.0.1:1/busybox:1"), CommandInfo.shell("true"), 32, null));

    await().atMost(WAIT).until(() -> master.states("away").contains(TASK_FAILED));
    assertThat(master.last("away").reason()).isEqualTo("REASON_CONTAINER_PREPARATION_FAILED");
    assertThat(master.last("away").message()).contains("unreachable registry");
  }

  @Test
  void containerOfAnUnknownTypeIsRefusedNamingTheField() throws Exception {
    master.startSubscribedAgent(workDir, IsolationTest.ACTIVE);

    master.launch(task("odd", "{\"type\":\"APPC\"}", CommandInfo.shell("true"), 32, null));

    await().atMost(WAIT).until(() -> master.states("odd").contains(TASK_ERROR));
    assertThat(master.last("odd").message()).isEqualTo("task.container.type: 'APPC' (expected: MESOS or DOCKER)");
  }

  @Test
  void runningContainerIsReadoptedAfterAnAgentRestartAndThenKilledCleanly() throws Exception {
    TestImages.busybox(workDir, "busybox", "{}");
    AgentProcess agent = AgentProcess.start(master.hostPort(), workDir, "reconnect");
    try {
      await().atMost(WAIT).until(() -> subscribes() >= 1 && master.streamOpen());
      master.launch(task("long", MESOS_BUSYBOX, CommandInfo.shell("echo started; exec sleep 1000"), 32, null));
      await().atMost(WAIT).until(() -> master.states("long").contains(TASK_RUNNING)
          && TestImages.runcList(workDir).size() == 1);
      String container = TestImages.runcList(workDir).get(0);

      agent.kill9();
      assertThat(TestImages.runcList(workDir)).as("the container outlives its agent").containsExactly(container);
      agent = AgentProcess.start(master.hostPort(), workDir, "reconnect");
      await().atMost(WAIT).until(() -> subscribes() >= 2 && master.streamOpen());

      AgentCall.Subscribe again = master.calls(AgentCall.Type.SUBSCRIBE).get(1).subscribe();
      assertThat(again.tasks()).anySatisfy(t -> {
        assertThat(t.task().taskId().value()).isEqualTo("long");
        assertThat(t.status().state()).isEqualTo(TASK_RUNNING);
      });
      assertThat(TestImages.runcList(workDir)).containsExactly(container);

      master.kill("long", 1);
      await().atMost(WAIT).until(() -> master.states("long").contains(TASK_KILLED));
      await().atMost(WAIT).until(() -> TestImages.runcList(workDir).isEmpty()
          && !Files.exists(workDir.resolve("containers").resolve(container)));
    } finally {
      agent.close();
      FakeMaster.killLeftovers(workDir);
    }
  }

  private int subscribes() {
    return master.calls(AgentCall.Type.SUBSCRIBE).size();
  }
}
