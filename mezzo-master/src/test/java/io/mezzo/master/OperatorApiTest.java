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
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.core.scheduler.Call;
import io.mezzo.core.scheduler.Event;
import io.mezzo.core.scheduler.SchedulerClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator API ({@code POST /api/v1}) of a real master on real sockets and an embedded
 * ZooKeeper; the agent side is played by this test over the agent protocol, frameworks use the
 * scheduler client. Checks the Mesos JSON shapes, persistence across a master restart, 4xx answers
 * that name the field, the event stream, and maintenance at the protocol level.
 */
class OperatorApiTest {
  private static final String UUID = "dXVpZA==";

  @TempDir
  Path dir;

  Master master;
  final JsonClient http = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10));
  final List<AgentEvent> agentEvents = new CopyOnWriteArrayList<>();
  final List<Event> frameworkEvents = new CopyOnWriteArrayList<>();
  final List<JsonNode> operatorEvents = new CopyOnWriteArrayList<>();
  final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void start() {
    master = startMaster();
  }

  private Master startMaster() {
    return Master.start(new MasterConfig("127.0.0.1", 0, dir, null, "127.0.0.1", Duration.ofSeconds(5), 5,
        Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(2)));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    master.close();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + master.port() + path);
  }

  private JsonClient.Reply post(Object body) {
    return http.post(uri("/api/v1"), body, Map.of()).join();
  }

  private JsonNode ok(Object body) throws Exception {
    JsonClient.Reply r = post(body);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.body().isEmpty() ? null : Json.MAPPER.readTree(r.body());
  }

  private JsonNode get(String type) throws Exception {
    JsonNode n = ok(Map.of("type", type));
    assertThat(n.path("type").asText()).isEqualTo(type);
    return n;
  }

  private AgentId subscribeAgent() throws Exception {
    AgentInfo info = new AgentInfo(null, "127.0.0.1", 5051, Resources.parse("cpus:2;mem:1024").toList());
    JsonClient.Subscription s = http.subscribe(uri("/api/v1/agent"), AgentCall.subscribe(info, List.of()), Map.of(),
        AgentEvent.class, agentEvents::add, cause -> { });
    closeables.add(s);
    assertThat(s.isOpen()).as(s.reply().body()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> agentEvents.stream().anyMatch(e -> e.type() == AgentEvent.Type.SUBSCRIBED));
    return agentEvents.stream().filter(e -> e.type() == AgentEvent.Type.SUBSCRIBED).findFirst().orElseThrow()
        .subscribed().agentId();
  }

  private SchedulerClient framework(String role) {
    SchedulerClient c = SchedulerClient.subscribe("127.0.0.1:" + master.port(),
        new FrameworkInfo("u", "ops-test", null, 60.0, false, role, null, null, null, null, List.of()),
        frameworkEvents::add, cause -> { }, Duration.ofSeconds(10));
    closeables.add(0, c);
    return c;
  }

  private List<Offer> offers() {
    List<Offer> out = new ArrayList<>();
    frameworkEvents.stream().filter(e -> e.type() == Event.Type.OFFERS).forEach(e -> out.addAll(e.offers().offers()));
    return out;
  }

  private Offer awaitOffer() {
    await().atMost(Duration.ofSeconds(10)).until(() -> !offers().isEmpty());
    return offers().get(offers().size() - 1);
  }

  /** Launches one task through the framework and has the fake agent report it RUNNING. */
  private TaskId launchRunning(SchedulerClient fw, AgentId agent, String id) {
    Offer offer = awaitOffer();
    TaskId task = new TaskId(id);
    TaskInfo info = new TaskInfo(id, task, agent, Resources.parse("cpus:1;mem:128").toList(),
        CommandInfo.shell("sleep 100"), null, null, null);
    assertThat(fw.send(Call.accept(fw.frameworkId(), List.of(offer.id()), List.of(info), 0.0)).join().status())
        .isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> agentEvents.stream()
        .anyMatch(e -> e.type() == AgentEvent.Type.LAUNCH && e.launch().task().taskId().equals(task)));
    report(agent, fw, task, TaskState.TASK_RUNNING);
    return task;
  }

  private void report(AgentId agent, SchedulerClient fw, TaskId task, TaskState state) {
    TaskStatus s = new TaskStatus(task, state, null, TaskStatus.Source.SOURCE_EXECUTOR, null, agent, 1.0, UUID, null);
    assertThat(http.post(uri("/api/v1/agent"), AgentCall.update(agent, fw.frameworkId(), s), Map.of()).join().status())
        .isEqualTo(202);
  }

  private void assertRefused(Object body, int status, String... fragments) {
    JsonClient.Reply r = post(body);
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.body()).contains(fragments);
  }

  // ---------------------------------------------------------------- shapes

  @Test
  void healthVersionAndStateAnswerInTheMesosShapes() throws Exception {
    assertThat(get("GET_HEALTH").path("get_health").path("healthy").asBoolean()).isTrue();
    assertThat(get("GET_VERSION").path("get_version").path("version_info").path("version").asText()).isEqualTo("1.11.0");
    JsonNode state = get("GET_STATE").path("get_state");
    assertThat(state.has("get_tasks")).isTrue();
    assertThat(state.has("get_executors")).isTrue();
    assertThat(state.path("get_frameworks").path("frameworks").isArray()).isTrue();
    assertThat(state.path("get_agents").path("agents").isArray()).isTrue();
    assertThat(get("GET_EXECUTORS").path("get_executors").path("executors")).isEmpty();
    assertThat(get("GET_OPERATIONS").path("get_operations").path("operations")).isEmpty();
  }

  @Test
  void agentsFrameworksTasksAndRolesDescribeTheCluster() throws Exception {
    AgentId agent = subscribeAgent();
    SchedulerClient fw = framework("analytics");
    TaskId task = launchRunning(fw, agent, "t1");
    await().atMost(Duration.ofSeconds(10)).until(() -> frameworkEvents.stream()
        .anyMatch(e -> e.type() == Event.Type.UPDATE && e.update().status().state() == TaskState.TASK_RUNNING));

    JsonNode a = get("GET_AGENTS").path("get_agents").path("agents").get(0);
    assertThat(a.path("agent_info").path("id").path("value").asText()).isEqualTo(agent.value());
    assertThat(a.path("active").asBoolean()).isTrue();
    assertThat(a.path("deactivated").asBoolean()).isFalse();
    assertThat(a.path("registered_time").path("nanoseconds").asLong()).isPositive();
    assertThat(Resources.of(List.of(Json.MAPPER.treeToValue(a.path("total_resources"), io.mezzo.core.model.Resource[].class))))
        .isEqualTo(Resources.parse("cpus:2;mem:1024"));
    assertThat(a.path("allocated_resources").toString()).contains("\"cpus\"");

    JsonNode f = get("GET_FRAMEWORKS").path("get_frameworks").path("frameworks").get(0);
    assertThat(f.path("framework_info").path("id").path("value").asText()).isEqualTo(fw.frameworkId().value());
    assertThat(f.path("framework_info").path("name").asText()).isEqualTo("ops-test");
    assertThat(f.path("connected").asBoolean()).isTrue();

    JsonNode t = get("GET_TASKS").path("get_tasks").path("tasks").get(0);
    assertThat(t.path("task_id").path("value").asText()).isEqualTo(task.value());
    assertThat(t.path("agent_id").path("value").asText()).isEqualTo(agent.value());
    assertThat(t.path("framework_id").path("value").asText()).isEqualTo(fw.frameworkId().value());
    assertThat(t.path("state").asText()).isEqualTo("TASK_RUNNING");

    JsonNode roles = get("GET_ROLES").path("get_roles").path("roles");
    assertThat(roles).hasSize(1);
    assertThat(roles.get(0).path("name").asText()).isEqualTo("analytics");
    assertThat(roles.get(0).path("weight").asDouble()).isEqualTo(1.0);
    assertThat(roles.get(0).path("frameworks").get(0).path("value").asText()).isEqualTo(fw.frameworkId().value());

    JsonNode rolesJson = Json.MAPPER.readTree(http.get(uri("/master/roles")).join().body()).path("roles").get(0);
    assertThat(rolesJson.path("name").asText()).isEqualTo("analytics");
    assertThat(rolesJson.path("allocated").path("cpus").asDouble()).isEqualTo(1.0);
    JsonNode frameworksJson = Json.MAPPER.readTree(http.get(uri("/master/frameworks")).join().body());
    assertThat(frameworksJson.path("frameworks").get(0).path("id").asText()).isEqualTo(fw.frameworkId().value());
    assertThat(frameworksJson.path("frameworks").get(0).path("tasks").get(0).path("state").asText()).isEqualTo("TASK_RUNNING");
  }

  @Test
  void metricsSnapshotCountsTheClusterAndAllocationRuns() throws Exception {
    subscribeAgent();
    framework("*");
    awaitOffer();
    JsonNode m = Json.MAPPER.readTree(http.get(uri("/metrics/snapshot")).join().body());
    assertThat(m.path("master/elected").asDouble()).isEqualTo(1.0);
    assertThat(m.path("master/uptime_secs").asDouble()).isGreaterThanOrEqualTo(0.0);
    assertThat(m.path("master/slaves_active").asDouble()).isEqualTo(1.0);
    assertThat(m.path("master/frameworks_active").asDouble()).isEqualTo(1.0);
    assertThat(m.path("master/cpus_total").asDouble()).isEqualTo(2.0);
    assertThat(m.path("master/mem_total").asDouble()).isEqualTo(1024.0);
    assertThat(m.path("master/outstanding_offers").asDouble()).isEqualTo(1.0);
    assertThat(m.path("master/tasks_running").asDouble()).isEqualTo(0.0);
    assertThat(m.path("allocator/mesos/allocation_runs").asDouble()).isGreaterThanOrEqualTo(1.0);
    for (String s : List.of("", "/p50", "/p90", "/p99", "/max", "/count")) {
      assertThat(m.has("allocator/mesos/allocation_run_ms" + s)).as(s).isTrue();
    }
    assertThat(m.path("allocator/mesos/allocation_run_ms/p50").asDouble())
        .isLessThanOrEqualTo(m.path("allocator/mesos/allocation_run_ms/max").asDouble());
    JsonNode list = get("GET_METRICS").path("get_metrics").path("metrics");
    assertThat(list.findValuesAsText("name")).contains("master/cpus_total");
  }

  // ---------------------------------------------------------------- quota and weights

  private static Map<String, Object> quota(String role, double cpus, Double limit, boolean force) {
    Map<String, Object> config = new java.util.LinkedHashMap<>();
    config.put("role", role);
    config.put("guarantees", Map.of("cpus", Map.of("value", cpus), "mem", Map.of("value", 256)));
    if (limit != null) {
      config.put("limits", Map.of("cpus", Map.of("value", limit)));
    }
    return Map.of("type", "UPDATE_QUOTA", "update_quota", Map.of("force", force, "quota_configs", List.of(config)));
  }

  @Test
  void updatedQuotaAndWeightsSurviveAMasterRestart() throws Exception {
    ok(quota("dev", 4, 8.0, true));
    ok(Map.of("type", "UPDATE_WEIGHTS", "update_weights", Map.of("weight_infos",
        List.of(Map.of("role", "dev", "weight", 2.5), Map.of("role", "prod", "weight", 4)))));
    master.close();
    master = startMaster();

    JsonNode configs = get("GET_QUOTA").path("get_quota").path("status").path("configs");
    assertThat(configs).hasSize(1);
    assertThat(configs.get(0).path("role").asText()).isEqualTo("dev");
    assertThat(configs.get(0).path("guarantees").path("cpus").path("value").asDouble()).isEqualTo(4.0);
    assertThat(configs.get(0).path("guarantees").path("mem").path("value").asDouble()).isEqualTo(256.0);
    assertThat(configs.get(0).path("limits").path("cpus").path("value").asDouble()).isEqualTo(8.0);
    JsonNode weights = get("GET_WEIGHTS").path("get_weights").path("weight_infos");
    assertThat(weights).hasSize(2);
    assertThat(weights.get(0).path("role").asText()).isEqualTo("dev");
    assertThat(weights.get(0).path("weight").asDouble()).isEqualTo(2.5);
    assertThat(weights.get(1).path("role").asText()).isEqualTo("prod");
    assertThat(weights.get(1).path("weight").asDouble()).isEqualTo(4.0);
    JsonNode roles = Json.MAPPER.readTree(http.get(uri("/master/roles")).join().body()).path("roles");
    assertThat(roles.toString()).contains("\"guarantee\":{\"cpus\":4.0,\"mem\":256.0}");

    // An empty config removes the quota again.
    ok(Map.of("type", "UPDATE_QUOTA", "update_quota", Map.of("quota_configs", List.of(Map.of("role", "dev")))));
    assertThat(get("GET_QUOTA").path("get_quota").path("status").path("configs")).isEmpty();
  }

  @Test
  void guaranteesBeyondTheClusterNeedForce() throws Exception {
    subscribeAgent();
    assertRefused(quota("dev", 3, null, false), 400, "cpus total 3.0", "force");
    ok(quota("dev", 2, null, false));
    ok(quota("dev", 3, null, true));
  }

  // ---------------------------------------------------------------- bad calls

  @Test
  void badCallsAreRefusedNamingTheField() {
    assertRefused(Map.of("type", "LAUNCH_MISSILES"), 400, "type: 'LAUNCH_MISSILES'", "GET_STATE");
    assertRefused(Map.of("get_health", Map.of()), 400, "type: missing");
    assertRefused(Map.of("type", "DRAIN_AGENT"), 400, "drain_agent: missing");
    assertRefused(Map.of("type", "DRAIN_AGENT", "drain_agent", Map.of()), 400, "drain_agent.agent_id: missing");
    assertRefused(Map.of("type", "DRAIN_AGENT", "drain_agent", Map.of("agent_id", Map.of("value", "nope"))), 400,
        "drain_agent.agent_id: 'nope'", "registered agent");
    assertRefused(Map.of("type", "DRAIN_AGENT", "drain_agent", Map.of("agent_id", Map.of("value", "x"),
        "max_grace_period", "soon")), 400, "drain_agent.max_grace_period: 'soon'");
    assertRefused(Map.of("type", "DEACTIVATE_AGENT", "deactivate_agent", Map.of()), 400, "deactivate_agent.agent_id");
    assertRefused(Map.of("type", "UPDATE_WEIGHTS", "update_weights", Map.of("weight_infos",
        List.of(Map.of("role", "dev", "weight", -1)))), 400, "update_weights.weight_infos[0].weight: -1.0", "> 0");
    assertRefused(Map.of("type", "UPDATE_WEIGHTS", "update_weights", Map.of("weight_infos",
        List.of(Map.of("role", "*", "weight", 2)))), 400, "update_weights.weight_infos[0].role: '*'");
    assertRefused(quota("dev", -1, null, true), 400, "update_quota.quota_configs[0].guarantees.cpus: -1.0");
    assertRefused(quota("dev", 4, 2.0, true), 400, "update_quota.quota_configs[0].guarantees.cpus: 4.0",
        "limits.cpus 2.0");
    assertRefused(Map.of("type", "UPDATE_QUOTA", "update_quota", Map.of("quota_configs", List.of(
        Map.of("role", "dev", "guarantees", Map.of("cpus", "many")))), "force", true), 400,
        "update_quota.quota_configs[0].guarantees.cpus");
    JsonClient.Reply big = post(Map.of("type", "GET_HEALTH", "padding", "x".repeat(OperatorApi.MAX_CALL_BYTES)));
    assertThat(big.status()).isEqualTo(413);
    assertThat(big.body()).contains("body:");
  }

  // ---------------------------------------------------------------- events

  @Test
  void subscribersGetSubscribedThenAgentTaskAndFrameworkEventsInOrder() throws Exception {
    JsonClient.Subscription s = http.subscribe(uri("/api/v1"), Map.of("type", "SUBSCRIBE"), Map.of(), JsonNode.class,
        operatorEvents::add, cause -> { });
    closeables.add(s);
    assertThat(s.isOpen()).as(s.reply().body()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> !operatorEvents.isEmpty());
    JsonNode first = operatorEvents.get(0);
    assertThat(first.path("type").asText()).isEqualTo("SUBSCRIBED");
    assertThat(first.path("subscribed").path("get_state").has("get_agents")).isTrue();
    assertThat(first.path("subscribed").path("heartbeat_interval_seconds").asDouble()).isEqualTo(1.0);

    AgentId agent = subscribeAgent();
    SchedulerClient fw = framework("*");
    TaskId task = launchRunning(fw, agent, "watched");
    await().atMost(Duration.ofSeconds(10)).until(() -> types().contains("TASK_UPDATED"));

    List<String> types = types().stream().filter(t -> !t.equals("HEARTBEAT")).toList();
    assertThat(types).containsSubsequence("SUBSCRIBED", "AGENT_ADDED", "FRAMEWORK_ADDED", "TASK_ADDED", "TASK_UPDATED");
    JsonNode added = event("AGENT_ADDED");
    assertThat(added.path("agent_added").path("agent").path("agent_info").path("id").path("value").asText())
        .isEqualTo(agent.value());
    JsonNode taskAdded = event("TASK_ADDED");
    assertThat(taskAdded.path("task_added").path("task").path("task_id").path("value").asText()).isEqualTo(task.value());
    assertThat(taskAdded.path("task_added").path("task").path("state").asText()).isEqualTo("TASK_STAGING");
    JsonNode updated = event("TASK_UPDATED");
    assertThat(updated.path("task_updated").path("state").asText()).isEqualTo("TASK_RUNNING");
    assertThat(updated.path("task_updated").path("status").path("task_id").path("value").asText()).isEqualTo(task.value());
    assertThat(updated.path("task_updated").path("framework_id").path("value").asText())
        .isEqualTo(fw.frameworkId().value());
    await().atMost(Duration.ofSeconds(10)).until(() -> types().contains("HEARTBEAT"));
  }

  private List<String> types() {
    return operatorEvents.stream().map(e -> e.path("type").asText()).toList();
  }

  private JsonNode event(String type) {
    return operatorEvents.stream().filter(e -> e.path("type").asText().equals(type)).findFirst().orElseThrow();
  }

  // ---------------------------------------------------------------- maintenance

  private static Map<String, Object> agentCall(String type, AgentId agent) {
    String field = type.toLowerCase(java.util.Locale.ROOT);
    return Map.of("type", type, field, Map.of("agent_id", Map.of("value", agent.value())));
  }

  private JsonNode agentView(AgentId agent) throws Exception {
    for (JsonNode a : get("GET_AGENTS").path("get_agents").path("agents")) {
      if (a.path("agent_info").path("id").path("value").asText().equals(agent.value())) {
        return a;
      }
    }
    throw new AssertionError("agent " + agent + " not in GET_AGENTS");
  }

  @Test
  void deactivatedAgentIsRescindedAndNotOfferedUntilReactivated() throws Exception {
    AgentId agent = subscribeAgent();
    framework("*");
    Offer offer = awaitOffer();
    ok(agentCall("DEACTIVATE_AGENT", agent));
    await().atMost(Duration.ofSeconds(10)).until(() -> frameworkEvents.stream()
        .anyMatch(e -> e.type() == Event.Type.RESCIND && e.rescind().offerId().equals(offer.id())));
    assertThat(agentView(agent).path("deactivated").asBoolean()).isTrue();
    assertThat(agentView(agent).has("drain_info")).isFalse();
    int offersSoFar = offers().size();
    long runs = allocationRuns();
    await().atMost(Duration.ofSeconds(10)).until(() -> allocationRuns() >= runs + 3);
    assertThat(offers()).hasSize(offersSoFar);

    ok(agentCall("REACTIVATE_AGENT", agent));
    await().atMost(Duration.ofSeconds(10)).until(() -> offers().size() > offersSoFar);
    assertThat(agentView(agent).path("active").asBoolean()).isTrue();
  }

  @Test
  void operatorCallsAnswerInProtobufToAProtobufClient() throws Exception {
    AgentId agent = subscribeAgent();
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    byte[] call = org.apache.mesos.v1.master.Protos.Call.newBuilder()
        .setType(org.apache.mesos.v1.master.Protos.Call.Type.GET_AGENTS).build().toByteArray();
    java.net.http.HttpResponse<byte[]> res = client.send(java.net.http.HttpRequest.newBuilder(uri("/api/v1"))
        .header("Content-Type", "application/x-protobuf").header("Accept", "application/x-protobuf")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(call)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertThat(res.statusCode()).isEqualTo(200);
    org.apache.mesos.v1.master.Protos.Response response = org.apache.mesos.v1.master.Protos.Response.parseFrom(res.body());
    assertThat(response.getType()).isEqualTo(org.apache.mesos.v1.master.Protos.Response.Type.GET_AGENTS);
    assertThat(response.getGetAgents().getAgentsList())
        .anyMatch(a -> a.getAgentInfo().getId().getValue().equals(agent.value()));
  }

  private long allocationRuns() throws Exception {
    return Json.MAPPER.readTree(http.get(uri("/metrics/snapshot")).join().body())
        .path("allocator/mesos/allocation_runs").asLong();
  }

  @Test
  void drainKillsTheTasksWithinTheGracePeriodAndEndsDrainedAcrossRestarts() throws Exception {
    AgentId agent = subscribeAgent();
    SchedulerClient fw = framework("*");
    TaskId task = launchRunning(fw, agent, "drained-away");
    ok(Map.of("type", "DRAIN_AGENT", "drain_agent", Map.of("agent_id", Map.of("value", agent.value()),
        "max_grace_period", "0.5s")));

    await().atMost(Duration.ofSeconds(10)).until(() -> agentEvents.stream().anyMatch(e -> e.type() == AgentEvent.Type.KILL));
    AgentEvent kill = agentEvents.stream().filter(e -> e.type() == AgentEvent.Type.KILL).findFirst().orElseThrow();
    assertThat(kill.kill().taskId()).isEqualTo(task);
    assertThat(Json.MAPPER.valueToTree(kill).toString()).contains("0.5");
    assertThat(agentView(agent).path("drain_info").path("state").asText()).isEqualTo("DRAINING");
    assertThat(agentView(agent).path("drain_info").path("config").path("max_grace_period").path("nanoseconds").asLong())
        .isEqualTo(500_000_000L);

    report(agent, fw, task, TaskState.TASK_KILLED);
    await().atMost(Duration.ofSeconds(10)).until(() -> agentView(agent).path("drain_info").path("state").asText()
        .equals("DRAINED"));
    master.close();
    master = startMaster();
    assertThat(agentView(agent).path("drain_info").path("state").asText()).isEqualTo("DRAINED");
    assertThat(agentView(agent).path("deactivated").asBoolean()).isTrue();
  }
  @Test
  void drainWithMarkGoneRemovesTheAgentAndRefusesItsReturn() throws Exception {
    AgentId agent = subscribeAgent();
    ok(Map.of("type", "DRAIN_AGENT", "drain_agent", Map.of("agent_id", Map.of("value", agent.value()),
        "mark_gone", true)));
    assertThat(get("GET_AGENTS").path("get_agents").path("agents")).isEmpty();

    AgentInfo again = new AgentInfo(agent, "127.0.0.1", 5051, Resources.parse("cpus:2;mem:1024").toList());
    JsonClient.Subscription s = http.subscribe(uri("/api/v1/agent"), AgentCall.subscribe(again, List.of()), Map.of(),
        AgentEvent.class, e -> { }, cause -> { });
    closeables.add(s);
    assertThat(s.isOpen()).isFalse();
    assertThat(s.reply().status()).isEqualTo(403);
    assertThat(s.reply().body()).contains("subscribe.agent_info.id", "marked gone");
  }
}
