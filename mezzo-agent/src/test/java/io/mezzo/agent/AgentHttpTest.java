package io.mezzo.agent;

import static io.mezzo.agent.FakeMaster.shellTask;
import static io.mezzo.core.model.TaskState.TASK_FINISHED;
import static io.mezzo.core.model.TaskState.TASK_RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.json.Json;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The agent's own HTTP API: health, state and sandbox files. */
class AgentHttpTest {
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
  void healthSaysOk() {
    HttpResponse<String> r = Processes.get(agent.port(), "/health");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok");
  }

  @Test
  void stateShowsTheAgentItsResourcesAndItsRunningTasks() throws IOException {
    master.launch(shellTask("web", "sleep 1000"));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("web").contains(TASK_RUNNING));

    JsonNode state = Json.MAPPER.readTree(Processes.get(agent.port(), "/state").body());

    assertThat(state.get("id").asText()).isEqualTo(agent.agentId().orElseThrow().value());
    assertThat(state.get("hostname").asText()).isEqualTo("127.0.0.1");
    assertThat(state.get("port").asInt()).isEqualTo(agent.port());
    assertThat(state.get("master").asText()).isEqualTo(master.hostPort());
    assertThat(state.get("resources").get("cpus").asDouble()).isEqualTo(2.0);
    assertThat(state.get("resources").get("ports").asText()).isEqualTo("[31000-31009]");
    assertThat(state.get("used_resources").get("cpus").asDouble()).isEqualTo(0.1);
    assertThat(state.get("used_resources").get("mem").asDouble()).isEqualTo(32.0);
    JsonNode task = state.get("tasks").get(0);
    assertThat(task.get("id").asText()).isEqualTo("web");
    assertThat(task.get("framework_id").asText()).isEqualTo("fw-1");
    assertThat(task.get("state").asText()).isEqualTo("TASK_RUNNING");
    assertThat(task.get("sandbox").asText()).startsWith(workDir.resolve("frameworks/fw-1/tasks/web/runs").toString());
    assertThat(ProcessHandle.of(task.get("pid").asLong()).map(ProcessHandle::isAlive)).contains(true);
  }

  @Test
  void filesReadServesSandboxFilesByOffsetAndLength() throws IOException {
    master.launch(shellTask("talker", "printf 'hello world'"));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("talker").contains(TASK_FINISHED));
    String stdout;
    try (var runs = Files.list(workDir.resolve("frameworks/fw-1/tasks/talker/runs"))) {
      stdout = runs.findFirst().orElseThrow().resolve("stdout").toString();
    }

    JsonNode all = read(stdout, "", 200);
    assertThat(all.get("data").asText()).isEqualTo("hello world");
    assertThat(all.get("offset").asLong()).isZero();
    JsonNode part = read(stdout, "&offset=6&length=3", 200);
    assertThat(part.get("data").asText()).isEqualTo("wor");
    assertThat(part.get("offset").asLong()).isEqualTo(6);
    JsonNode size = read(stdout, "&offset=-1", 200);
    assertThat(size.get("data").asText()).isEmpty();
    assertThat(size.get("offset").asLong()).isEqualTo(11);
  }

  private JsonNode read(String path, String query, int status) throws IOException {
    HttpResponse<String> r = Processes.get(agent.port(), "/files/read?path=" + enc(path) + query);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return Json.MAPPER.readTree(r.body());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
