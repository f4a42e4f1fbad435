package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.json.Json;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code mezzo agent drain ID} against a scripted master: it sends the operator API's DRAIN_AGENT with the
 * grace period and mark-gone asked for; {@code --wait} follows the agent's tasks ending until it is
 * DRAINED (or gone); an unknown agent says where the ids are; the agent daemon still needs --master.
 */
class AgentDrainCommandTest {
  private final FakeMarathon master = new FakeMarathon();

  @AfterEach
  void stop() {
    master.close();
  }

  private static String state(String drain, int tasks) {
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < tasks; i++) {
      list.append(i == 0 ? "" : ",").append("{\"id\": \"t").append(i).append("\", \"slave_id\": \"S1\"}");
    }
    return "{\"slaves\": [{\"id\": \"S1\", \"active\": false" + (drain == null ? "" : ", \"drain_info\": {\"state\": \""
        + drain + "\"}") + "}], \"frameworks\": [{\"tasks\": [" + list + "]}]}";
  }

  @Test
  void drainSendsDrainAgentAndWaitFollowsTheTasksUntilDrained() throws IOException {
    master.on("POST", "/api/v1", 200, "");
    master.sequence("GET", "/master/state", new FakeMarathon.Reply(200, state("DRAINING", 2)),
        new FakeMarathon.Reply(200, state("DRAINING", 1)), new FakeMarathon.Reply(200, state("DRAINED", 0)));

    CliRun run = mezzo("agent", "drain", "S1", "--grace", "1500ms", "--wait", "--master", master.address());

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out().lines().toList()).satisfiesExactly(
        l -> assertThat(l).isEqualTo("draining agent S1"),
        l -> assertThat(l).matches("draining agent S1 \\[>                   ] 0/2 tasks ended, DRAINING, \\d+ s"),
        l -> assertThat(l).matches("draining agent S1 \\[==========>         ] 1/2 tasks ended, DRAINING, \\d+ s"),
        l -> assertThat(l).matches("drained agent S1: 2 task\\(s\\) ended in \\d+s"));
    JsonNode call = Json.MAPPER.readTree(master.seen().get(0).body());
    assertThat(call.path("type").asText()).isEqualTo("DRAIN_AGENT");
    assertThat(call.path("drain_agent").path("agent_id").path("value").asText()).isEqualTo("S1");
    assertThat(call.path("drain_agent").path("max_grace_period").asText()).isEqualTo("1.5s");
    assertThat(call.path("drain_agent").has("mark_gone")).isFalse();
  }

  @Test
  void withMarkGoneWaitEndsWhenTheAgentLeavesTheState() throws IOException {
    master.on("POST", "/api/v1", 200, "");
    master.sequence("GET", "/master/state", new FakeMarathon.Reply(200, state("DRAINED", 0)),
        new FakeMarathon.Reply(200, "{\"slaves\": [], \"frameworks\": []}"));

    CliRun run = mezzo("agent", "drain", "S1", "--mark-gone", "--wait", "--master", master.address());

    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).startsWith("draining agent S1\n").containsPattern("agent S1 drained and gone in \\d+s\n$");
    assertThat(Json.MAPPER.readTree(master.seen().get(0).body()).path("drain_agent").path("mark_gone").asBoolean()).isTrue();
  }

  @Test
  void anUnknownAgentSaysWhereTheIdsAre() {
    master.on("POST", "/api/v1", 400, "\"drain_agent.agent_id: 'S9' (expected: the id of a registered agent)\"");
    CliRun run = mezzo("agent", "drain", "S9", "--master", master.address());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("mezzo agent drain: no agent S9 (see `mezzo agents`)\n");
  }

  @Test
  void theAgentDaemonStillNeedsMaster() {
    CliRun run = mezzo("agent", "--port", "0");
    assertThat(run.exit()).isNotZero();
    assertThat(run.err()).contains("--master: missing");
  }

  @Test
  void aProtobufDurationIsSecondsWithAFraction() {
    assertThat(AgentDrainCommand.protobufDuration(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(AgentDrainCommand.protobufDuration(Duration.ofSeconds(10))).isEqualTo("10s");
    assertThat(AgentDrainCommand.protobufDuration(Duration.ZERO)).isEqualTo("0s");
  }
}
