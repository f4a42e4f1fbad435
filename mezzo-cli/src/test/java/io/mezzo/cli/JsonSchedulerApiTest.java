package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mezzo.testkit.MesosStream;
import io.mezzo.testkit.MezzoCluster;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scheduler that writes its calls as raw JSON text, exactly as a Mesos 1.x client sends them
 * (no Mezzo records involved), and reads events as plain JSON trees, runs a task's whole life on a
 * real cluster: subscribe, offers, launch, running, acknowledge, kill, killed, acknowledge, teardown.
 */
class JsonSchedulerApiTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper MAPPER = new ObjectMapper();

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

  private static byte[] utf8(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void jsonSchedulerLaunchesKillsAndAcknowledgesATask() {
    String subscribe = """
        {"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"%s","name":"json-e2e",
          "roles":["*"],"capabilities":[{"type":"MULTI_ROLE"}],"failover_timeout":0.0,"hostname":"localhost"}}}"""
        .formatted(io.mezzo.testkit.TestFramework.USER);
    URI endpoint = URI.create("http://" + cluster.masterAddress() + "/api/v1/scheduler");
    try (MesosStream<JsonNode> stream = MesosStream.open(endpoint, "application/json", utf8(subscribe), MAPPER::readTree)) {
      assertThat(stream.header("Content-Type")).hasValue("application/json");
      JsonNode subscribed = stream.await("SUBSCRIBED", e -> e.path("type").asText().equals("SUBSCRIBED"), WAIT);
      String frameworkId = subscribed.path("subscribed").path("framework_id").path("value").asText();
      assertThat(frameworkId).isNotEmpty();
      assertThat(subscribed.path("subscribed").path("heartbeat_interval_seconds").asDouble()).isPositive();

      JsonNode offers = stream.await("OFFERS", e -> e.path("type").asText().equals("OFFERS"), WAIT);
      JsonNode offer = offers.path("offers").path("offers").get(0);
      String offerId = offer.path("id").path("value").asText();
      String agentId = offer.path("agent_id").path("value").asText();
      assertThat(offer.path("framework_id").path("value").asText()).isEqualTo(frameworkId);
      assertThat(offer.path("hostname").asText()).isNotEmpty();

      String taskId = "json-sleep-" + UUID.randomUUID().toString().substring(0, 8);
      String accept = """
          {"framework_id":{"value":"%s"},"type":"ACCEPT","accept":{"offer_ids":[{"value":"%s"}],
           "operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"sleeper","task_id":{"value":"%s"},
             "agent_id":{"value":"%s"},
             "resources":[
               {"name":"cpus","type":"SCALAR","scalar":{"value":0.1},"role":"*","allocation_info":{"role":"*"}},
               {"name":"mem","type":"SCALAR","scalar":{"value":32},"role":"*","allocation_info":{"role":"*"}}],
             "command":{"shell":true,"value":"sleep 1000"}}]}}],
           "filters":{"refuse_seconds":1.0}}}""".formatted(frameworkId, offerId, taskId, agentId);
      assertThat(stream.post(utf8(accept)).statusCode()).isEqualTo(202);

      Set<String> acknowledged = new HashSet<>();
      JsonNode running = awaitAcknowledging(stream, frameworkId, taskId, "TASK_RUNNING", acknowledged);
      assertThat(running.path("agent_id").path("value").asText()).isEqualTo(agentId);

      String kill = """
          {"framework_id":{"value":"%s"},"type":"KILL","kill":{"task_id":{"value":"%s"},"agent_id":{"value":"%s"}}}"""
          .formatted(frameworkId, taskId, agentId);
      assertThat(stream.post(utf8(kill)).statusCode()).isEqualTo(202);
      // the agent holds TASK_KILLED back until TASK_RUNNING is acknowledged: its arrival shows the ACK worked
      awaitAcknowledging(stream, frameworkId, taskId, "TASK_KILLED", acknowledged);
      await("the acknowledged terminal task is completed").atMost(WAIT).pollInterval(Duration.ofMillis(100))
          .until(() -> containsId(framework(frameworkId).path("completed_tasks"), taskId));

      String teardown = "{\"framework_id\":{\"value\":\"" + frameworkId + "\"},\"type\":\"TEARDOWN\"}";
      assertThat(stream.post(utf8(teardown)).statusCode()).isEqualTo(202);
      await("the stream ends on TEARDOWN").atMost(WAIT).until(stream::hasEnded);
      assertThat(stream.failure()).isNull();
      assertThat(containsId(cluster.masterState().path("completed_frameworks"), frameworkId)).isTrue();
    }
  }

  /**
   * Waits for {@code state} of {@code taskId}, acknowledging every update of it that carries a uuid
   * on the way (echoing the base64 text as received), as a scheduler must; returns the status.
   */
  private static JsonNode awaitAcknowledging(MesosStream<JsonNode> stream, String frameworkId, String taskId,
      String state, Set<String> acknowledged) {
    await(taskId + " in " + state).atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
      for (JsonNode e : stream.events()) {
        JsonNode s = e.path("update").path("status");
        String uuid = s.path("uuid").asText();
        if (s.path("task_id").path("value").asText().equals(taskId) && !uuid.isEmpty() && acknowledged.add(uuid)) {
          String ack = """
              {"framework_id":{"value":"%s"},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":"%s"},
               "task_id":{"value":"%s"},"uuid":"%s"}}"""
              .formatted(frameworkId, s.path("agent_id").path("value").asText(), taskId, uuid);
          assertThat(stream.post(utf8(ack)).statusCode()).isEqualTo(202);
        }
      }
      return find(stream, taskId, state).isPresent();
    });
    return find(stream, taskId, state).orElseThrow();
  }

  private static Optional<JsonNode> find(MesosStream<JsonNode> stream, String taskId, String state) {
    return stream.events().stream()
        .filter(e -> e.path("type").asText().equals("UPDATE"))
        .map(e -> e.path("update").path("status"))
        .filter(s -> s.path("task_id").path("value").asText().equals(taskId) && s.path("state").asText().equals(state))
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
