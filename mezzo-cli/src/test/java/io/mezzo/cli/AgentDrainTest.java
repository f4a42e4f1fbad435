package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.scheduler.Event;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.TestFramework;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent maintenance through the operator API on a real cluster (a master and two agent processes,
 * tasks as OS processes): a drained agent's tasks are killed, it is reported DRAINED and gets no
 * offers or launches until reactivated, while the other agent keeps its tasks; a deactivated agent
 * keeps its tasks running but gets no offers.
 */
class AgentDrainTest {
  private static final Duration TASK_TIMEOUT = Duration.ofSeconds(30);
  private static final Resources SMALL = Resources.parse("cpus:0.1;mem:32");
  /** Offer rounds watched for a maintained agent to stay out of them. */
  private static final int ROUNDS = 5;

  @TempDir
  static Path dir;

  static MezzoCluster cluster;
  static final JsonClient http = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10));

  @BeforeAll
  static void startCluster() {
    cluster = MezzoCluster.builder(dir).agents(2).start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void drainedAgentEndsItsTasksAndIsNotOfferedUntilReactivated() throws Exception {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "drain", false)) {
      Offer first = fw.awaitOffer();
      AgentId drained = first.agentId();
      Offer other = fw.awaitOffer(o -> !o.agentId().equals(drained));
      AgentId kept = other.agentId();
      TaskId doomed = new TaskId("doomed");
      TaskId survivor = new TaskId("survivor");
      fw.launch(first, doomed, "sleep 1000", SMALL);
      fw.launch(other, survivor, "sleep 1000", SMALL);
      fw.awaitState(doomed, TaskState.TASK_RUNNING, TASK_TIMEOUT);
      fw.awaitState(survivor, TaskState.TASK_RUNNING, TASK_TIMEOUT);
      Offer stale = fw.awaitOffer(o -> o.agentId().equals(drained));

      operator(Map.of("type", "DRAIN_AGENT", "drain_agent", Map.of("agent_id", Map.of("value", drained.value()),
          "max_grace_period", "1s")));

      fw.awaitState(doomed, TaskState.TASK_KILLED, TASK_TIMEOUT);
      assertThat(fw.events()).anyMatch(e -> e.type() == Event.Type.RESCIND && e.rescind().offerId().equals(stale.id()));
      TaskId late = new TaskId("late");
      fw.launch(stale, late, "sleep 1000", SMALL);
      assertThat(fw.awaitState(late, TaskState.TASK_LOST, TASK_TIMEOUT).reason()).isEqualTo("REASON_INVALID_OFFERS");
      await("agent drained").atMost(TASK_TIMEOUT).until(() -> drainState(drained).equals("DRAINED"));
      assertThat(liveTasksOn(drained)).isEmpty();
      assertThat(agent(drained).path("allocated_resources")).isEmpty();

      List<Offer> rounds = offerRounds(fw, ROUNDS);
      assertThat(rounds).isNotEmpty().noneMatch(o -> o.agentId().equals(drained));
      assertThat(fw.outstandingOffers()).noneMatch(o -> o.agentId().equals(drained));
      assertThat(liveTasksOn(drained)).isEmpty();
      assertThat(liveTasksOn(kept)).containsExactly(survivor.value());
      assertThat(fw.states(survivor)).last().isEqualTo(TaskState.TASK_RUNNING);

      operator(agentCall("REACTIVATE_AGENT", drained));
      fw.declineAll(0);
      Offer back = fw.awaitOffer(o -> o.agentId().equals(drained));
      assertThat(agent(drained).has("drain_info")).isFalse();
      assertThat(Resources.of(back.resources()).scalar("cpus")).isEqualTo(2.0);
    }
  }

  @Test
  void deactivatedAgentKeepsItsTasksButGetsNoOffers() throws Exception {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "deactivate", false)) {
      Offer first = fw.awaitOffer();
      AgentId paused = first.agentId();
      TaskId task = new TaskId("keeps-running");
      fw.launch(first, task, "sleep 1000", SMALL);
      fw.awaitState(task, TaskState.TASK_RUNNING, TASK_TIMEOUT);

      operator(agentCall("DEACTIVATE_AGENT", paused));
      assertThat(agent(paused).path("deactivated").asBoolean()).isTrue();

      List<Offer> rounds = offerRounds(fw, ROUNDS);
      assertThat(rounds).isNotEmpty().noneMatch(o -> o.agentId().equals(paused));
      assertThat(fw.outstandingOffers()).noneMatch(o -> o.agentId().equals(paused));
      assertThat(fw.states(task)).last().isEqualTo(TaskState.TASK_RUNNING);
      assertThat(liveTasksOn(paused)).containsExactly(task.value());

      operator(agentCall("REACTIVATE_AGENT", paused));
      fw.declineAll(0);
      fw.awaitOffer(o -> o.agentId().equals(paused));
      assertThat(fw.states(task)).last().isEqualTo(TaskState.TASK_RUNNING);
    }
  }

  /** Declines everything until {@code n} more OFFERS events arrived; returns the offers they carried. */
  private static List<Offer> offerRounds(TestFramework fw, int n) {
    int from = fw.events().size();
    await(n + " offer rounds").atMost(TASK_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
      fw.declineAll(0);
      List<Event> seen = List.copyOf(fw.events()); // a snapshot: events keep arriving meanwhile
      return seen.subList(from, seen.size()).stream().filter(e -> e.type() == Event.Type.OFFERS).count() >= n;
    });
    List<Offer> out = new ArrayList<>();
    List<Event> seen = List.copyOf(fw.events());
    for (Event e : seen.subList(from, seen.size())) {
      if (e.type() == Event.Type.OFFERS) {
        out.addAll(e.offers().offers());
      }
    }
    return out;
  }

  private static Map<String, Object> agentCall(String type, AgentId agent) {
    return Map.of("type", type, type.toLowerCase(Locale.ROOT), Map.of("agent_id", Map.of("value", agent.value())));
  }

  private static JsonNode operator(Map<String, Object> call) throws IOException {
    JsonClient.Reply r = http.post(URI.create("http://" + cluster.masterAddress() + "/api/v1"), call, Map.of()).join();
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.body().isEmpty() ? null : Json.MAPPER.readTree(r.body());
  }

  private static JsonNode agent(AgentId id) throws IOException {
    for (JsonNode a : operator(Map.of("type", "GET_AGENTS")).path("get_agents").path("agents")) {
      if (a.path("agent_info").path("id").path("value").asText().equals(id.value())) {
        return a;
      }
    }
    throw new AssertionError("agent " + id + " is not in GET_AGENTS");
  }

  private static String drainState(AgentId id) throws IOException {
    return agent(id).path("drain_info").path("state").asText();
  }

  /** Ids of the tasks GET_TASKS lists as not yet terminal on {@code agent}. */
  private static List<String> liveTasksOn(AgentId agent) throws IOException {
    List<String> out = new ArrayList<>();
    JsonNode tasks = operator(Map.of("type", "GET_TASKS")).path("get_tasks");
    for (String list : List.of("pending_tasks", "tasks", "unreachable_tasks")) {
      for (JsonNode t : tasks.path(list)) {
        if (t.path("agent_id").path("value").asText().equals(agent.value())) {
          out.add(t.path("task_id").path("value").asText());
        }
      }
    }
    return out;
  }
}
