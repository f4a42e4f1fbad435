package io.mezzo.agent;

import static io.mezzo.agent.FakeMaster.shellTask;
import static io.mezzo.core.model.TaskState.TASK_ERROR;
import static io.mezzo.core.model.TaskState.TASK_KILLED;
import static io.mezzo.core.model.TaskState.TASK_KILLING;
import static io.mezzo.core.model.TaskState.TASK_RUNNING;
import static io.mezzo.core.model.TaskState.TASK_STARTING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.core.model.CheckInfo;
import io.mezzo.core.model.CheckStatus;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.HealthCheck;
import io.mezzo.core.model.Resource;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskStatus;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Health checks and checks run by the agent against real task processes. */
class HealthCheckTest {
  private static final String HEALTH_REASON = "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED";

  /** An HTTP server on $PORT0 answering 200 while the file {@code healthy} exists in its sandbox, else 503. */
  private static final String SERVER = """
      touch healthy; exec python3 -c '
      import http.server, os
      class H(http.server.BaseHTTPRequestHandler):
          def do_GET(self):
              self.send_response(200 if os.path.exists("healthy") else 503)
              self.send_header("Content-Length", "0")
              self.end_headers()
          def log_message(self, *args):
              pass
      http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT0"])), H).serve_forever()
      '""";

  @RegisterExtension
  final FakeMaster master = new FakeMaster();

  @TempDir
  Path workDir;

  @BeforeEach
  void startAgent() {
    master.startSubscribedAgent(workDir);
  }

  @Test
  void httpHealthCheckOfATaskThatStartsFailingGetsItKilled() throws IOException {
    int port = freePort();
    HealthCheck check = new HealthCheck(CheckInfo.Type.HTTP, new HealthCheck.Http(port, "/health", null, null),
        null, null, 0.0, 0.2, 1.0, 3, 30.0);
    master.launch(task("web", SERVER, check, null, List.of(Resource.ranges("ports", List.of(new Resource.Range(port, port))))));

    await().atMost(Duration.ofSeconds(20)).until(() -> healthyUpdates("web").contains(true));
    TaskStatus healthy = master.last("web");
    assertThat(healthy.state()).isEqualTo(TASK_RUNNING);
    assertThat(healthy.reason()).isEqualTo(HEALTH_REASON);
    assertThat(healthy.message()).isEqualTo("Healthy: HTTP 200 from http://127.0.0.1:" + port + "/health");
    long pid = pidOf("web");

    long failingAt = System.nanoTime();
    Files.delete(sandboxOf("web").resolve("healthy"));

    await().atMost(Duration.ofSeconds(20)).until(() -> master.states("web").contains(TASK_KILLED));
    System.out.printf("health: 503s began to TASK_KILLED: %d ms (interval 200 ms, 3 failures)%n",
        (System.nanoTime() - failingAt) / 1_000_000);
    assertThat(master.states("web"))
        .containsExactly(TASK_STARTING, TASK_RUNNING, TASK_RUNNING, TASK_RUNNING, TASK_KILLING, TASK_KILLED);
    assertThat(healthyUpdates("web")).containsExactly(true, false, false);
    TaskStatus killed = master.last("web");
    assertThat(killed.reason()).isEqualTo(HEALTH_REASON);
    assertThat(killed.healthy()).isFalse();
    assertThat(killed.message()).isEqualTo("Task killed after 3 consecutive failed health checks (last: HTTP 503 from "
        + "http://127.0.0.1:" + port + "/health); Command terminated by signal 15");
    await().atMost(Duration.ofSeconds(5)).until(() -> !Processes.groupAlive(pid));
    assertThat(sandboxOf("web").resolve("stdout")).exists();
  }

  @Test
  void httpsHealthCheckAcceptsTheTasksSelfSignedCertificate(@TempDir Path certs) {
    assertThat(Processes.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=task",
        "-keyout", certs.resolve("key.pem").toString(), "-out", certs.resolve("cert.pem").toString())).isZero();
    Processes.openToTasks(certs, certs.resolve("key.pem"), certs.resolve("cert.pem")); // the task may run as nobody
    String server = """
        exec python3 -c '
        import http.server, os, ssl
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
            def log_message(self, *args):
                pass
        s = http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT0"])), H)
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        c.load_cert_chain("%s", "%s")
        s.socket = c.wrap_socket(s.socket, server_side=True)
        s.serve_forever()
        '""".formatted(certs.resolve("cert.pem"), certs.resolve("key.pem"));
    int port = freePort();
    HealthCheck check = new HealthCheck(CheckInfo.Type.HTTP, new HealthCheck.Http(port, "/ok", "https", null),
        null, null, 0.0, 0.2, 2.0, 3, 20.0);
    master.launch(task("tls", server, check, null, List.of(Resource.ranges("ports", List.of(new Resource.Range(port, port))))));

