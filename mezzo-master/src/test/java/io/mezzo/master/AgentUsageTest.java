package io.mezzo.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.agentapi.AgentEvent;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.AgentInfo;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-task usage agents send with heartbeats, as the master keeps and shows it. */
class AgentUsageTest {
  @TempDir
  Path dir;

  Master master;
  JsonClient.Subscription agentStream;
  final JsonClient http = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10));
  final List<AgentEvent> agentEvents = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    master = Master.start(new MasterConfig("127.0.0.1", 0, dir, null, "127.0.0.1", Duration.ofSeconds(1), 5,
        Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(1)));
  }

  @AfterEach
  void stop() {
    if (agentStream != null) {
      agentStream.close();
    }
    master.close();
  }

  @Test
  void latestHeartbeatUsageIsInTheMasterState() throws Exception {
    AgentId agent = subscribeAgent();
    AgentCall.TaskUsage first = new AgentCall.TaskUsage(FrameworkId.of("fw"), TaskId.of("t1"), 0.5, 1.0, 0.25,
        10L << 20, 64L << 20, 1.7e9);
    AgentCall.TaskUsage later = new AgentCall.TaskUsage(FrameworkId.of("fw"), TaskId.of("t1"), 0.75, 2.0, 0.5,
        12L << 20, 64L << 20, 1.7e9 + 1);

    assertThat(http.post(agentApi(), AgentCall.heartbeat(agent, List.of(first)), Map.of()).join().status()).isEqualTo(202);
    assertThat(http.post(agentApi(), AgentCall.heartbeat(agent, List.of(later)), Map.of()).join().status()).isEqualTo(202);

    JsonNode usage = agentState().get("task_usage");
    assertThat(usage).hasSize(1);
    JsonNode t1 = usage.get(0);
    assertThat(t1.get("task_id").get("value").asText()).isEqualTo("t1");
    assertThat(t1.get("cpus_used").asDouble()).isEqualTo(0.75);
    assertThat(t1.get("cpus_user_time_secs").asDouble()).isEqualTo(2.0);
    assertThat(t1.get("mem_rss_bytes").asLong()).isEqualTo(12L << 20);
    assertThat(t1.get("mem_limit_bytes").asLong()).isEqualTo(64L << 20);

    // A heartbeat without usage means no task is running any more.
    http.post(agentApi(), AgentCall.heartbeat(agent), Map.of()).join();
    assertThat(agentState().has("task_usage")).isFalse();
  }

  private JsonNode agentState() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + master.port() + "/master/state")).build(),
        HttpResponse.BodyHandlers.ofString());
    return Json.MAPPER.readTree(r.body()).get("slaves").get(0);
  }

  private URI agentApi() {
    return URI.create("http://127.0.0.1:" + master.port() + "/api/v1/agent");
  }

  private AgentId subscribeAgent() throws Exception {
    AgentInfo info = new AgentInfo(null, "127.0.0.1", 5051, Resources.parse("cpus:2;mem:1024").toList());
    agentStream = http.subscribe(agentApi(), AgentCall.subscribe(info, List.of()), Map.of(), AgentEvent.class,
        agentEvents::add, cause -> { });
    await().atMost(Duration.ofSeconds(10)).until(() -> agentEvents.stream().anyMatch(e -> e.type() == AgentEvent.Type.SUBSCRIBED));
    return agentEvents.stream().filter(e -> e.type() == AgentEvent.Type.SUBSCRIBED).findFirst().orElseThrow()
        .subscribed().agentId();
  }
}
