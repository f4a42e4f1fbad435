package io.mezzo.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.core.model.TaskState;
import io.mezzo.core.scheduler.Call;
import io.mezzo.core.scheduler.Event;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void readsAMesosAcceptCall() {
    String body = """
        {"framework_id":{"value":"f1"},"type":"ACCEPT","accept":{"offer_ids":[{"value":"o1"}],
         "operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"t","task_id":{"value":"t1"},
         "agent_id":{"value":"a1"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":1.5},"role":"*"}],
         "command":{"shell":true,"value":"sleep 10"},"discovery":{"visibility":"FRAMEWORK"}}]}}],
         "filters":{"refuse_seconds":10}}}""";
    Call call = Json.read(body.getBytes(StandardCharsets.UTF_8), Call.class);
    assertThat(call.type()).isEqualTo(Call.Type.ACCEPT);
    assertThat(call.accept().offerIds().get(0).value()).isEqualTo("o1");
    var task = call.accept().operations().get(0).launch().taskInfos().get(0);
    assertThat(task.taskId().value()).isEqualTo("t1");
    assertThat(task.resources().get(0).scalar().value()).isEqualTo(1.5);
    assertThat(call.accept().filters().refuseSeconds()).isEqualTo(10.0);
  }

  @Test
  void writesEventsInTheMesosShape() {
    String json = Json.writeString(Event.subscribed(new io.mezzo.core.model.FrameworkId("f1"), 15));
    assertThat(json).isEqualTo("{\"type\":\"SUBSCRIBED\",\"subscribed\":{\"framework_id\":{\"value\":\"f1\"},"
        + "\"heartbeat_interval_seconds\":15.0}}");
  }

  @Test
  void errorsNameTheFieldAndTheExpectedValues() {
    assertThatThrownBy(() -> Json.read("{\"type\":\"NOPE\"}".getBytes(StandardCharsets.UTF_8), Call.class))
        .hasMessageStartingWith("type: 'NOPE' (expected: one of [SUBSCRIBE");
    assertThatThrownBy(() -> Json.read("{\"type\":".getBytes(StandardCharsets.UTF_8), Call.class))
        .hasMessageStartingWith("malformed JSON");
    assertThatThrownBy(() -> Json.read("{\"type\":\"KILL\",\"kill\":{\"task_id\":{\"value\":\"a/b\"}}}"
        .getBytes(StandardCharsets.UTF_8), Call.class))
        .hasMessageContaining("kill.task_id").hasMessageContaining("no '/'");
    assertThat(TaskState.valueOf("TASK_RUNNING")).isNotNull();
  }

  @Test
  void integersMayBeWrittenAsStringsAsProtobufJsonDoes() {
    String body = """
        {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":"31000","end":31009}]}}""";
    var r = Json.read(body.getBytes(StandardCharsets.UTF_8), io.mezzo.core.model.Resource.class);
    assertThat(r.ranges().range().get(0)).isEqualTo(new io.mezzo.core.model.Resource.Range(31000, 31009));
    assertThatThrownBy(() -> Json.read("{\"name\":\"ports\",\"ranges\":{\"range\":[{\"begin\":\"x\",\"end\":1}]}}"
        .getBytes(StandardCharsets.UTF_8), io.mezzo.core.model.Resource.class))
        .hasMessageStartingWith("ranges.range[0].begin: 'x'");
  }

  /** Regression (fuzz): a body Jackson took for UTF-32 and could not decode escaped as a 500. */
  @Test
  void undecodableUtf32BodyIsBadJson() {
    byte[] body = {0, 0, (byte) 0xFE, (byte) 0xFF, 'n', 'u', 'l', 'l'};
    assertThatThrownBy(() -> Json.read(body, Call.class))
        .isInstanceOf(Json.BadJsonException.class)
        .hasMessageStartingWith("malformed JSON: Invalid UTF-32 character");
  }
}