    await().atMost(Duration.ofSeconds(20)).until(() -> healthyUpdates("tls").contains(true));
    assertThat(master.last("tls").message()).isEqualTo("Healthy: HTTP 200 from https://127.0.0.1:" + port + "/ok");
    assertThat(healthyUpdates("tls")).containsExactly(true);
  }

  @Test
  void commandHealthCheckFailuresWithinTheGracePeriodDoNotKill() throws IOException {
    // Unhealthy for its first second, healthy afterwards: the 60 s grace period covers the start.
    HealthCheck check = new HealthCheck(CheckInfo.Type.COMMAND, null, null, CommandInfo.shell("test -f up"),
        0.0, 0.1, 5.0, 1, 60.0);
    master.launch(task("slow", "sleep 1; touch up; sleep 1000", check, null, List.of()));

    await().atMost(Duration.ofSeconds(20)).until(() -> healthyUpdates("slow").contains(true));
    assertThat(healthyUpdates("slow")).containsExactly(true);
    assertThat(master.states("slow")).containsExactly(TASK_STARTING, TASK_RUNNING, TASK_RUNNING);
  }

  @Test
  void tcpHealthCheckWithNothingListeningKillsAfterTheGracePeriod() {
    int port = freePort();
    HealthCheck check = new HealthCheck(CheckInfo.Type.TCP, null, new HealthCheck.Tcp(port), null, 0.0, 0.1, 1.0, 2, 0.0);
    master.launch(task("deaf", "sleep 1000", check, null, List.of()));

    await().atMost(Duration.ofSeconds(20)).until(() -> master.states("deaf").contains(TASK_KILLED));
    assertThat(healthyUpdates("deaf")).containsExactly(false, false);
    assertThat(master.last("deaf").message()).startsWith(
        "Task killed after 2 consecutive failed health checks (last: cannot connect to 127.0.0.1:" + port);
  }

  @Test
  void checkResultsAreReportedOnChangeAndNeverKill() throws IOException {
    CheckInfo ready = new CheckInfo(CheckInfo.Type.COMMAND, new CheckInfo.Command(CommandInfo.shell("test -f ready")),
        null, null, 0.0, 0.1, 5.0);
    master.launch(task("ready", "sleep 1000", null, ready, List.of()));

    await().atMost(Duration.ofSeconds(20)).until(() -> checkUpdates("ready").size() == 1);
    Files.createFile(sandboxOf("ready").resolve("ready"));
    await().atMost(Duration.ofSeconds(20)).until(() -> checkUpdates("ready").size() == 2);

    assertThat(checkUpdates("ready")).containsExactly(
        new CheckStatus(CheckInfo.Type.COMMAND, new CheckStatus.Command(1), null, null),
        new CheckStatus(CheckInfo.Type.COMMAND, new CheckStatus.Command(0), null, null));
    assertThat(master.last("ready").reason()).isEqualTo("REASON_TASK_CHECK_STATUS_UPDATED");
    assertThat(master.last("ready").healthy()).isNull();
    assertThat(master.states("ready")).containsOnly(TASK_STARTING, TASK_RUNNING);
    assertThat(ProcessHandle.of(pidOf("ready")).map(ProcessHandle::isAlive)).contains(true);
  }

  @Test
  void tcpCheckReportsWhetherThePortAcceptsConnections() throws IOException {
    int port = freePort();
    CheckInfo listening = new CheckInfo(CheckInfo.Type.TCP, null, null, new CheckInfo.Tcp(port), 0.0, 0.1, 2.0);
    master.launch(task("tcp", "sleep 1000", null, listening, List.of()));

    await().atMost(Duration.ofSeconds(20)).until(() -> checkUpdates("tcp").size() == 1);
    try (ServerSocket server = new ServerSocket(port, 50, java.net.InetAddress.getLoopbackAddress())) {
      await().atMost(Duration.ofSeconds(20)).until(() -> checkUpdates("tcp").size() == 2);
    }

    assertThat(checkUpdates("tcp")).containsExactly(
        new CheckStatus(CheckInfo.Type.TCP, null, null, new CheckStatus.Tcp(false)),
        new CheckStatus(CheckInfo.Type.TCP, null, null, new CheckStatus.Tcp(true)));
    assertThat(master.last("tcp").message()).isEqualTo("Check: connected to 127.0.0.1:" + port);
  }

  @Test
  void invalidHealthCheckIsRefusedWithTaskErrorNamingTheField() {
    HealthCheck bad = new HealthCheck(CheckInfo.Type.HTTP, new HealthCheck.Http(70000, "/", null, null),
        null, null, null, null, null, null, null);
    master.launch(task("bad", "sleep 1000", bad, null, List.of()));

    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("bad").contains(TASK_ERROR));
    assertThat(master.states("bad")).containsExactly(TASK_ERROR);
    assertThat(master.last("bad").message()).isEqualTo("task.health_check.http.port: 70000 (expected: 1..65535)");
  }

  private static TaskInfo task(String id, String command, HealthCheck health, CheckInfo check, List<Resource> extra) {
    TaskInfo plain = shellTask(id, command, extra);
    return new TaskInfo(id, plain.taskId(), null, plain.resources(), plain.command(), null, null, null, null, health, check);
  }

  private List<Boolean> healthyUpdates(String taskId) {
    return master.distinctUpdates(taskId).stream().map(TaskStatus::healthy).filter(Objects::nonNull).toList();
  }

  private List<CheckStatus> checkUpdates(String taskId) {
    return master.distinctUpdates(taskId).stream().map(TaskStatus::checkStatus).filter(Objects::nonNull).distinct().toList();
  }

  private Path sandboxOf(String taskId) throws IOException {
    try (var list = Files.list(workDir.resolve("frameworks/fw-1/tasks/" + taskId + "/runs"))) {
      return list.findFirst().orElseThrow();
    }
  }

  private long pidOf(String taskId) throws IOException {
    return Long.parseLong(Files.readString(sandboxOf(taskId).resolve("task.pid")).strip());
  }

  /** A port of the agent's range (31000-31009, which the agent checks tasks' ports against) that is free now. */
  private static int freePort() {
    for (int port = 31000; port <= 31009; port++) {
      try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException busy) {
        // try the next one
      }
    }
    throw new IllegalStateException("no free port in 31000-31009 (expected: the agent's port range to be free)");
  }
}
