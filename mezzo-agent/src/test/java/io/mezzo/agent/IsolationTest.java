package io.mezzo.agent;

import static io.mezzo.core.model.TaskState.TASK_FAILED;
import static io.mezzo.core.model.TaskState.TASK_FINISHED;
import static io.mezzo.core.model.TaskState.TASK_RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.agent.isolation.IsolationConfig;
import io.mezzo.agent.isolation.Isolators;
import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.Resource;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Isolation and usage statistics on this machine, with real processes: the isolator that is active
 * here (cgroups v1 on the build machine), and the posix fallback.
 */
class IsolationTest {
  /** Allocates (and touches) 8 MiB at a time, 64 times, then waits: far past a 64 MiB limit. */
  static final String HOG = "python3 -c \"import time\nb=[]\nfor i in range(64):\n  b.append(b'x'*(8<<20))\n  time.sleep(0.02)\ntime.sleep(60)\"";
  static final String BUSY = "python3 -c 'while True: pass'";

  @RegisterExtension
  final FakeMaster master = new FakeMaster();

  @TempDir
  Path workDir;

  static final IsolationConfig ACTIVE = IsolationConfig.defaults().withMonitorInterval(Duration.ofMillis(200));

  @Test
  void activeIsolatorHereIsCgroupsV1AndSaysWhyNotV2() {
    Isolators.Selection s = Isolators.select(ACTIVE, Clock.systemUTC());

    assertThat(s.isolator().name()).isEqualTo("cgroups/v1");
    assertThat(s.reason()).contains("cgroups v1").contains("does not offer the 'cpu' controller");
  }

  @Test
  void memoryHogIsKilledAndReportedWithTheMemoryReasonAndItsSandboxStays() throws Exception {
    master.startSubscribedAgent(workDir, ACTIVE);

    master.launch(task("hog", HOG, 0.5, 64));

    await().atMost(Duration.ofSeconds(30)).until(() -> master.states("hog").contains(TASK_FAILED));
    TaskStatus failed = master.last("hog");
    assertThat(failed.reason()).isEqualTo("REASON_CONTAINER_LIMITATION_MEMORY");
    assertThat(failed.message()).startsWith("Memory limit exceeded: the task used more than its limit of 64.0 MiB");
    assertThat(sandbox("hog")).isDirectory();
    assertThat(sandbox("hog").resolve("stdout")).exists();
    String container = sandbox("hog").getFileName().toString();
    assertThat(Path.of("/sys/fs/cgroup/memory/mezzo", container)).doesNotExist();
  }

  @Test
  void taskWhoseChildWasOomKilledIsKilledWholeWithTheMemoryReason() {
    master.startSubscribedAgent(workDir, ACTIVE);

    // The kernel kills the python child; the shell would sleep on if the agent did not kill the task.
    master.launch(task("parent", HOG + "; sleep 60", 0.5, 64));

    await().atMost(Duration.ofSeconds(30)).until(() -> master.states("parent").contains(TASK_FAILED));
    assertThat(master.last("parent").reason()).isEqualTo("REASON_CONTAINER_LIMITATION_MEMORY");
    assertThat(master.last("parent").message()).contains("signal 9");
  }

  @Test
  void memoryHogIsKilledByThePosixFallbackToo() throws Exception {
    master.startSubscribedAgent(workDir, ACTIVE.withMode("posix"));

    master.launch(task("hog", HOG, 0.5, 64));

    await().atMost(Duration.ofSeconds(30)).until(() -> master.states("hog").contains(TASK_FAILED));
    TaskStatus failed = master.last("hog");
    assertThat(failed.reason()).isEqualTo("REASON_CONTAINER_LIMITATION_MEMORY");
    assertThat(failed.message()).contains("Memory limit exceeded").contains("signal 9");
  }

  @Test
  void taskWithinItsMemoryFinishesNormally() {
    master.startSubscribedAgent(workDir, ACTIVE);

    master.launch(task("small", "python3 -c \"b=b'x'*(8<<20)\"", 0.1, 64));

    await().atMost(Duration.ofSeconds(20)).until(() -> master.states("small").contains(TASK_FINISHED));
  }

  @Test
  void cpuBoundTaskUserTimeRisesAtItsCpuRate() throws Exception {
    Agent agent = master.startSubscribedAgent(workDir, ACTIVE.withEnableCfs(true));
    master.launch(task("busy", BUSY, 0.5, 64));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("busy").contains(TASK_RUNNING));
    await().atMost(Duration.ofSeconds(10)).until(() -> cpuSecs(agent, "busy") > 0.2);

    JsonNode first = stats(agent, "busy");
    await().atMost(Duration.ofSeconds(20)).until(
        () -> stats(agent, "busy").get("timestamp").asDouble() - first.get("timestamp").asDouble() >= 4);
    JsonNode second = stats(agent, "busy");

