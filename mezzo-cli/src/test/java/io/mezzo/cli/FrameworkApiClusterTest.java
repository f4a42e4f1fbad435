package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.core.scheduler.Call;
import io.mezzo.core.scheduler.Event;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.TestFramework;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The framework API beyond launching one task, on a real cluster (a master and two agents as
 * processes): offer timeout and RESCIND, failover timeout, reconciliation, partition awareness
 * (the agent is frozen with SIGSTOP, so its heartbeats stop while its sockets stay open), task
 * groups, SHUTDOWN and master detection.
 */
class FrameworkApiClusterTest {
  private static final Duration TASK_TIMEOUT = Duration.ofSeconds(30);
  private static final Resources SMALL = Resources.parse("cpus:0.1;mem:32");

  @TempDir
  static Path dir;

  static MezzoCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = MezzoCluster.builder(dir).agents(2).masterOption("--offer-timeout", "1500ms").start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static TaskId newTaskId(String name) {
    return new TaskId(name + "-" + UUID.randomUUID().toString().substring(0, 8));
  }

  @Test
  void unusedOfferIsRescindedAfterTheOfferTimeoutAndOfferedAgain() {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "hoarder", false)) {
      Offer first = fw.awaitOffer();
      await("RESCIND of " + first.id()).atMost(Duration.ofSeconds(20))
          .until(() -> fw.events().stream().anyMatch(e -> e.type() == Event.Type.RESCIND
              && e.rescind().offerId().equals(first.id())));
      Offer again = fw.awaitOffer(o -> o.agentId().equals(first.agentId()) && !o.id().equals(first.id()));
      assertThat(Resources.of(again.resources()).scalar("cpus")).isEqualTo(Resources.of(first.resources()).scalar("cpus"));
      // A rescinded offer can no longer be used.
      TaskId late = newTaskId("late");
      fw.launch(first, late, "true", SMALL);
      assertThat(fw.awaitState(late, TaskState.TASK_LOST, TASK_TIMEOUT).reason()).isEqualTo("REASON_INVALID_OFFERS");
    }
  }

  @Test
  void frameworkThatResubscribesWithinItsFailoverTimeoutKeepsItsTasks() {
    TestFramework first = TestFramework.subscribe(cluster.masterAddress(),
        TestFramework.info("phoenix", null, 300, "PARTITION_AWARE"));
    FrameworkId id = first.id();
    TaskId task = newTaskId("kept");
    first.launch(first.awaitOffer(), task, "sleep 1000", SMALL);
    first.awaitState(task, TaskState.TASK_RUNNING, TASK_TIMEOUT);
    first.disconnect();
    await("framework disconnected").atMost(Duration.ofSeconds(10))
        .until(() -> !frameworkState(id).path("connected").asBoolean(true));

    try (TestFramework again = TestFramework.subscribe(cluster.masterAddress(),
        TestFramework.info("phoenix", id, 300, "PARTITION_AWARE"))) {
      assertThat(again.id()).isEqualTo(id);
      again.send(Call.reconcile(id, List.of()));
      TaskStatus status = again.awaitState(task, TaskState.TASK_RUNNING, TASK_TIMEOUT);
      assertThat(status.reason()).isEqualTo("REASON_RECONCILIATION");
      assertThat(frameworkState(id).path("tasks")).hasSize(1);
    }
  }

  @Test
  void frameworkPastItsFailoverTimeoutLosesItsTasksAndFreesItsResources() throws Exception {
    TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), TestFramework.info("mayfly", null, 1));
    FrameworkId id = fw.id();
    Offer offer = fw.awaitOffer();
    TaskId task = newTaskId("orphan");
    fw.launch(offer, task, "sleep 1000", SMALL);
    fw.awaitState(task, TaskState.TASK_RUNNING, TASK_TIMEOUT);
    long pid = taskPid(task);
    fw.disconnect();

    await("framework removed after its failover timeout").atMost(Duration.ofSeconds(30)).until(() -> {
      for (JsonNode f : cluster.masterState().path("completed_frameworks")) {
        if (f.path("id").asText().equals(id.value())) {
          return true;
        }
      }
      return false;
    });
    await("task process killed").atMost(Duration.ofSeconds(30)).until(() -> !KernelClusterTest.groupAlive(pid));
    await("resources freed").atMost(Duration.ofSeconds(30))
        .until(() -> agentState(offer.agentId()).path("used_resources").path("cpus").asDouble() == 0.0);
    // A removed framework cannot come back under its old id.
    FrameworkInfo stale = TestFramework.info("mayfly", id, 1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestFramework.subscribe(cluster.masterAddress(), stale))
        .hasMessageContaining("403");
  }

  @Test
  void reconciliationAnswersWithTheMastersLatestKnownState() {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "reconciler", false);
        TestFramework aware = TestFramework.subscribe(cluster.masterAddress(), "aware-reconciler", true)) {
      TaskId running = newTaskId("running");
      Offer offer = fw.awaitOffer();
      fw.launch(offer, running, "sleep 1000", SMALL);
      fw.awaitState(running, TaskState.TASK_RUNNING, TASK_TIMEOUT);
      TaskId ghost = newTaskId("ghost");

      // Explicit: the listed tasks only, unknown ones as TASK_LOST (TASK_UNKNOWN for partition-aware).
      fw.send(Call.reconcile(fw.id(), List.of(new Call.ReconcileTask(running, offer.agentId()),
          new Call.ReconcileTask(ghost, offer.agentId()))));
      assertThat(fw.awaitState(ghost, TaskState.TASK_LOST, TASK_TIMEOUT).reason()).isEqualTo("REASON_RECONCILIATION");
      await().atMost(TASK_TIMEOUT).until(() -> reconciled(fw, running) == 1);
      aware.send(Call.reconcile(aware.id(), List.of(new Call.ReconcileTask(ghost, null))));
      assertThat(aware.awaitState(ghost, TaskState.TASK_UNKNOWN, TASK_TIMEOUT).source())
          .isEqualTo(TaskStatus.Source.SOURCE_MASTER);

      // Implicit: every task the master knows for the framework.
      fw.send(Call.reconcile(fw.id(), List.of()));
      await().atMost(TASK_TIMEOUT).until(() -> reconciled(fw, running) == 2);
      assertThat(fw.updates(running).get(fw.updates(running).size() - 1).state()).isEqualTo(TaskState.TASK_RUNNING);
    }
  }

  @Test
  void partitionedAgentsTasksAreUnreachableForAwareFrameworksAndRunningAgainWhenItReturns() throws Exception {
    try (TestFramework aware = TestFramework.subscribe(cluster.masterAddress(), "aware", true);
        TestFramework plain = TestFramework.subscribe(cluster.masterAddress(), "plain", false)) {
      Offer offer = aware.awaitOffer();
      TaskId awareTask = newTaskId("aware");
      aware.launch(offer, awareTask, "sleep 1000", SMALL);
      aware.awaitState(awareTask, TaskState.TASK_RUNNING, TASK_TIMEOUT);
      aware.declineAll(0);
      Offer plainOffer = plain.awaitOffer(o -> o.agentId().equals(offer.agentId()));
      TaskId plainTask = newTaskId("plain");
      plain.launch(plainOffer, plainTask, "sleep 1000", SMALL);
      plain.awaitState(plainTask, TaskState.TASK_RUNNING, TASK_TIMEOUT);
      long plainPid = taskPid(plainTask);

      MezzoCluster.Node agent = agentNode(offer.agentId());
      agent.pause();
      try {
        assertThat(aware.awaitState(awareTask, TaskState.TASK_UNREACHABLE, TASK_TIMEOUT).reason())
            .isEqualTo("REASON_AGENT_REMOVED");
        plain.awaitState(plainTask, TaskState.TASK_LOST, TASK_TIMEOUT);
      } finally {
        agent.resume();
      }

      TaskStatus back = aware.awaitState(awareTask, TaskState.TASK_RUNNING, TASK_TIMEOUT);
      await("TASK_RUNNING after the partition").atMost(TASK_TIMEOUT)
          .until(() -> aware.states(awareTask).lastIndexOf(TaskState.TASK_RUNNING)
              > aware.states(awareTask).indexOf(TaskState.TASK_UNREACHABLE));
      List<TaskStatus> updates = aware.updates(awareTask);
      assertThat(updates.get(updates.size() - 1).reason()).isEqualTo("REASON_AGENT_REREGISTERED");
      assertThat(back.state()).isEqualTo(TaskState.TASK_RUNNING);
      // The framework that was told TASK_LOST must not find its task alive: the master kills it.
      await("non-partition-aware task killed on return").atMost(TASK_TIMEOUT)
          .until(() -> !KernelClusterTest.groupAlive(plainPid));
    }
  }

  @Test
  void taskGroupRunsOnOneAgentAndAFailedTaskKillsTheRest() {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "grouper", false)) {
      Offer offer = fw.awaitOffer();
      TaskId steady = newTaskId("steady");
      TaskId crash = newTaskId("crash");
      int status = fw.send(launchGroup(fw.id(), offer, "executor-" + steady.value(),
          task(steady, "sleep 1000"), task(crash, "sleep 1; exit 2")));
      assertThat(status).isEqualTo(202);

      assertThat(fw.awaitState(steady, TaskState.TASK_RUNNING, TASK_TIMEOUT).agentId()).isEqualTo(offer.agentId());
      fw.awaitState(crash, TaskState.TASK_FAILED, TASK_TIMEOUT);
      fw.awaitState(steady, TaskState.TASK_KILLED, TASK_TIMEOUT);
      await("group's resources freed").atMost(TASK_TIMEOUT)
          .until(() -> agentState(offer.agentId()).path("used_resources").path("cpus").asDouble() == 0.0);
    }
  }

  @Test
  void invalidTaskGroupLaunchesNoneOfItsTasks() {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "bad-grouper", false)) {
      Offer offer = fw.awaitOffer();
      TaskId good = newTaskId("good");
      TaskId bad = newTaskId("bad");
      TaskInfo noCommand = new TaskInfo(bad.value(), bad, null, SMALL.toList(), null, null, null, null);
      fw.send(launchGroup(fw.id(), offer, "executor-" + good.value(), task(good, "sleep 1000"), noCommand));
      assertThat(fw.awaitState(good, TaskState.TASK_ERROR, TASK_TIMEOUT).message()).contains("command.value");
      assertThat(fw.awaitState(bad, TaskState.TASK_ERROR, TASK_TIMEOUT).reason()).isEqualTo("REASON_TASK_GROUP_INVALID");
    }
  }

  @Test
  void shutdownOfATaskGroupsExecutorKillsItsTasks() {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "shutter", false)) {
      Offer offer = fw.awaitOffer();
      TaskId a = newTaskId("a");
      TaskId b = newTaskId("b");
      String executor = "executor-" + a.value();
      fw.send(launchGroup(fw.id(), offer, executor, task(a, "sleep 1000"), task(b, "sleep 1000")));
      fw.awaitState(a, TaskState.TASK_RUNNING, TASK_TIMEOUT);
      fw.awaitState(b, TaskState.TASK_RUNNING, TASK_TIMEOUT);

      Call shutdown = new Call(fw.id(), Call.Type.SHUTDOWN, null, null, null, null, null, null, null, null,
          new Call.Shutdown(new Call.ExecutorId(executor), offer.agentId()), null);
      assertThat(fw.send(shutdown)).isEqualTo(202);
      fw.awaitState(a, TaskState.TASK_KILLED, TASK_TIMEOUT);
      fw.awaitState(b, TaskState.TASK_KILLED, TASK_TIMEOUT);
      Call unknown = new Call(fw.id(), Call.Type.SHUTDOWN, null, null, null, null, null, null, null, null,
          new Call.Shutdown(new Call.ExecutorId("no-such-executor"), null), null);
      assertThat(fw.send(unknown)).isEqualTo(404);
    }
  }

  @Test
  void getOnTheSchedulerEndpointRedirectsToTheLeadingMaster() throws Exception {
    HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    HttpResponse<String> res = client.send(HttpRequest.newBuilder(
        URI.create("http://" + cluster.masterAddress() + "/api/v1/scheduler")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).isEqualTo(307);
    assertThat(res.headers().firstValue("Location")).hasValue("//" + cluster.masterAddress() + "/api/v1/scheduler");
    HttpResponse<String> redirect = client.send(HttpRequest.newBuilder(
        URI.create("http://" + cluster.masterAddress() + "/master/redirect")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(redirect.statusCode()).isEqualTo(307);
    assertThat(redirect.headers().firstValue("Location")).hasValue("//" + cluster.masterAddress());
  }

  // ---------------------------------------------------------------- helpers

  private static TaskInfo task(TaskId id, String command) {
    return new TaskInfo(id.value(), id, null, SMALL.toList(), CommandInfo.shell(command), null, null, null);
  }

  private static Call launchGroup(FrameworkId fw, Offer offer, String executorId, TaskInfo... tasks) {
    Call.ExecutorInfo executor = new Call.ExecutorInfo("DEFAULT", new Call.ExecutorId(executorId), fw,
        SMALL.toList());
    Call.Operation op = new Call.Operation(Call.OperationType.LAUNCH_GROUP, null,
        new Call.LaunchGroup(executor, new Call.TaskGroup(List.of(tasks))), null, null);
    return new Call(fw, Call.Type.ACCEPT, null,
        new Call.Accept(List.of(offer.id()), List.of(op), new Call.Filters(0.0)), null, null, null, null, null, null);
  }

  private static long reconciled(TestFramework fw, TaskId task) {
    return fw.updates(task).stream().filter(s -> "REASON_RECONCILIATION".equals(s.reason())).count();
  }

  private static JsonNode frameworkState(FrameworkId id) {
    for (JsonNode f : cluster.masterState().path("frameworks")) {
      if (f.path("id").asText().equals(id.value())) {
        return f;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  private static JsonNode agentState(AgentId id) {
    for (JsonNode s : cluster.masterState().path("slaves")) {
      if (s.path("id").asText().equals(id.value())) {
        return s;
      }
    }
    throw new AssertionError("no agent " + id + " in master state");
  }

  private static MezzoCluster.Node agentNode(AgentId id) {
    int port = agentState(id).path("port").asInt();
    for (String name : new String[] {"agent-1", "agent-2"}) {
      if (cluster.node(name).port() == port) {
        return cluster.node(name);
      }
    }
    throw new AssertionError("no agent process for " + id);
  }

  private static long taskPid(TaskId task) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      Path pidFile = files.filter(p -> p.endsWith("task.pid") && p.toString().contains("/tasks/" + task.value() + "/"))
          .findFirst().orElseThrow(() -> new AssertionError("no task.pid for " + task));
      return Long.parseLong(Files.readString(pidFile).trim());
    }
  }
}
