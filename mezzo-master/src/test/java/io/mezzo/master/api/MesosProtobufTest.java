package io.mezzo.master.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.mezzo.core.http.HttpError;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.OfferId;
import io.mezzo.core.model.Resource;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.core.scheduler.Call;
import io.mezzo.core.scheduler.Event;
import com.google.protobuf.Descriptors.Descriptor;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.Value;
import org.apache.mesos.v1.scheduler.Protos;
import org.junit.jupiter.api.Test;

/**
 * The codec alone: protobuf calls read as Mezzo's {@link Call} records, every event Mezzo emits
 * encodes as the Mesos protobuf {@code Event} and reads back equal, operator API samples in the
 * Mesos shapes encode, and bad input is refused with a message naming the problem.
 */
class MesosProtobufTest {
  private static final Descriptor CALL = Protos.Call.getDescriptor();
  private static final Descriptor EVENT = Protos.Event.getDescriptor();

  private static Call read(Protos.Call call) {
    return Json.read(MesosProtobuf.toJson(CALL, call.toByteArray()), Call.class);
  }

  private static org.apache.mesos.v1.Protos.Resource.Builder scalar(String name, double value) {
    return org.apache.mesos.v1.Protos.Resource.newBuilder().setName(name).setType(Value.Type.SCALAR)
        .setScalar(Value.Scalar.newBuilder().setValue(value));
  }

  @Test
  void protobufSubscribeReadsAsTheMezzoCall() {
    Protos.Call subscribe = Protos.Call.newBuilder().setType(Protos.Call.Type.SUBSCRIBE)
        .setSubscribe(Protos.Call.Subscribe.newBuilder().setFrameworkInfo(FrameworkInfo.newBuilder()
            .setUser("alice").setName("proto-fw").addRoles("analytics").setFailoverTimeout(3600)
            .setCheckpoint(true).setPrincipal("p1")
            .addCapabilities(FrameworkInfo.Capability.newBuilder()
                .setType(FrameworkInfo.Capability.Type.MULTI_ROLE))))
        .build();

    Call call = read(subscribe);

    assertThat(call.type()).isEqualTo(Call.Type.SUBSCRIBE);
    var info = call.subscribe().frameworkInfo();
    assertThat(info.user()).isEqualTo("alice");
    assertThat(info.name()).isEqualTo("proto-fw");
    assertThat(info.roles()).containsExactly("analytics");
    assertThat(info.failoverTimeout()).isEqualTo(3600.0);
    assertThat(info.checkpoint()).isTrue();
    assertThat(info.principal()).isEqualTo("p1");
    assertThat(info.hasCapability("MULTI_ROLE")).isTrue();
    assertThat(info.id()).isNull();
  }

  @Test
  void protobufAcceptKeepsTasksResourcesRangesAndFilters() {
    TaskInfo task = TaskInfo.newBuilder().setName("web").setTaskId(TaskID.newBuilder().setValue("t1"))
        .setAgentId(AgentID.newBuilder().setValue("a1"))
        .addResources(scalar("cpus", 0.5))
        .addResources(org.apache.mesos.v1.Protos.Resource.newBuilder().setName("ports").setType(Value.Type.RANGES)
            .setRanges(Value.Ranges.newBuilder().addRange(Value.Range.newBuilder().setBegin(31000).setEnd(31001))))
        .setCommand(CommandInfo.newBuilder().setValue("sleep 30").setShell(true)
            .setEnvironment(org.apache.mesos.v1.Protos.Environment.newBuilder().addVariables(
                org.apache.mesos.v1.Protos.Environment.Variable.newBuilder().setName("A").setValue("b"))))
        .build();
    Protos.Call accept = Protos.Call.newBuilder().setType(Protos.Call.Type.ACCEPT)
        .setFrameworkId(FrameworkID.newBuilder().setValue("f1"))
        .setAccept(Protos.Call.Accept.newBuilder().addOfferIds(OfferID.newBuilder().setValue("o1"))
            .addOperations(org.apache.mesos.v1.Protos.Offer.Operation.newBuilder()
                .setType(org.apache.mesos.v1.Protos.Offer.Operation.Type.LAUNCH)
                .setLaunch(org.apache.mesos.v1.Protos.Offer.Operation.Launch.newBuilder().addTaskInfos(task)))
            .setFilters(Filters.newBuilder().setRefuseSeconds(7)))
        .build();

    Call call = read(accept);

    assertThat(call.frameworkId()).isEqualTo(new FrameworkId("f1"));
    assertThat(call.accept().offerIds()).containsExactly(new OfferId("o1"));
    assertThat(call.accept().filters().refuseSeconds()).isEqualTo(7.0);
    Call.Operation op = call.accept().operations().get(0);
    assertThat(op.type()).isEqualTo(Call.OperationType.LAUNCH);
    var launched = op.launch().taskInfos().get(0);
    assertThat(launched.taskId()).isEqualTo(new TaskId("t1"));
    assertThat(launched.agentId()).isEqualTo(new AgentId("a1"));
    assertThat(launched.resources()).containsExactly(
        new Resource("cpus", Resource.Type.SCALAR, new Resource.Scalar(0.5), null, null, null),
        new Resource("ports", Resource.Type.RANGES, null,
            new Resource.RangeList(List.of(new Resource.Range(31000, 31001))), null, null));
    assertThat(launched.command().value()).isEqualTo("sleep 30");
    assertThat(launched.command().environment().variables())
        .containsExactly(new io.mezzo.core.model.CommandInfo.Variable("A", "b"));
  }