    double rate = (cpu(second) - cpu(first)) / (second.get("timestamp").asDouble() - first.get("timestamp").asDouble());
    // The CFS quota holds it to 0.5 cpu; other builds on the same two cores may slow it below that.
    assertThat(rate).isBetween(0.25, 0.56);
    assertThat(second.get("cpus_user_time_secs").asDouble()).isGreaterThan(first.get("cpus_user_time_secs").asDouble());
    assertThat(second.get("cpus_nr_throttled").asLong()).isPositive();
  }

  @Test
  void statisticsCoverTheWholeProcessTreeInTheMesosShape() throws Exception {
    Agent agent = master.startSubscribedAgent(workDir, ACTIVE);
    master.launch(task("tree", "sleep 60 & sleep 60 & python3 -c \"import time; b=b'x'*(20<<20); time.sleep(60)\"", 0.25, 128));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("tree").contains(TASK_RUNNING));

    await().atMost(Duration.ofSeconds(10)).until(() -> stats(agent, "tree") != null
        && stats(agent, "tree").get("mem_rss_bytes").asLong() > 20 << 20);
    JsonNode entry = entry(agent, "tree");
    assertThat(entry.get("executor_id").asText()).isEqualTo("tree");
    assertThat(entry.get("framework_id").asText()).isEqualTo("fw-1");
    assertThat(entry.get("source").asText()).isEqualTo("tree");
    JsonNode s = entry.get("statistics");
    assertThat(s.get("cpus_limit").asDouble()).isEqualTo(0.25);
    assertThat(s.get("mem_limit_bytes").asLong()).isEqualTo(128L << 20);
    assertThat(s.get("processes").asLong()).isGreaterThanOrEqualTo(4); // sh, two sleeps, python3
    assertThat(s.has("cpus_user_time_secs")).isTrue();
    assertThat(s.has("cpus_system_time_secs")).isTrue();
    assertThat(s.get("timestamp").asDouble()).isGreaterThan(1.6e9);
  }

  @Test
  void posixFallbackMeasuresTheTasksSessionFromProc() throws Exception {
    Agent agent = master.startSubscribedAgent(workDir, ACTIVE.withMode("posix"));
    master.launch(task("tree", "sleep 60 & python3 -c \"import time; b=b'x'*(20<<20); time.sleep(60)\"", 0.25, 128));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("tree").contains(TASK_RUNNING));

    await().atMost(Duration.ofSeconds(10)).until(() -> stats(agent, "tree") != null
        && stats(agent, "tree").get("mem_rss_bytes").asLong() > 20 << 20);
    JsonNode s = stats(agent, "tree");
    assertThat(s.get("processes").asLong()).isEqualTo(4); // the supervisor sh, the task sh, sleep, python3
    assertThat(s.get("mem_limit_bytes").asLong()).isEqualTo(128L << 20);
    assertThat(s.has("mem_total_bytes")).isFalse(); // only cgroups can tell
  }

  @Test
  void heartbeatsCarryEachRunningTasksUsage() {
    master.heartbeatSeconds = 0.3;
    master.startSubscribedAgent(workDir, ACTIVE);
    master.launch(task("busy", BUSY, 0.5, 64));

    await().atMost(Duration.ofSeconds(15)).until(() -> master.calls(AgentCall.Type.HEARTBEAT).stream()
        .filter(c -> c.heartbeat() != null)
        .flatMap(c -> c.heartbeat().usage().stream())
        .anyMatch(u -> u.taskId().equals(TaskId.of("busy")) && u.cpusUserTimeSecs() > 0.1 && u.memRssBytes() > 0
            && u.cpusUsed() > 0 && u.memLimitBytes() == 64L << 20));
  }

  // ---------------------------------------------------------------- helpers

  static TaskInfo task(String id, String command, double cpus, double memMb) {
    return new TaskInfo(id, TaskId.of(id), null, List.of(Resource.scalar("cpus", cpus), Resource.scalar("mem", memMb)),
        CommandInfo.shell(command), null, null, null);
  }

  private Path sandbox(String taskId) throws Exception {
    try (Stream<Path> runs = Files.list(workDir.resolve("frameworks/fw-1/tasks/" + taskId + "/runs"))) {
      return runs.findFirst().orElseThrow();
    }
  }

  static JsonNode entry(Agent agent, String taskId) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/monitor/statistics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    for (JsonNode e : Json.MAPPER.readTree(r.body())) {
      if (e.get("executor_id").asText().equals(taskId)) {
        return e;
      }
    }
    return null;
  }

  static JsonNode stats(Agent agent, String taskId) throws Exception {
    JsonNode e = entry(agent, taskId);
    return e == null ? null : e.get("statistics");
  }

  static double cpu(JsonNode s) {
    return s.get("cpus_user_time_secs").asDouble() + s.get("cpus_system_time_secs").asDouble();
  }

  static double cpuSecs(Agent agent, String taskId) throws Exception {
    JsonNode s = stats(agent, taskId);
    return s == null ? 0 : cpu(s);
  }
}
