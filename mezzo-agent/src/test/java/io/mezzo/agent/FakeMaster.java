package io.mezzo.agent;

import io.mezzo.core.auth.Access;
import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.agentapi.AgentEvent;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import io.mezzo.core.http.HttpStream;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Resource;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.core.recordio.RecordIo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A tiny master for agent tests, on the real {@link HttpServer}: answers {@code POST /api/v1/agent}
 * like the real master (SUBSCRIBE opens a RecordIO stream starting with SUBSCRIBED; HEARTBEAT and
 * UPDATE get 202), records every call, and lets the test send events on the current stream.
 * Acknowledges every update by itself unless {@link #autoAck} is turned off.
 *
 * <p>As a JUnit 5 extension it starts before each test and, after it, closes the agents the test
 * started (then kills anything left in their sandboxes' process groups) and stops itself.
 */
final class FakeMaster implements BeforeEachCallback, AfterEachCallback {
  static final FrameworkId FRAMEWORK = FrameworkId.of("fw-1");

  final List<AgentCall> calls = new CopyOnWriteArrayList<>();
  volatile boolean autoAck = true;
  volatile double heartbeatSeconds = 5;
  volatile int refuseSubscribes;
  volatile int heartbeatsToForget;
  /** Whether SUBSCRIBED streams get a HEARTBEAT event every heartbeat interval. */
  volatile boolean sendHeartbeats;
  private final java.util.concurrent.ScheduledExecutorService timer =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
  private volatile HttpStream stream;
  private final AtomicInteger nextId = new AtomicInteger();
  private final List<Agent> agents = new CopyOnWriteArrayList<>();
  private final List<Path> workDirs = new CopyOnWriteArrayList<>();
  private HttpServer server;

  @Override
  public void beforeEach(ExtensionContext context) {
    server = HttpServer.builder().bind("127.0.0.1", 0).name("fake-master").threads(1)
        .route("POST", "/api/v1/agent", Access.PUBLIC, req -> CompletableFuture.completedFuture(handle(Json.read(req.body(), AgentCall.class))))
        .start();
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    for (Agent a : agents) {
      a.close();
    }
    for (Path dir : workDirs) {
      killLeftovers(dir);
    }
    endStream();
    timer.shutdownNow();
    server.close();
  }

  String hostPort() {
    return "127.0.0.1:" + server.port();
  }

  /** Starts an agent against this master with a fast retry and short grace; closed after the test. */
  Agent startAgent(Path workDir, UnaryOperator<AgentConfig> tweak) {
    AgentConfig config = AgentConfig.defaults(hostPort(), workDir)
        .withResources(io.mezzo.core.model.Resources.parse("cpus:2;mem:1024;disk:1024;ports:[31000-31009]"))
        .withStatusRetryInterval(Duration.ofMillis(300))
        .withKillGracePeriod(Duration.ofMillis(500));
    Agent agent = Agent.start(tweak.apply(config));
    agents.add(agent);
    workDirs.add(workDir);
    return agent;
  }

  Agent startAgent(Path workDir) {
    return startAgent(workDir, c -> c);
  }

  /** Starts an agent isolating tasks as {@code isolation} says and waits until it has subscribed. */
  Agent startSubscribedAgent(Path workDir, io.mezzo.agent.isolation.IsolationConfig isolation) {
    AgentConfig config = AgentConfig.defaults(hostPort(), workDir)
        .withResources(io.mezzo.core.model.Resources.parse("cpus:2;mem:1024;disk:1024;ports:[31000-31009]"))
        .withStatusRetryInterval(Duration.ofMillis(300))
        .withKillGracePeriod(Duration.ofMillis(500));
    Agent agent = Agent.start(config, isolation);
    agents.add(agent);
    workDirs.add(workDir);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> agent.agentId().isPresent());
    return agent;
  }

  /** Starts an agent running tasks as {@code users} says and waits until it has subscribed. */
  Agent startSubscribedAgent(Path workDir, io.mezzo.agent.user.TaskUserConfig users) {
    AgentConfig config = AgentConfig.defaults(hostPort(), workDir)
        .withResources(io.mezzo.core.model.Resources.parse("cpus:2;mem:1024;disk:1024;ports:[31000-31009]"))
        .withStatusRetryInterval(Duration.ofMillis(300))
        .withKillGracePeriod(Duration.ofMillis(500));
    Agent agent = Agent.start(config, io.mezzo.agent.isolation.IsolationConfig.defaults(),
        io.mezzo.agent.recovery.RecoveryMode.RECONNECT, users);
    agents.add(agent);
    workDirs.add(workDir);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> agent.agentId().isPresent());
    return agent;
  }

  /** Starts an agent (cgroups isolation) whose image store works as {@code images} says; waits until it has subscribed. */
  Agent startSubscribedAgent(Path workDir, io.mezzo.agent.image.AgentImageConfig images) {
    AgentConfig config = AgentConfig.defaults(hostPort(), workDir)
        .withResources(io.mezzo.core.model.Resources.parse("cpus:2;mem:1024;disk:1024;ports:[31000-31009]"))
        .withStatusRetryInterval(Duration.ofMillis(300))
        .withKillGracePeriod(Duration.ofMillis(500));
    Agent agent = Agent.start(config, IsolationTest.ACTIVE, io.mezzo.agent.recovery.RecoveryMode.RECONNECT,
        io.mezzo.agent.user.TaskUserConfig.defaults(), io.mezzo.core.auth.Security.NONE, io.mezzo.core.auth.Caller.NONE,
        images);
    agents.add(agent);
    workDirs.add(workDir);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> agent.agentId().isPresent());
    return agent;
  }

  /** Starts an agent and waits until it has subscribed and holds its id. */
  Agent startSubscribedAgent(Path workDir) {
    Agent agent = startAgent(workDir);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> agent.agentId().isPresent());
    return agent;
  }

  private HttpResponse handle(AgentCall call) {
    calls.add(call);
    switch (call.type()) {
      case SUBSCRIBE -> {
        if (refuseSubscribes > 0) {
          refuseSubscribes--;
          return HttpResponse.text(503, "not the leading master");
        }
        AgentId id = call.subscribe().agentInfo().id() != null
            ? call.subscribe().agentInfo().id() : AgentId.of("fake-S" + nextId.getAndIncrement());
        return HttpResponse.stream(HttpResponse.JSON, Map.of(), s -> {
          HttpStream old = stream;
          stream = s;
          if (old != null) {
            old.close();
          }
          s.send(RecordIo.frame(Json.write(AgentEvent.subscribed(id, heartbeatSeconds))));
          if (sendHeartbeats) {
            long ms = (long) (heartbeatSeconds * 1000);
            var beats = timer.scheduleAtFixedRate(
                () -> s.send(RecordIo.frame(Json.write(AgentEvent.heartbeat()))), ms, ms, java.util.concurrent.TimeUnit.MILLISECONDS);
            s.onClose(() -> beats.cancel(false));
          }
        });
      }
      case HEARTBEAT -> {
        if (heartbeatsToForget > 0) {
          heartbeatsToForget--;
          return HttpResponse.text(404, "agent_id: not registered");
        }
        return HttpResponse.empty(202);
      }
      case UPDATE -> {
        if (autoAck) {
          acknowledge(call.update().status());
        }
        return HttpResponse.empty(202);
      }
      default -> {
        return HttpResponse.text(400, "type: " + call.type());
      }
    }
  }

  void send(AgentEvent event) {
    HttpStream s = stream;
    if (s == null || !s.send(RecordIo.frame(Json.write(event)))) {
      throw new IllegalStateException("no agent stream open");
    }
  }

  void launch(TaskInfo task) {
    send(AgentEvent.launch(FRAMEWORK, task));
  }

  /** LAUNCH for a framework whose {@code FrameworkInfo.user} is {@code frameworkUser}. */
  void launch(TaskInfo task, String frameworkUser) {
    send(AgentEvent.launch(FRAMEWORK, task, frameworkUser));
  }

  void kill(String taskId, double graceSeconds) {
    send(AgentEvent.kill(FRAMEWORK, TaskId.of(taskId), graceSeconds));
  }

  void acknowledge(TaskStatus status) {
    send(AgentEvent.acknowledge(FRAMEWORK, status.taskId(), status.uuid()));
  }

  void endStream() {
    HttpStream s = stream;
    if (s != null) {
      s.close();
    }
  }

  boolean streamOpen() {
    HttpStream s = stream;
    return s != null && s.isOpen();
  }

  List<AgentCall> calls(AgentCall.Type type) {
    return calls.stream().filter(c -> c.type() == type).toList();
  }

  /** Every UPDATE received for {@code taskId}, resends included, in arrival order. */
  List<TaskStatus> updates(String taskId) {
    return calls(AgentCall.Type.UPDATE).stream()
        .map(c -> c.update().status())
        .filter(s -> s.taskId().value().equals(taskId))
        .toList();
  }

  /** The distinct updates (by uuid) for {@code taskId}, in the order they first arrived. */
  List<TaskStatus> distinctUpdates(String taskId) {
    Map<String, TaskStatus> byUuid = new LinkedHashMap<>();
    updates(taskId).forEach(s -> byUuid.putIfAbsent(s.uuid(), s));
    return new ArrayList<>(byUuid.values());
  }

  List<TaskState> states(String taskId) {
    return distinctUpdates(taskId).stream().map(TaskStatus::state).toList();
  }

  TaskStatus last(String taskId) {
    List<TaskStatus> all = distinctUpdates(taskId);
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  static TaskInfo shellTask(String id, String command, List<Resource> extra) {
    List<Resource> resources = new ArrayList<>(List.of(Resource.scalar("cpus", 0.1), Resource.scalar("mem", 32)));
    resources.addAll(extra);
    return new TaskInfo(id, TaskId.of(id), null, resources, CommandInfo.shell(command), null, null, null);
  }

  static TaskInfo shellTask(String id, String command) {
    return shellTask(id, command, List.of());
  }

  /** Kills the process group of every task.pid under {@code dir}, should an agent have failed to. */
  static void killLeftovers(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path pidFile : files.filter(p -> p.getFileName().toString().equals("task.pid")).toList()) {
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        if (pid > 1 && Processes.groupAlive(pid)) {
          Processes.run("kill", "-KILL", "--", "-" + pid);
        }
      }
    }
  }
}
