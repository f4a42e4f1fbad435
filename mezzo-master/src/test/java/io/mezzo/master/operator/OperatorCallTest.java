package io.mezzo.master.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.http.HttpError;
import io.mezzo.core.json.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing and validation of operator calls: protobuf durations, quota scalars, role names. */
class OperatorCallTest {
  private static JsonNode json(String text) throws Exception {
    return Json.MAPPER.readTree(text);
  }

  private static OperatorCall call(String text) {
    return Json.read(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), OperatorCall.class);
  }

  @Test
  void gracePeriodReadsBothProtobufDurationForms() throws Exception {
    assertThat(OperatorCall.durationNanos(json("\"1.5s\""), "f")).isEqualTo(1_500_000_000L);
    assertThat(OperatorCall.durationNanos(json("\"0s\""), "f")).isZero();
    assertThat(OperatorCall.durationNanos(json("{\"seconds\": 2, \"nanos\": 5}"), "f")).isEqualTo(2_000_000_005L);
    assertThat(OperatorCall.durationNanos(json("{\"seconds\": \"3\"}"), "f")).isEqualTo(3_000_000_000L);
  }

  @Test
  void negativeOrMalformedGracePeriodsNameTheField() {
    assertThatThrownBy(() -> OperatorCall.durationNanos(json("\"-1s\""), "drain_agent.max_grace_period"))
        .isInstanceOf(HttpError.class).hasMessageContaining("drain_agent.max_grace_period").hasMessageContaining(">= 0");
    assertThatThrownBy(() -> OperatorCall.durationNanos(json("\"10 minutes\""), "g"))
        .hasMessageContaining("g: '10 minutes'");
    assertThatThrownBy(() -> OperatorCall.durationNanos(json("{\"seconds\": 1e30}"), "g")).hasMessageContaining("g:");
  }

  /** Regression (fuzz): "99999999999999999999s" overflowed a long of nanoseconds and escaped as a 500. */
  @Test
  void gracePeriodBeyondALongOfNanosIsA400() {
    assertThatThrownBy(() -> OperatorCall.durationNanos(json("\"99999999999999999999s\""), "drain_agent.max_grace_period"))
        .isInstanceOf(HttpError.class).hasMessageContaining("drain_agent.max_grace_period: '99999999999999999999s'")
        .hasMessageContaining("within +-292 years");
  }

  @Test
  void drainWithoutGracePeriodUsesTheDefault() {
    OperatorCall.Drain d = call("{\"type\":\"DRAIN_AGENT\",\"drain_agent\":{\"agent_id\":{\"value\":\"a1\"}}}").drain();
    assertThat(d.agentId().value()).isEqualTo("a1");
    assertThat(d.maxGracePeriodNanos()).isNull();
    assertThat(d.markGone()).isFalse();
  }

  @Test
  void quotaAcceptsScalarMessagesAndBareNumbers() {
    Map<String, RoleConfigs.Quota> q = call("{\"type\":\"UPDATE_QUOTA\",\"update_quota\":{\"quota_configs\":[{\"role\":\"dev\","
        + "\"guarantees\":{\"cpus\":{\"value\":1.5},\"mem\":64},\"limits\":{\"gpus\":{\"value\":0}}}]}}").quotas();
    assertThat(q.get("dev").guarantees()).containsEntry("cpus", 1.5).containsEntry("mem", 64.0);
    assertThat(q.get("dev").limits()).containsEntry("gpus", 0.0);
  }

  @Test
  void quotaRolesMustBeNamedOnce() {
    assertThatThrownBy(() -> call("{\"type\":\"UPDATE_QUOTA\",\"update_quota\":{\"quota_configs\":[{\"role\":\"a\"},"
        + "{\"role\":\"a\"}]}}").quotas()).hasMessageContaining("update_quota.quota_configs[1].role: 'a' appears more than once");
    assertThatThrownBy(() -> call("{\"type\":\"UPDATE_QUOTA\",\"update_quota\":{\"quota_configs\":[{}]}}").quotas())
        .hasMessageContaining("update_quota.quota_configs[0].role: missing");
  }

  @Test
  void roleNamesFollowMesosRules() {
    assertThat(OperatorCall.role("team-a", "r")).isEqualTo("team-a");
    for (String bad : new String[] {"*", ".", "..", "-a", "a b", "a/b"}) {
      assertThatThrownBy(() -> OperatorCall.role(bad, "r")).as(bad).hasMessageStartingWith("r: '" + bad + "'");
    }
  }
}
