package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.ProtobufScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.mesos.v1.Protos.CheckInfo;
import org.apache.mesos.v1.Protos.CheckStatusInfo;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.HealthCheck;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.Value;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Mesos protobuf scheduler gives a task a {@code health_check} and a {@code check} through a real
 * master and agent: it hears {@code healthy} and {@code check_status} in TASK_RUNNING updates, and the
 * kill of the task once its health checks fail, with the Mesos reason.
 */
class HealthCheckClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  MezzoCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void frameworkHearsHealthAndCheckResultsAndTheKillOfAnUnhealthyTask() {
    cluster = MezzoCluster.builder(dir).agents(1).start();
    FrameworkInfo info = FrameworkInfo.newBuilder().setUser(io.mezzo.testkit.TestFramework.USER).setName("health").build();
    try (ProtobufScheduler scheduler = ProtobufScheduler.subscribe(cluster.masterAddress(), info, WAIT)) {
      Offer offer = scheduler.await("OFFERS", e -> e.getType() == Event.Type.OFFERS, WAIT).getOffers().getOffers(0);
      TaskID id = TaskID.newBuilder().setValue("flaky").build();
      // The first probe that finds 'ok' passes and removes it; every later one fails. The 30 s grace
      // period covers probes that run before the task made the file.
      HealthCheck health = HealthCheck.newBuilder().setType(HealthCheck.Type.COMMAND)
          .setCommand(CommandInfo.newBuilder().setValue("if [ -f ok ]; then rm ok; else exit 1; fi"))
          .setDelaySeconds(0).setIntervalSeconds(0.2).setTimeoutSeconds(5).setConsecutiveFailures(2)
          .setGracePeriodSeconds(30).build();
      CheckInfo check = CheckInfo.newBuilder().setType(CheckInfo.Type.COMMAND)
          .setCommand(CheckInfo.Command.newBuilder().setCommand(CommandInfo.newBuilder().setValue("test -f ready")))
          .setDelaySeconds(0).setIntervalSeconds(0.2).setTimeoutSeconds(5).build();
      TaskInfo task = TaskInfo.newBuilder().setName("flaky").setTaskId(id).setAgentId(offer.getAgentId())
          .addResources(scalar("cpus", 0.1)).addResources(scalar("mem", 32))
          .setCommand(CommandInfo.newBuilder().setValue("touch ready ok; sleep 1000"))
          .setHealthCheck(health).setCheck(check).build();
      assertThat(scheduler.send(Call.newBuilder().setType(Call.Type.ACCEPT).setAccept(Call.Accept.newBuilder()
          .addOfferIds(offer.getId())
          .addOperations(Offer.Operation.newBuilder().setType(Offer.Operation.Type.LAUNCH)
              .setLaunch(Offer.Operation.Launch.newBuilder().addTaskInfos(task)))
          .setFilters(Filters.newBuilder().setRefuseSeconds(1))))).isEqualTo(202);

      Set<ByteString> acknowledged = new HashSet<>();
      await("flaky killed").atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
        acknowledgeAll(scheduler, id, acknowledged);
        return updates(scheduler, id).stream().anyMatch(s -> s.getState() == TaskState.TASK_KILLED);
      });

      List<TaskStatus> updates = updates(scheduler, id);
      // Health changes (check results may carry the last known health too, with the check reason).
      assertThat(updates).filteredOn(s -> s.hasHealthy()
              && s.getReason() == TaskStatus.Reason.REASON_TASK_HEALTH_CHECK_STATUS_UPDATED)
          .extracting(TaskStatus::getHealthy).startsWith(true, false);
      assertThat(updates).filteredOn(s -> s.hasHealthy() && !s.hasCheckStatus() && s.getState() == TaskState.TASK_RUNNING)
          .allSatisfy(s -> assertThat(s.getReason()).isEqualTo(TaskStatus.Reason.REASON_TASK_HEALTH_CHECK_STATUS_UPDATED));
      assertThat(updates).filteredOn(TaskStatus::hasCheckStatus).extracting(TaskStatus::getCheckStatus)
          .contains(CheckStatusInfo.newBuilder().setType(CheckInfo.Type.COMMAND)
              .setCommand(CheckStatusInfo.Command.newBuilder().setExitCode(0)).build());
      TaskStatus killed = updates.get(updates.size() - 1);
      assertThat(killed.getState()).isEqualTo(TaskState.TASK_KILLED);
      assertThat(killed.getReason()).isEqualTo(TaskStatus.Reason.REASON_TASK_HEALTH_CHECK_STATUS_UPDATED);
      assertThat(killed.getHealthy()).isFalse();
      assertThat(killed.getMessage()).startsWith("Task killed after 2 consecutive failed health checks");
      assertThat(scheduler.send(Call.newBuilder().setType(Call.Type.TEARDOWN))).isEqualTo(202);
    }
  }

  private static void acknowledgeAll(ProtobufScheduler scheduler, TaskID task, Set<ByteString> acknowledged) {
    for (TaskStatus s : updates(scheduler, task)) {
      if (s.hasUuid() && acknowledged.add(s.getUuid())) {
        assertThat(scheduler.acknowledge(s)).isEqualTo(202);
      }
    }
  }

  private static List<TaskStatus> updates(ProtobufScheduler scheduler, TaskID task) {
    return scheduler.stream().events().stream()
        .filter(e -> e.getType() == Event.Type.UPDATE)
        .map(e -> e.getUpdate().getStatus())
        .filter(s -> s.getTaskId().equals(task))
        .toList();
  }

  private static Resource scalar(String name, double value) {
    return Resource.newBuilder().setName(name).setType(Value.Type.SCALAR)
        .setScalar(Value.Scalar.newBuilder().setValue(value)).build();
  }
}
