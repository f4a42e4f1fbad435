package io.mezzo.master.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import io.mezzo.core.json.Json;
import io.mezzo.core.scheduler.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.mesos.v1.Protos.Task;
import org.apache.mesos.v1.Protos.Value;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonToProto} writes what {@code JsonFormat} reads from the same JSON (used here as the
 * oracle), including the corners: 64-bit integers as strings, uint64 above the signed range, enums
 * by number, maps, url-safe base64, and skips what {@code ignoringUnknownFields} skips.
 */
class JsonToProtoTest {
  private static final Descriptor SCHEDULER_EVENT = org.apache.mesos.v1.scheduler.Protos.Event.getDescriptor();
  private static final Descriptor MASTER_EVENT = org.apache.mesos.v1.master.Protos.Event.getDescriptor();
  private static final Descriptor TASK = Task.getDescriptor();

  private static DynamicMessage oracle(Descriptor type, String json) throws Exception {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
    JsonFormat.parser().ignoringUnknownFields().merge(json, b);
    return b.buildPartial();
  }

  private static DynamicMessage ours(Descriptor type, String json) throws Exception {
    return DynamicMessage.parseFrom(type, MesosProtobuf.fromJson(type, json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void readsEveryMezzoEventAndOperatorSampleAsJsonFormatDoes() throws Exception {
    List<String> scheduler = new ArrayList<>();
    for (Event e : MesosProtobufTest.everyEventMezzoEmits()) {
      scheduler.add(Json.writeString(e));
    }
    scheduler.add("{\"type\":\"FAILURE\",\"failure\":{\"agent_id\":{\"value\":\"a\"},\"status\":-1}}");
    scheduler.add("{\"type\":\"MESSAGE\",\"message\":{\"agent_id\":{\"value\":\"a\"},"
        + "\"executor_id\":{\"value\":\"" + "e".repeat(300) + "\"},\"data\":\"" + "QUJD".repeat(5000) + "\"}}");
    for (String json : scheduler) {
      assertThat(ours(SCHEDULER_EVENT, json)).as(json).isEqualTo(oracle(SCHEDULER_EVENT, json));
    }
    String taskAdded = "{\"type\":\"TASK_ADDED\",\"task_added\":{\"task\":" + OperatorProtobufTest.TASK + "}}";
    assertThat(ours(MASTER_EVENT, taskAdded)).isEqualTo(oracle(MASTER_EVENT, taskAdded));
  }

  @Test
  void readsTheCornersOfTheMappingAsJsonFormatDoes() throws Exception {
    String json = """
        {"name":"t","task_id":{"value":"t"},"framework_id":{"value":"f"},"agent_id":{"value":"a"},
         "state":1, "status_update_state":"TASK_NOT_A_STATE", "unknown_field":[1,2,{"x":null}],
         "user":null, "status_update_uuid":"_-8=",
         "resources":[{"name":"ports","type":"RANGES","ranges":{"range":[
            {"begin":"18446744073709551615","end":18446744073709551615},{"begin":"1","end":2}]}},
           {"name":"cpus","type":"SCALAR","scalar":{"value":"1.5"}}],
         "statuses":[{"task_id":{"value":"t"},"state":"TASK_RUNNING","timestamp":1e9,"healthy":false,
           "container_status":{"executor_pid":4294967295}}],
         "limits":{"cpus":{"value":2.0},"mem":{"value":64}}}""";

    DynamicMessage message = ours(TASK, json);

    assertThat(message).isEqualTo(oracle(TASK, json));
    Task task = Task.parseFrom(message.toByteArray());
    assertThat(task.getState()).isEqualTo(org.apache.mesos.v1.Protos.TaskState.TASK_RUNNING);
    assertThat(task.hasStatusUpdateState()).isFalse();
    assertThat(task.getResources(0).getRanges().getRange(0).getBegin()).isEqualTo(-1L); // 2^64 - 1, unsigned
    assertThat(task.getLimitsMap()).containsEntry("mem", Value.Scalar.newBuilder().setValue(64).build());
    assertThat(task.getStatusUpdateUuid().toByteArray()).containsExactly(0xff, 0xef);
  }

  @Test
  void aValueOfTheWrongKindIsRefusedNamingItsPath() {
    assertThatThrownBy(() -> ours(SCHEDULER_EVENT,
        "{\"type\":\"SUBSCRIBED\",\"subscribed\":{\"framework_id\":{\"value\":\"f\"},\"heartbeat_interval_seconds\":\"soon\"}}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("subscribed.heartbeat_interval_seconds: 'soon' (expected: a double)");
    assertThatThrownBy(() -> ours(SCHEDULER_EVENT, "{\"type\":\"OFFERS\",\"offers\":{\"offers\":{}}}"))
        .hasMessageContaining("offers.offers: OBJECT (expected: an array)");
    assertThatThrownBy(() -> ours(SCHEDULER_EVENT, "{\"type\":\"ERROR\",\"error\":{\"message\":7}}"))
        .hasMessageContaining("error.message: NUMBER '7' (expected: a string)");
    assertThatThrownBy(() -> ours(SCHEDULER_EVENT, "[1]"))
        .hasMessageContaining("body: ARRAY (expected: an object)");
  }

  @Test
  void missingRequiredFieldsAreNamedWithTheirPath() {
    assertThatThrownBy(() -> ours(SCHEDULER_EVENT,
        "{\"type\":\"UPDATE\",\"update\":{\"status\":{\"task_id\":{\"value\":\"t\"}}}}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mesos.v1.scheduler.Event: required field(s) missing: [update.status.state] (expected: present)");
  }
}
