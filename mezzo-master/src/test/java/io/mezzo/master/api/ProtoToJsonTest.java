package io.mezzo.master.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.mezzo.core.json.Json;
import java.nio.charset.StandardCharsets;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Task;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.Value;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.Test;

/**
 * {@link ProtoToJson} prints JSON that protobuf's own {@code JsonFormat} reads back into the same
 * message (the oracle), with 64-bit integers as plain numbers, and prints what Mezzo's calls read.
 */
class ProtoToJsonTest {
  private static void assertRoundTrips(Message message) throws Exception {
    DynamicMessage dynamic = DynamicMessage.parseFrom(message.getDescriptorForType(), message.toByteArray());
    String json = new String(ProtoToJson.print(dynamic), StandardCharsets.UTF_8);

    DynamicMessage.Builder back = DynamicMessage.newBuilder(message.getDescriptorForType());
    JsonFormat.parser().merge(json, back);
    assertThat(back.build()).as(json).isEqualTo(dynamic);
    assertThat(Json.MAPPER.readTree(json))
        .isEqualTo(Json.MAPPER.readTree(JsonFormat.printer().preservingProtoFieldNames().print(dynamic)
            .replaceAll("\"(-?[0-9]+)\"", "$1"))); // JsonFormat quotes 64-bit integers
  }

  @Test
  void printsWhatJsonFormatReadsBackWithEveryKindOfField() throws Exception {
    Task task = Task.newBuilder().setName("t").setTaskId(TaskID.newBuilder().setValue("t1"))
        .setFrameworkId(FrameworkID.newBuilder().setValue("f1")).setAgentId(AgentID.newBuilder().setValue("a1"))
        .setState(TaskState.TASK_RUNNING)
        .addResources(Resource.newBuilder().setName("ports").setType(Value.Type.RANGES)
            .setRanges(Value.Ranges.newBuilder()
                .addRange(Value.Range.newBuilder().setBegin(31000).setEnd(-1)))) // uint64 max
        .addStatuses(TaskStatus.newBuilder().setTaskId(TaskID.newBuilder().setValue("t1"))
            .setState(TaskState.TASK_RUNNING).setTimestamp(1.7900000005E9).setHealthy(false)
            .setUuid(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1}))
            .setContainerStatus(org.apache.mesos.v1.Protos.ContainerStatus.newBuilder().setExecutorPid(-2)))
        .putLimits("cpus", Value.Scalar.newBuilder().setValue(2.5).build())
        .build();
    assertRoundTrips(task);
    assertRoundTrips(Event.newBuilder().setType(Event.Type.FAILURE).setFailure(Event.Failure.newBuilder()
        .setAgentId(AgentID.newBuilder().setValue("a")).setStatus(-1)).build());
    assertRoundTrips(Event.newBuilder().setType(Event.Type.HEARTBEAT).build());
  }

  @Test
  void sixtyFourBitIntegersArePlainNumbersEvenAboveTheSignedRange() throws Exception {
    Value.Range range = Value.Range.newBuilder().setBegin(31000).setEnd(-1).build();
    String json = new String(ProtoToJson.print(DynamicMessage.parseFrom(Value.Range.getDescriptor(),
        range.toByteArray())), StandardCharsets.UTF_8);
    assertThat(json).isEqualTo("{\"begin\":31000,\"end\":18446744073709551615}");
  }
}
