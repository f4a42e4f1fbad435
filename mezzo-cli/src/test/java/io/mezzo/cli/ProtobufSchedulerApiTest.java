package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.ProtobufScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.Value;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scheduler written against Mesos 1.x with the published protobuf classes, speaking
 * {@code application/x-protobuf} both ways, runs a task's whole life on a real cluster (a master
 * and an agent as processes): subscribe, offers, launch, running, acknowledge, kill, killed,
 * acknowledge, teardown.
 */
class ProtobufSchedulerApiTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

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

  private static Resource scalar(String name, double value) {
    return Resource.newBuilder().setName(name).setType(Value.Type.SCALAR)
        .setScalar(Value.Scalar.newBuilder().setValue(value)).build();
  }

  @Test
  void protobufSchedulerLaunchesKillsAndAcknowledgesATask() {
    FrameworkInfo info = FrameworkInfo.newBuilder().setUser(io.mezzo.testkit.TestFramework.USER).setName("protobuf-e2e").addRoles("*")
        .addCapabilities(FrameworkInfo.Capability.newBuilder().setType(FrameworkInfo.Capability.Type.MULTI_ROLE))
        .build();
    try (ProtobufScheduler scheduler = ProtobufScheduler.subscribe(cluster.masterAddress(), info, WAIT)) {
      assertThat(scheduler.stream().header("Content-Type")).hasValue("application/x-protobuf");
      assertThat(scheduler.frameworkId().getValue()).isNotEmpty();

      Event offers = scheduler.await("OFFERS", e -> e.getType() == Event.Type.OFFERS, WAIT);
      Offer offer = offers.getOffers().getOffers(0);
      assertThat(offer.getFrameworkId()).isEqualTo(scheduler.frameworkId());
      assertThat(offer.getHostname()).isNotEmpty();
      assertThat(offer.getAllocationInfo().getRole()).isEqualTo("*");
      assertThat(offer.getResourcesList()).anySatisfy(r -> {
        assertThat(r.getName()).isEqualTo("ports");
        assertThat(r.getRanges().getRange(0).getBegin()).isGreaterThanOrEqualTo(31000L);
      });

      TaskID id = TaskID.newBuilder().setValue("proto-sleep-" + UUID.randomUUID().toString().substring(0, 8)).build();
      TaskInfo task = TaskInfo.newBuilder().setName("sleeper").setTaskId(id).setAgentId(offer.getAgentId())
          .addResources(scalar("cpus", 0.1)).addResources(scalar("mem", 32))
          .setCommand(CommandInfo.newBuilder().setShell(true).setValue("sleep 1000"))
          .build();
      int accepted = scheduler.send(Call.newBuilder().setType(Call.Type.ACCEPT).setAccept(Call.Accept.newBuilder()
          .addOfferIds(offer.getId())
          .addOperations(Offer.Operation.newBuilder().setType(Offer.Operation.Type.LAUNCH)
              .setLaunch(Offer.Operation.Launch.newBuilder().addTaskInfos(task)))
          .setFilters(Filters.newBuilder().setRefuseSeconds(1))));
      assertThat(accepted).isEqualTo(202);

      Set<ByteString> acknowledged = new HashSet<>();
      TaskStatus running = awaitAcknowledging(scheduler, id, TaskState.TASK_RUNNING, acknowledged);
      assertThat(running.getAgentId()).isEqualTo(offer.getAgentId());
      assertThat(running.getUuid().size()).isEqualTo(16);

      int killed = scheduler.send(Call.newBuilder().setType(Call.Type.KILL)
          .setKill(Call.Kill.newBuilder().setTaskId(id).setAgentId(offer.getAgentId())));
      assertThat(killed).isEqualTo(202);
      // the agent holds TASK_KILLED back until TASK_RUNNING is acknowledged: its arrival shows the ACK worked
      awaitAcknowledging(scheduler, id, TaskState.TASK_KILLED, acknowledged);
      await("the acknowledged terminal task is completed").atMost(WAIT).pollInterval(Duration.ofMillis(100))
          .until(() -> containsId(framework(scheduler.frameworkId().getValue()).path("completed_tasks"), id.getValue()));

      assertThat(scheduler.send(Call.newBuilder().setType(Call.Type.TEARDOWN))).isEqualTo(202);
      await("the stream ends on TEARDOWN").atMost(WAIT).until(() -> scheduler.stream().hasEnded());
      assertThat(scheduler.stream().failure()).isNull();
      assertThat(containsId(cluster.masterState().path("frameworks"), scheduler.frameworkId().getValue())).isFalse();
      assertThat(containsId(cluster.masterState().path("completed_frameworks"), scheduler.frameworkId().getValue()))
          .isTrue();
    }
    // the master parses with the protobuf runtime, never with the 3.5-generated code (CVE-2022-3171)
    assertThat(cluster.master().log()).doesNotContain("Vulnerable protobuf generated type");
  }

  @Test
  void declinedOfferComesBackOnReviveAndReconcileAnswersInProtobuf() {
    FrameworkInfo info = FrameworkInfo.newBuilder().setUser(io.mezzo.testkit.TestFramework.USER).setName("protobuf-revive").build();
    try (ProtobufScheduler scheduler = ProtobufScheduler.subscribe(cluster.masterAddress(), info, WAIT)) {
      Offer offer = scheduler.await("OFFERS", e -> e.getType() == Event.Type.OFFERS, WAIT).getOffers().getOffers(0);
      assertThat(scheduler.send(Call.newBuilder().setType(Call.Type.DECLINE).setDecline(Call.Decline.newBuilder()
          .addOfferIds(offer.getId()).setFilters(Filters.newBuilder().setRefuseSeconds(3600))))).isEqualTo(202);
      assertThat(scheduler.send(Call.newBuilder().setType(Call.Type.REVIVE))).isEqualTo(202);

      scheduler.await("OFFERS again after REVIVE", e -> e.getType() == Event.Type.OFFERS
          && !e.getOffers().getOffers(0).getId().equals(offer.getId())
          && e.getOffers().getOffers(0).getAgentId().equals(offer.getAgentId()), WAIT);

      TaskID unknown = TaskID.newBuilder().setValue("never-launched").build();
      assertThat(scheduler.send(Call.newBuilder().setType(Call.Type.RECONCILE).setReconcile(Call.Reconcile.newBuilder()
          .addTasks(Call.Reconcile.Task.newBuilder().setTaskId(unknown))))).isEqualTo(202);
      TaskStatus reconciled = scheduler.await("reconciliation of an unknown task", e -> e.getType() == Event.Type.UPDATE
          && e.getUpdate().getStatus().getTaskId().equals(unknown), WAIT).getUpdate().getStatus();
      assertThat(reconciled.getState()).isEqualTo(TaskState.TASK_LOST); // not PARTITION_AWARE
      assertThat(reconciled.getReason()).isEqualTo(TaskStatus.Reason.REASON_RECONCILIATION);
      assertThat(scheduler.send(Call.newBuilder().setType(Call.Type.TEARDOWN))).isEqualTo(202);
    }
  }

  /**
   * Waits for {@code state} of {@code task}, acknowledging every update of it that carries a uuid
   * on the way, as a scheduler must; returns that update.
   */
  private static TaskStatus awaitAcknowledging(ProtobufScheduler scheduler, TaskID task, TaskState state,
      Set<ByteString> acknowledged) {
    await(task.getValue() + " in " + state).atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
      for (Event e : scheduler.stream().events()) {
        TaskStatus s = e.getUpdate().getStatus();
        if (e.getType() == Event.Type.UPDATE && s.getTaskId().equals(task) && s.hasUuid()
            && acknowledged.add(s.getUuid())) {
          assertThat(scheduler.acknowledge(s)).isEqualTo(202);
        }
      }
      return find(scheduler, task, state).isPresent();
    });
    return find(scheduler, task, state).orElseThrow();
  }

  private static Optional<TaskStatus> find(ProtobufScheduler scheduler, TaskID task, TaskState state) {
    return scheduler.stream().events().stream()
        .filter(e -> e.getType() == Event.Type.UPDATE)
        .map(e -> e.getUpdate().getStatus())
        .filter(s -> s.getTaskId().equals(task) && s.getState() == state)
        .findFirst();
  }

  private static JsonNode framework(String id) {
    for (JsonNode f : cluster.masterState().path("frameworks")) {
      if (f.path("id").asText().equals(id)) {
        return f;
      }
    }
    throw new AssertionError("framework " + id + " not in /master/state");
  }

  private static boolean containsId(JsonNode list, String id) {
    for (JsonNode n : list) {
      if (n.path("id").asText().equals(id)) {
        return true;
      }
    }
    return false;
  }
}