  @Test
  void acknowledgeUuidBytesBecomeTheBase64TextTheAgentGaveOut() {
    byte[] uuid = new byte[16];
    for (int i = 0; i < uuid.length; i++) {
      uuid[i] = (byte) (i * 37 - 100);
    }
    Protos.Call ack = Protos.Call.newBuilder().setType(Protos.Call.Type.ACKNOWLEDGE)
        .setFrameworkId(FrameworkID.newBuilder().setValue("f1"))
        .setAcknowledge(Protos.Call.Acknowledge.newBuilder().setAgentId(AgentID.newBuilder().setValue("a1"))
            .setTaskId(TaskID.newBuilder().setValue("t1")).setUuid(ByteString.copyFrom(uuid)))
        .build();

    Call call = read(ack);

    assertThat(call.acknowledge().uuid()).isEqualTo(Base64.getEncoder().encodeToString(uuid));
    assertThat(call.acknowledge().taskId()).isEqualTo(new TaskId("t1"));
    assertThat(call.acknowledge().agentId()).isEqualTo(new AgentId("a1"));
  }

  @Test
  void killReconcileReviveAndTeardownRead() {
    FrameworkID f = FrameworkID.newBuilder().setValue("f1").build();
    assertThat(read(Protos.Call.newBuilder().setType(Protos.Call.Type.KILL).setFrameworkId(f)
        .setKill(Protos.Call.Kill.newBuilder().setTaskId(TaskID.newBuilder().setValue("t1"))).build())
        .kill().taskId()).isEqualTo(new TaskId("t1"));
    assertThat(read(Protos.Call.newBuilder().setType(Protos.Call.Type.RECONCILE).setFrameworkId(f)
        .setReconcile(Protos.Call.Reconcile.newBuilder().addTasks(Protos.Call.Reconcile.Task.newBuilder()
            .setTaskId(TaskID.newBuilder().setValue("t2")))).build())
        .reconcile().tasks().get(0).taskId()).isEqualTo(new TaskId("t2"));
    assertThat(read(Protos.Call.newBuilder().setType(Protos.Call.Type.REVIVE).setFrameworkId(f)
        .setRevive(Protos.Call.Revive.newBuilder().addRoles("r")).build()).revive().roles()).containsExactly("r");
    assertThat(read(Protos.Call.newBuilder().setType(Protos.Call.Type.TEARDOWN).setFrameworkId(f).build()))
        .isEqualTo(Call.of(new FrameworkId("f1"), Call.Type.TEARDOWN));
  }

