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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code /files/read} and {@code /files/browse} on a real agent: served inside sandboxes, 403 outside. */
class SandboxFilesApiTest {
  @RegisterExtension
  final FakeMaster master = new FakeMaster();

  @TempDir
  Path workDir;

  @TempDir
  Path elsewhere;

  Agent agent;
  Path sandbox;

  @BeforeEach
  void runATaskThatWritesFiles() throws IOException {
    agent = master.startSubscribedAgent(workDir);
    master.launch(shellTask("writer", "mkdir logs && printf 'line one\\n' > logs/app.log && printf 'out' && printf 'err' >&2"));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("writer").contains(TASK_FINISHED));
    try (var runs = Files.list(workDir.resolve("frameworks/fw-1/tasks/writer/runs"))) {
      sandbox = runs.findFirst().orElseThrow();
    }
  }

  @Test
  void browseListsASandboxInTheMesosShape() throws IOException {
    JsonNode list = json("/files/browse?path=" + enc(sandbox.toString()), 200);

    List<String> paths = new ArrayList<>();
    list.forEach(e -> paths.add(e.get("path").asText()));
    assertThat(paths).containsExactly(sandbox + "/logs", sandbox + "/stderr", sandbox + "/stdout", sandbox + "/task.exit",
        sandbox + "/task.pid"); // task.exit: the supervisor records the exit status
    JsonNode logs = list.get(0);
    assertThat(logs.get("mode").asText()).startsWith("d").hasSize(10);
    JsonNode stdout = list.get(2);
    assertThat(stdout.get("mode").asText()).startsWith("-rw");
    assertThat(stdout.get("size").asLong()).isEqualTo(3);
    assertThat(stdout.get("nlink").asLong()).isEqualTo(1);
    // The task's user owns its stdout: nobody when the agent runs as root.
    assertThat(stdout.get("uid").asText())
        .isEqualTo(io.mezzo.agent.user.Accounts.self().isRoot() ? "nobody" : System.getProperty("user.name"));
    assertThat(stdout.get("gid").asText()).isNotEmpty();
    assertThat(stdout.get("mtime").asDouble()).isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(600.0));

    JsonNode nested = json("/files/browse?path=" + enc(sandbox + "/logs"), 200);
    assertThat(nested.get(0).get("path").asText()).isEqualTo(sandbox + "/logs/app.log");
    assertThat(nested.get(0).get("size").asLong()).isEqualTo(9);
  }

  @Test
  void virtualLatestRunPathsReachTheNewestSandbox() throws IOException {
    JsonNode out = json("/files/read?path=" + enc("/frameworks/fw-1/tasks/writer/runs/latest/stdout"), 200);
    assertThat(out.get("data").asText()).isEqualTo("out");
    JsonNode err = json("/files/read?path=" + enc("/frameworks/fw-1/tasks/writer/runs/latest/stderr"), 200);
    assertThat(err.get("data").asText()).isEqualTo("err");
    JsonNode list = json("/files/browse?path=" + enc("/frameworks/fw-1/tasks/writer/runs/latest/"), 200);
    assertThat(list.get(0).get("path").asText()).isEqualTo("/frameworks/fw-1/tasks/writer/runs/latest/logs");
    assertThat(status("/files/read?path=" + enc("/frameworks/fw-1/tasks/nope/runs/latest/stdout"))).isEqualTo(404);
  }

  @Test
  void pathTraversalAndEscapesAreForbidden() throws IOException {
    Path secret = Files.writeString(elsewhere.resolve("secret"), "top secret");
    Files.createSymbolicLink(sandbox.resolve("link-out"), secret);
    Files.createSymbolicLink(sandbox.resolve("dir-out"), elsewhere);

    for (String path : List.of(
        sandbox + "/../../../../../../agent.id",                 // '..' climbing out of the sandbox
        sandbox + "/logs/../stdout",                              // '..' even where it would stay inside
        "/frameworks/fw-1/tasks/writer/runs/latest/../../../../../agent.id",
        workDir.resolve("agent.id").toString(),                   // the agent's own files
        workDir.resolve("frameworks/fw-1/tasks/writer").toString(), // above the run directory
        secret.toString(),                                        // absolute, outside the work dir
        "/etc/passwd",
        sandbox.resolve("link-out").toString(),                   // symlinks out
        sandbox.resolve("dir-out/secret").toString(),
        "stdout",                                                 // relative
        "frameworks/fw-1/tasks/writer/runs/latest/stdout",
        "/etc/../" + sandbox + "/stdout")) {
      HttpResponse<String> read = Processes.get(agent.port(), "/files/read?path=" + enc(path));
      assertThat(read.statusCode()).as(path).isEqualTo(403);
      assertThat(read.body()).as(path).contains("path: '" + path + "'").doesNotContain("top secret");
      HttpResponse<String> browse = Processes.get(agent.port(), "/files/browse?path=" + enc(path));
      assertThat(browse.statusCode()).as(path).isEqualTo(403);
    }
    assertThat(status("/files/read?path=" + enc("/nonexistent/elsewhere"))).isEqualTo(403);
    assertThat(status("/files/read?path=")).isEqualTo(400);
    assertThat(status("/files/read?path=" + enc(sandbox + "/missing"))).isEqualTo(404);
    assertThat(status("/files/read?path=" + enc(sandbox + "/logs"))).isEqualTo(400); // a directory
    assertThat(status("/files/browse?path=" + enc(sandbox + "/stdout"))).isEqualTo(400); // a file
    HttpResponse<String> badOffset = Processes.get(agent.port(),
        "/files/read?path=" + enc(sandbox + "/stdout") + "&offset=abc");
    assertThat(badOffset.statusCode()).isEqualTo(400);
    assertThat(badOffset.body()).isEqualTo("offset: 'abc' (expected: an integer)");
  }

  @Test
  void symlinksThatStayInsideASandboxAreServed() throws IOException {
    Files.createSymbolicLink(sandbox.resolve("out-link"), sandbox.resolve("stdout"));
    assertThat(json("/files/read?path=" + enc(sandbox + "/out-link"), 200).get("data").asText()).isEqualTo("out");
  }

  @Test
  void aRunningTasksGrowingOutputCanBeTailedByOffset() throws IOException {
    master.launch(shellTask("ticker", "i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.05; done"));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("ticker").contains(TASK_RUNNING));
    String path = enc("/frameworks/fw-1/tasks/ticker/runs/latest/stdout");
    StringBuilder seen = new StringBuilder();
    long[] offset = {0};
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      JsonNode chunk = json("/files/read?path=" + path + "&offset=" + offset[0], 200);
      seen.append(chunk.get("data").asText());
      offset[0] += chunk.get("data").asText().getBytes(StandardCharsets.UTF_8).length;
      return seen.toString().contains("tick-5\n");
    });
    assertThat(seen.toString()).startsWith("tick-0\ntick-1\ntick-2\ntick-3\ntick-4\ntick-5\n");
  }

  private int status(String uri) {
    return Processes.get(agent.port(), uri).statusCode();
  }

  private JsonNode json(String uri, int status) throws IOException {
    HttpResponse<String> r = Processes.get(agent.port(), uri);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return Json.MAPPER.readTree(r.body());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
