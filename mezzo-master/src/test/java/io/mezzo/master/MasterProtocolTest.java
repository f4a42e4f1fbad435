package io.mezzo.master;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.json.Json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.agentapi.AgentEvent;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.AgentInfo;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.core.scheduler.Call;
import io.mezzo.core.scheduler.Event;
import io.mezzo.core.scheduler.SchedulerClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master alone, on real sockets and a real (embedded) ZooKeeper, with the agent side played by
 * this test over the agent protocol: launches, status relay, acknowledgements, heartbeat timeouts.
 */
class MasterProtocolTest {
  @TempDir
  Path dir;

  Master master;
  final JsonClient http = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10));
  final List<AgentEvent> agentEvents = new CopyOnWriteArrayList<>();
  final List<Event> frameworkEvents = new CopyOnWriteArrayList<>();
  JsonClient.Subscription agentStream;

  @BeforeEach
  void start() {
    master = Master.start(new MasterConfig("127.0.0.1", 0, dir, null, "127.0.0.1", Duration.ofMillis(100), 3,
        Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(1)));
  }

  @AfterEach
  void stop() {
    if (agentStream != null) {
      agentStream.close();
    }
    master.close();
  }

  private URI agentApi() {
    return URI.create("http://127.0.0.1:" + master.port() + "/api/v1/agent");
  }

  private AgentId subscribeAgent(AgentId id) throws Exception {
    AgentInfo info = new AgentInfo(id, "127.0.0.1", 5051, Resources.parse("cpus:2;mem:1024;ports:[31000-31009]").toList());
    agentStream = http.subscribe(agentApi(), AgentCall.subscribe(info, List.of()), Map.of(), AgentEvent.class,
        agentEvents::add, cause -> { });
    assertThat(agentStream.isOpen()).as(agentStream.reply().body()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> agentEvents.stream().anyMatch(e -> e.type() == AgentEvent.Type.SUBSCRIBED));
    return agentEvents.stream().filter(e -> e.type() == AgentEvent.Type.SUBSCRIBED).findFirst().orElseThrow()
        .subscribed().agentId();
  }

  private void heartbeat(AgentId id) {
    http.post(agentApi(), AgentCall.heartbeat(id), Map.of()).join();
  }

  /** Heartbeats for {@code id} every 30 ms until closed, so that the agent stays reachable. */
  private AutoCloseable keepAlive(AgentId id) {
    java.util.concurrent.ScheduledExecutorService beats = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    beats.scheduleAtFixedRate(() -> heartbeat(id), 0, 30, java.util.concurrent.TimeUnit.MILLISECONDS);
    return () -> {
      beats.shutdownNow();
      beats.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    };
  }

  private SchedulerClient framework(boolean partitionAware) {
    List<FrameworkInfo.Capability> caps = partitionAware ? List.of(new FrameworkInfo.Capability("PARTITION_AWARE")) : List.of();
    return SchedulerClient.subscribe("127.0.0.1:" + master.port(),
        new FrameworkInfo("u", "test", null, 60.0, false, null, null, null, null, null, caps),
        frameworkEvents::add, cause -> { }, Duration.ofSeconds(10));
  }

  private Offer awaitOffer() {
    await().atMost(Duration.ofSeconds(10)).until(() -> frameworkEvents.stream().anyMatch(e -> e.type() == Event.Type.OFFERS));
    return frameworkEvents.stream().filter(e -> e.type() == Event.Type.OFFERS).findFirst().orElseThrow()
        .offers().offers().get(0);
  }

  @Test
  void launchIsRelayedToTheAgentAndUpdatesBackUntilAcknowledged() throws Exception {
    AgentId agent = subscribeAgent(null);
    try (AutoCloseable beats = keepAlive(agent); SchedulerClient fw = framework(false)) {
      Offer offer = awaitOffer();
      assertThat(offer.agentId()).isEqualTo(agent);
      assertThat(Resources.of(offer.resources())).isEqualTo(Resources.parse("cpus:2;mem:1024;ports:[31000-31009]"));
      TaskId task = new TaskId("t1");
      TaskInfo info = new TaskInfo("t1", task, agent, Resources.parse("cpus:1;mem:128").toList(),
          CommandInfo.shell("sleep 1"), null, null, null);
      assertThat(fw.send(Call.accept(fw.frameworkId(), List.of(offer.id()), List.of(info), 0.0)).join().status()).isEqualTo(202);

      await().atMost(Duration.ofSeconds(10)).until(() -> agentEvents.stream().anyMatch(e -> e.type() == AgentEvent.Type.LAUNCH));
      TaskStatus running = new TaskStatus(task, TaskState.TASK_RUNNING, null, TaskStatus.Source.SOURCE_EXECUTOR, null, agent,
          1.0, "dXVpZA==", null);
      assertThat(http.post(agentApi(), AgentCall.update(agent, fw.frameworkId(), running), Map.of()).join().status()).isEqualTo(202);

      await().atMost(Duration.ofSeconds(10)).until(() -> frameworkEvents.stream()
          .anyMatch(e -> e.type() == Event.Type.UPDATE && e.update().status().state() == TaskState.TASK_RUNNING));
      fw.acknowledge(frameworkEvents.stream().filter(e -> e.type() == Event.Type.UPDATE).findFirst().orElseThrow()
          .update().status()).join();
      await().atMost(Duration.ofSeconds(10)).until(() -> agentEvents.stream().anyMatch(e -> e.type() == AgentEvent.Type.ACKNOWLEDGE
          && e.acknowledge().uuid().equals("dXVpZA==")));
      // The unused part of the offer comes back, minus what the task holds.
      await().atMost(Duration.ofSeconds(10)).until(() -> frameworkEvents.stream().filter(e -> e.type() == Event.Type.OFFERS)
          .anyMatch(e -> Resources.of(e.offers().offers().get(0).resources()).scalar("cpus") == 1.0));
    }
  }

  @Test
  void silentAgentIsUnreachableAndItsTasksAreReported() throws Exception {
    AgentId agent = subscribeAgent(null);
    // The agent heartbeats until its task is launched, then falls silent.
    AutoCloseable beats = keepAlive(agent);
    try (SchedulerClient fw = framework(true)) {
      Offer offer = awaitOffer();
      TaskId task = new TaskId("t2");
      fw.send(Call.accept(fw.frameworkId(), List.of(offer.id()), List.of(new TaskInfo("t2", task, agent,
          Resources.parse("cpus:1").toList(), CommandInfo.shell("sleep 100"), null, null, null)), 0.0)).join();
      await().atMost(Duration.ofSeconds(10)).until(() -> agentEvents.stream().anyMatch(e -> e.type() == AgentEvent.Type.LAUNCH));
      beats.close();

      // No heartbeats: 3 x 100 ms later the agent is unreachable.
      await().atMost(Duration.ofSeconds(10)).until(() -> frameworkEvents.stream()
          .anyMatch(e -> e.type() == Event.Type.UPDATE && e.update().status().state() == TaskState.TASK_UNREACHABLE));
      assertThat(frameworkEvents).anyMatch(e -> e.type() == Event.Type.FAILURE);
      assertThat(frameworkEvents).anyMatch(e -> e.type() == Event.Type.RESCIND || e.type() == Event.Type.UPDATE);
      JsonClient.Reply late = http.post(agentApi(), AgentCall.heartbeat(agent), Map.of()).join();
      assertThat(late.status()).isEqualTo(404);
      assertThat(late.body()).contains("SUBSCRIBE");
    } finally {
      beats.close();
    }
  }

  @Test
  @SuppressWarnings("try") // the heartbeats run for the length of the try block
  void killUsesTheKillPolicyOfTheCallThenOfTheTask() throws Exception {
    AgentId agent = subscribeAgent(null);
    try (AutoCloseable beats = keepAlive(agent); SchedulerClient fw = framework(false)) {
      Offer offer = awaitOffer();
      TaskId task = new TaskId("patient");
      TaskInfo info = new TaskInfo("patient", task, agent, Resources.parse("cpus:1").toList(),
          CommandInfo.shell("sleep 100"), null, null, null,
          new TaskInfo.KillPolicy(new TaskInfo.DurationInfo(7_000_000_000L)));
      fw.send(Call.accept(fw.frameworkId(), List.of(offer.id()), List.of(info), 0.0)).join();
      await().atMost(Duration.ofSeconds(10)).until(() -> agentEvents.stream().anyMatch(e -> e.type() == AgentEvent.Type.LAUNCH));

      fw.send(Call.kill(fw.frameworkId(), task, agent)).join();
      fw.send(new Call(fw.frameworkId(), Call.Type.KILL, null, null, null, new Call.Kill(task, agent,
          new TaskInfo.KillPolicy(new TaskInfo.DurationInfo(500_000_000L))), null, null, null, null)).join();
      await().atMost(Duration.ofSeconds(10)).until(() -> kills().size() == 2);
      assertThat(kills()).containsExactly(7.0, 0.5);

      JsonClient.Reply bad = fw.send(new Call(fw.frameworkId(), Call.Type.KILL, null, null, null, new Call.Kill(task,
          agent, new TaskInfo.KillPolicy(new TaskInfo.DurationInfo(-1))), null, null, null, null)).join();
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.body()).contains("kill.kill_policy.grace_period.nanoseconds: -1");
    }
  }

  private List<Double> kills() {
    return agentEvents.stream().filter(e -> e.type() == AgentEvent.Type.KILL)
        .map(e -> e.kill().gracePeriodSeconds()).toList();
  }

  @Test
  @SuppressWarnings("try") // the heartbeats run for the length of the try block
  void dynamicReservationOutlivesAMasterRestart() throws Exception {
    AgentId agent = subscribeAgent(null);
    try (AutoCloseable beats = keepAlive(agent); SchedulerClient fw = SchedulerClient.subscribe("127.0.0.1:" + master.port(),
        new FrameworkInfo("u", "reserver", null, 60.0, false, "eng", null, null, null, null, List.of()),
        frameworkEvents::add, cause -> { }, Duration.ofSeconds(10))) {
      Offer offer = awaitOffer();
      Resources reserved = Resources.parse("cpus:1;mem:256").reserve("eng");
      Call.Operation op = new Call.Operation(Call.OperationType.RESERVE, null, null, new Call.Reserve(reserved.toList()),
          null);
      assertThat(fw.send(new Call(fw.frameworkId(), Call.Type.ACCEPT, null, new Call.Accept(List.of(offer.id()),
          List.of(op), new Call.Filters(0.0)), null, null, null, null, null, null)).join().status()).isEqualTo(202);
      await().atMost(Duration.ofSeconds(10)).until(() -> frameworkEvents.stream().filter(e -> e.type() == Event.Type.OFFERS)
          .flatMap(e -> e.offers().offers().stream())
          .anyMatch(o -> Resources.of(o.resources()).reservedTo("eng").scalar("cpus") == 1.0));
    }
    agentStream.close();
    agentStream = null;
    master.close();
    master = Master.start(new MasterConfig("127.0.0.1", 0, dir, null, "127.0.0.1", Duration.ofSeconds(5), 3,
        Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(1)));
    agentEvents.clear();
    subscribeAgent(agent);
    JsonNode slave = Json.MAPPER.readTree(http.get(URI.create("http://127.0.0.1:" + master.port() + "/master/state"))
        .join().body()).path("slaves").get(0);
    assertThat(slave.path("reserved_resources").path("eng").path("cpus").asDouble()).isEqualTo(1.0);
    assertThat(slave.path("unreserved_resources").path("cpus").asDouble()).isEqualTo(1.0);
  }

  @Test
  void heartbeatingAgentStaysActive() throws Exception {
    // 5 x 200 ms: a loaded machine's scheduling hiccups stay well inside the 1 s the master allows
    master.close();
    master = Master.start(new MasterConfig("127.0.0.1", 0, dir, null, "127.0.0.1", Duration.ofMillis(200), 5,
        Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(1)));
    AgentId agent = subscribeAgent(null);
    long until = System.nanoTime() + Duration.ofMillis(2500).toNanos();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
      heartbeat(agent);
      return System.nanoTime() > until;
    });
    assertThat(http.get(URI.create("http://127.0.0.1:" + master.port() + "/master/state")).join().body())
        .contains("\"activated_slaves\":1");
  }

  @Test
  void admittedAgentIsRememberedAcrossMasterRestart() throws Exception {
    AgentId agent = subscribeAgent(null);
    agentStream.close();
    agentStream = null;
    master.close();
    master = Master.start(new MasterConfig("127.0.0.1", 0, dir, null, "127.0.0.1", Duration.ofSeconds(5), 3,
        Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(1)));
    String state = http.get(URI.create("http://127.0.0.1:" + master.port() + "/master/state")).join().body();
    assertThat(state).contains(agent.value()).contains("\"deactivated_slaves\":1");
  }

  @Test
  void agentWithMalformedResourcesIsRefused() {
    JsonClient.Reply r = http.post(agentApi(), Map.of("type", "SUBSCRIBE", "subscribe", Map.of("agent_info",
        Map.of("hostname", "h", "port", 1, "resources", List.of(Map.of("name", "cpus", "type", "SCALAR",
            "scalar", Map.of("value", -1)))))), Map.of()).join();
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).contains("resources[0].scalar: -1.0");
  }
}