  /** Every event Mezzo's master emits today, with every field it fills. */
  static List<Event> everyEventMezzoEmits() {
    AgentId agent = new AgentId("agent-1");
    Offer offer = new Offer(new OfferId("o-1"), new FrameworkId("f-1"), agent, "host-1.example",
        List.of(Resource.scalar("cpus", 1.5), Resource.scalar("mem", 512),
            Resource.ranges("ports", List.of(new Resource.Range(31000, 31009), new Resource.Range(31100, 31100))),
            new Resource("disks", Resource.Type.SET, null, null, new Resource.ItemSet(List.of("sda", "sdb")), "*")),
        new Offer.AllocationInfo("analytics"));
    String uuid = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        (byte) 0xff});
    TaskStatus running = new TaskStatus(new TaskId("t-1"), TaskState.TASK_RUNNING, "started",
        TaskStatus.Source.SOURCE_EXECUTOR, null, agent, 1_790_000_000.25, uuid, true);
    TaskStatus lost = new TaskStatus(new TaskId("t-2"), TaskState.TASK_LOST, "agent removed",
        TaskStatus.Source.SOURCE_MASTER, "REASON_AGENT_REMOVED", agent, 1_790_000_001.0, null, null);
    return List.of(
        Event.subscribed(new FrameworkId("f-1"), 15),
        Event.offers(List.of(offer)),
        Event.rescind(new OfferId("o-1")),
        Event.update(running),
        Event.update(lost),
        Event.failure(agent),
        Event.error("Framework failed over"),
        Event.heartbeat());
  }

  @Test
  void everyEventMezzoEmitsEncodesAsTheMesosEventWithNoFieldLost() throws Exception {
    for (Event event : everyEventMezzoEmits()) {
      byte[] protobuf = MesosProtobuf.fromJson(EVENT, Json.write(event));
      Protos.Event parsed = Protos.Event.parseFrom(protobuf); // fails on a missing required field

      assertThat(parsed.getType().name()).isEqualTo(event.type().name());
      Event back = Json.read(MesosProtobuf.toJson(EVENT, protobuf), Event.class);
      assertThat(back).as(event.type().name()).isEqualTo(event);
    }
  }

  @Test
  void updateCarriesTheUuidAsRawBytesAndTheStateAsTheMesosEnum() throws Exception {
    Event update = everyEventMezzoEmits().get(3);
    Protos.Event parsed = Protos.Event.parseFrom(MesosProtobuf.fromJson(EVENT, Json.write(update)));

    var status = parsed.getUpdate().getStatus();
    assertThat(status.getState()).isEqualTo(org.apache.mesos.v1.Protos.TaskState.TASK_RUNNING);
    assertThat(status.getUuid().toByteArray()).isEqualTo(Base64.getDecoder().decode(update.update().status().uuid()));
    assertThat(status.getAgentId().getValue()).isEqualTo("agent-1");
    assertThat(status.getHealthy()).isTrue();
  }

  @Test
  void offersCarryHostnameRangesAndAllocationRole() throws Exception {
    Protos.Event parsed = Protos.Event.parseFrom(
        MesosProtobuf.fromJson(EVENT, Json.write(everyEventMezzoEmits().get(1))));

    var offer = parsed.getOffers().getOffers(0);
    assertThat(offer.getHostname()).isEqualTo("host-1.example");
    assertThat(offer.getAllocationInfo().getRole()).isEqualTo("analytics");
    var ports = offer.getResourcesList().stream().filter(r -> r.getName().equals("ports")).findFirst().orElseThrow();
    assertThat(ports.getRanges().getRange(0).getBegin()).isEqualTo(31000L);
    assertThat(ports.getRanges().getRange(0).getEnd()).isEqualTo(31009L);
  }

  @Test
  void bytesThatAreNotACallAreABadRequestNamingTheMessage() {
    assertThatThrownBy(() -> MesosProtobuf.toJson(CALL, "x".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageStartingWith("body: not a mesos.v1.scheduler.Call protobuf message");
  }

  @Test
  void aCallMissingARequiredFieldIsABadRequest() {
    // framework_info.user and .name are required: an empty FrameworkInfo must not get through
    byte[] partial = Protos.Call.newBuilder().setType(Protos.Call.Type.SUBSCRIBE)
        .setSubscribe(Protos.Call.Subscribe.newBuilder().setFrameworkInfo(FrameworkInfo.newBuilder().buildPartial())
            .buildPartial())
        .buildPartial().toByteArray();

    assertThatThrownBy(() -> MesosProtobuf.toJson(CALL, partial))
        .isInstanceOf(HttpError.class)
        .hasMessageContaining("subscribe.framework_info.user");
  }

  @Test
  void jsonLackingARequiredFieldIsRefusedNamingIt() {
    byte[] json = "{\"type\":\"UPDATE\",\"update\":{\"status\":{\"task_id\":{\"value\":\"t\"}}}}"
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> MesosProtobuf.fromJson(EVENT, json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mesos.v1.scheduler.Event").hasMessageContaining("required fields: state");
  }

  @Test
  void jsonThatDoesNotFitIsRefusedNamingTheMessage() {
    assertThatThrownBy(() -> MesosProtobuf.fromJson(EVENT, "{\"type\":".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("JSON does not fit mesos.v1.scheduler.Event");
    assertThatThrownBy(() -> MesosProtobuf.fromJson(EVENT,
        "{\"type\":\"SUBSCRIBED\",\"subscribed\":{\"framework_id\":{\"value\":\"f\"},\"heartbeat_interval_seconds\":\"soon\"}}"
            .getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("soon");
  }
}
