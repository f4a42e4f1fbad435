package io.mezzo.master.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Descriptors.Descriptor;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.mesos.v1.master.Protos;
import org.junit.jupiter.api.Test;

/**
 * The codec on operator API samples written in the Mesos v1 JSON shapes of {@code master.Response}
 * and {@code master.Event}, as the operator API answers and streams them: they encode into the
 * protobuf messages with every field kept, 64-bit integers exact.
 */
class OperatorProtobufTest {
  private static final Descriptor RESPONSE = Protos.Response.getDescriptor();
  private static final Descriptor EVENT = Protos.Event.getDescriptor();
  private static final String UUID = Base64.getEncoder().encodeToString(new byte[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
      -1, -2, -3, -4, -5, -6});

  static final String TASK = """
      {"name":"web","task_id":{"value":"t1"},"framework_id":{"value":"f1"},"agent_id":{"value":"a1"},
       "state":"TASK_RUNNING",
       "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.5},"role":"*"},
                    {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":31000}]},"role":"*"}],
       "statuses":[{"task_id":{"value":"t1"},"state":"TASK_RUNNING","source":"SOURCE_EXECUTOR",
                    "agent_id":{"value":"a1"},"timestamp":1790000000.5,"uuid":"%s"}],
       "mezzo_only_field":{"ignored":true}}""".formatted(UUID);

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void getHealthResponseEncodes() throws Exception {
    byte[] protobuf = MesosProtobuf.fromJson(RESPONSE, utf8("{\"type\":\"GET_HEALTH\",\"get_health\":{\"healthy\":true}}"));

    Protos.Response r = Protos.Response.parseFrom(protobuf);
    assertThat(r.getType()).isEqualTo(Protos.Response.Type.GET_HEALTH);
    assertThat(r.getGetHealth().getHealthy()).isTrue();
  }

  @Test
  void getStateResponseEncodesTasksFrameworksAndAgents() throws Exception {
    String json = """
        {"type":"GET_STATE","get_state":{
          "get_tasks":{"tasks":[%s],"completed_tasks":[]},
          "get_executors":{},
          "get_frameworks":{"frameworks":[{"framework_info":{"user":"u","name":"fw","id":{"value":"f1"},
              "roles":["*"],"capabilities":[{"type":"MULTI_ROLE"}]},
            "active":true,"connected":true,"recovered":false,
            "registered_time":{"nanoseconds":1790000000123456789}}]},
          "get_agents":{"agents":[{"agent_info":{"hostname":"h1","id":{"value":"a1"},"port":5051},
            "active":true,"version":"1.11.0","pid":"slave(1)@127.0.0.1:5051",
            "total_resources":[{"name":"mem","type":"SCALAR","scalar":{"value":1024.0},"role":"*"}]}]}}}
        """.formatted(TASK);

    Protos.Response r = Protos.Response.parseFrom(MesosProtobuf.fromJson(RESPONSE, utf8(json)));

    var state = r.getGetState();
    var task = state.getGetTasks().getTasks(0);
    assertThat(task.getTaskId().getValue()).isEqualTo("t1");
    assertThat(task.getState()).isEqualTo(org.apache.mesos.v1.Protos.TaskState.TASK_RUNNING);
    assertThat(task.getResources(1).getRanges().getRange(0).getBegin()).isEqualTo(31000L);
    assertThat(task.getStatuses(0).getUuid().toByteArray()).isEqualTo(Base64.getDecoder().decode(UUID));
    assertThat(task.getStatuses(0).getTimestamp()).isEqualTo(1790000000.5);
    var framework = state.getGetFrameworks().getFrameworks(0);
    assertThat(framework.getFrameworkInfo().getName()).isEqualTo("fw");
    assertThat(framework.getRegisteredTime().getNanoseconds()).isEqualTo(1790000000123456789L);
    var agent = state.getGetAgents().getAgents(0);
    assertThat(agent.getAgentInfo().getHostname()).isEqualTo("h1");
    assertThat(agent.getVersion()).isEqualTo("1.11.0");
    assertThat(agent.getTotalResources(0).getScalar().getValue()).isEqualTo(1024.0);
  }

  @Test
  void taskAddedAndTaskUpdatedEventsEncode() throws Exception {
    Protos.Event added = Protos.Event.parseFrom(MesosProtobuf.fromJson(EVENT,
        utf8("{\"type\":\"TASK_ADDED\",\"task_added\":{\"task\":" + TASK + "}}")));
    assertThat(added.getType()).isEqualTo(Protos.Event.Type.TASK_ADDED);
    assertThat(added.getTaskAdded().getTask().getName()).isEqualTo("web");

    Protos.Event updated = Protos.Event.parseFrom(MesosProtobuf.fromJson(EVENT, utf8("""
        {"type":"TASK_UPDATED","task_updated":{"framework_id":{"value":"f1"},"state":"TASK_KILLED",
         "status":{"task_id":{"value":"t1"},"state":"TASK_KILLED","uuid":"%s"}}}""".formatted(UUID))));
    assertThat(updated.getTaskUpdated().getState()).isEqualTo(org.apache.mesos.v1.Protos.TaskState.TASK_KILLED);
    assertThat(updated.getTaskUpdated().getStatus().getUuid().size()).isEqualTo(16);
  }

  @Test
  void subscribedEventCarriesTheStateAndHeartbeat() throws Exception {
    Protos.Event e = Protos.Event.parseFrom(MesosProtobuf.fromJson(EVENT, utf8("""
        {"type":"SUBSCRIBED","subscribed":{"get_state":{"get_tasks":{"tasks":[%s]}},
         "heartbeat_interval_seconds":15.0}}""".formatted(TASK))));

    assertThat(e.getSubscribed().getHeartbeatIntervalSeconds()).isEqualTo(15.0);
    assertThat(e.getSubscribed().getGetState().getGetTasks().getTasksCount()).isEqualTo(1);
  }

  @Test
  void operatorCallsReadAsJsonInTheMesosShape() {
    Protos.Call call = Protos.Call.newBuilder().setType(Protos.Call.Type.GET_STATE).build();
    assertThat(new String(MesosProtobuf.toJson(Protos.Call.getDescriptor(), call.toByteArray()),
        StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"GET_STATE\"}");
  }

  @Test
  void anOperatorEventMissingARequiredFieldIsRefused() {
    assertThatThrownBy(() -> MesosProtobuf.fromJson(EVENT, utf8("{\"type\":\"TASK_ADDED\",\"task_added\":{\"task\":"
        + "{\"name\":\"web\",\"task_id\":{\"value\":\"t1\"}}}}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("required fields").hasMessageContaining("framework_id")
        .hasMessageContaining("agent_id").hasMessageContaining("state");
  }
}
