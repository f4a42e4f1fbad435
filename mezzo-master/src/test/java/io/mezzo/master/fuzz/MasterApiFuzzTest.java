package io.mezzo.master.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.agentapi.AgentEvent;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.AgentInfo;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.model.OfferId;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.core.scheduler.Call;
import io.mezzo.core.scheduler.Event;
import io.mezzo.master.Master;
import io.mezzo.master.MasterConfig;
import io.mezzo.master.fuzz.JsonMutations.Mutation;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile input to a real master's APIs on loopback (one master, with an embedded ZooKeeper, for the
 * whole class): mutated JSON scheduler calls from a subscribed framework (with its stream id, a real
 * offer, agent and task to aim at), random and damaged protobuf, mutated operator calls and mutated
 * agent calls. Every answer must be a 2xx or a 4xx (never a 5xx), the master must stay healthy, and
 * a refused call must leave {@code /master/state} and {@code /master/roles} (frameworks, tasks, agents,
 * weights, quota) as they were. Seeded, so a run is repeatable; failures print the body sent.
 */
class MasterApiFuzzTest {
  static Path dir;
  static Master master;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  static final JsonClient json = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10));
  static final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
  static final List<Event> frameworkEvents = new CopyOnWriteArrayList<>();
  static final List<AgentEvent> agentEvents = new CopyOnWriteArrayList<>();
  static FrameworkId framework;
  static String streamId;
  static AgentId agent;
  static final TaskId TASK = new TaskId("fuzz-task-1");

  @BeforeContainer
  static void start() throws Exception {
    dir = Files.createTempDirectory("master-fuzz");
    master = Master.start(new MasterConfig("127.0.0.1", 0, dir, null, "127.0.0.1", Duration.ofSeconds(60), 5,
        Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofHours(1)));
    AgentInfo info = new AgentInfo(null, "127.0.0.1", 5051, Resources.parse("cpus:4;mem:4096").toList());
    JsonClient.Subscription a = json.subscribe(uri("/api/v1/agent"), AgentCall.subscribe(info, List.of()), Map.of(),
        AgentEvent.class, agentEvents::add, cause -> { });
    open.add(a);
    await().atMost(Duration.ofSeconds(10)).until(() -> agentEvents.stream().anyMatch(e -> e.type() == AgentEvent.Type.SUBSCRIBED));
    agent = agentEvents.stream().filter(e -> e.type() == AgentEvent.Type.SUBSCRIBED).findFirst().orElseThrow()
        .subscribed().agentId();
    JsonClient.Subscription f = json.subscribe(uri("/api/v1/scheduler"), Call.subscribe(
        new FrameworkInfo("u", "fuzz", null, 3600.0, false, "fuzz", null, null, null, null, List.of())), Map.of(),
        Event.class, frameworkEvents::add, cause -> { });
    open.add(f);
    streamId = f.reply().headers().get("mesos-stream-id");
    await().atMost(Duration.ofSeconds(10)).until(() -> frameworkEvents.stream().anyMatch(e -> e.type() == Event.Type.SUBSCRIBED));
    framework = frameworkEvents.stream().filter(e -> e.type() == Event.Type.SUBSCRIBED).findFirst().orElseThrow()
        .subscribed().frameworkId();
    // one running task to aim kills, acknowledgements and updates at
    OfferId offer = awaitOffer();
    TaskInfo task = new TaskInfo("fuzz", TASK, agent, Resources.parse("cpus:0.5;mem:64").toList(),
        CommandInfo.shell("sleep 1000"), null, null, null);
    assertThat(json.post(uri("/api/v1/scheduler"), Call.accept(framework, List.of(offer), List.of(task), 0.0),
        Map.of("Mesos-Stream-Id", streamId)).join().status()).isEqualTo(202);
    TaskStatus running = new TaskStatus(TASK, TaskState.TASK_RUNNING, null, TaskStatus.Source.SOURCE_EXECUTOR, null,
        agent, 1.0, "dXVpZA==", null);
    assertThat(json.post(uri("/api/v1/agent"), AgentCall.update(agent, framework, running), Map.of()).join().status())
        .isEqualTo(202);
  }

  @AfterContainer
  static void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    master.close();
  }

  static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + master.port() + path);
  }

  static OfferId awaitOffer() {
    int seen = frameworkEvents.size();
    await().atMost(Duration.ofSeconds(10)).until(() -> frameworkEvents.stream().anyMatch(e -> e.type() == Event.Type.OFFERS));
    List<Event> offers = frameworkEvents.stream().filter(e -> e.type() == Event.Type.OFFERS).toList();
    return offers.get(offers.size() - 1).offers().offers().get(0).id();
  }

  /** The latest offer the framework got (it may be gone by now: then the call aims at an unknown one). */
  static OfferId lastOffer() {
    List<Event> offers = frameworkEvents.stream().filter(e -> e.type() == Event.Type.OFFERS).toList();
    return offers.isEmpty() ? new OfferId("none") : offers.get(offers.size() - 1).offers().offers().get(0).id();
  }

  // ---------------------------------------------------------------- the calls to start from

  static List<JsonNode> schedulerTemplates() {
    TaskInfo task = new TaskInfo("fz", new TaskId("fz-" + System.nanoTime()), agent,
        Resources.parse("cpus:0.01;mem:1").toList(), CommandInfo.shell("true"), null, null, null);
    List<Object> calls = List.of(
        Call.accept(framework, List.of(lastOffer()), List.of(task), 1.0),
        Call.decline(framework, List.of(lastOffer()), 0.0),
        Call.kill(framework, new TaskId("no-such-task"), agent),
        Call.acknowledge(framework, agent, TASK, "dXVpZA=="),
        Call.reconcile(framework, List.of()),
        Call.of(framework, Call.Type.REVIVE),
        Call.of(framework, Call.Type.SUPPRESS),
        Map.of("type", "SHUTDOWN", "framework_id", Map.of("value", framework.value()),
            "shutdown", Map.of("executor_id", Map.of("value", "e"), "agent_id", Map.of("value", agent.value()))),
        Map.of("type", "MESSAGE", "framework_id", Map.of("value", framework.value()),
            "message", Map.of("executor_id", Map.of("value", "e"), "agent_id", Map.of("value", agent.value()),
                "data", "aGk=")),
        Call.subscribe(new FrameworkInfo("u", "fuzz-sub", null, 1.0, false, "fuzz", null, null, null, null, List.of())));
    List<JsonNode> out = new ArrayList<>();
    calls.forEach(c -> out.add(Json.MAPPER.valueToTree(c)));
    return out;
  }

  static List<JsonNode> operatorTemplates() {
    List<Object> calls = List.of(
        Map.of("type", "GET_STATE"),
        Map.of("type", "UPDATE_WEIGHTS", "update_weights", Map.of("weight_infos",
            List.of(Map.of("role", "fuzz", "weight", 2.0)))),
        Map.of("type", "UPDATE_QUOTA", "update_quota", Map.of("quota_configs", List.of(Map.of("role", "fuzz",
            "guarantees", Map.of("cpus", Map.of("value", 0.5)), "limits", Map.of("cpus", Map.of("value", 1.0)))))),
        Map.of("type", "DRAIN_AGENT", "drain_agent", Map.of("agent_id", Map.of("value", "no-such-agent"),
            "max_grace_period", "1.5s", "mark_gone", false)),
        Map.of("type", "DEACTIVATE_AGENT", "deactivate_agent", Map.of("agent_id", Map.of("value", "no-such-agent"))),
        Map.of("type", "REACTIVATE_AGENT", "reactivate_agent", Map.of("agent_id", Map.of("value", agent.value()))));
    List<JsonNode> out = new ArrayList<>();
    calls.forEach(c -> out.add(Json.MAPPER.valueToTree(c)));
    return out;
  }

  static List<JsonNode> agentTemplates() {
    TaskStatus s = new TaskStatus(TASK, TaskState.TASK_RUNNING, "fine", TaskStatus.Source.SOURCE_EXECUTOR, null, agent,
        2.0, "dXVpZA==", null);
    List<Object> calls = List.of(
        AgentCall.heartbeat(agent),
        AgentCall.update(agent, framework, s),
        AgentCall.subscribe(new AgentInfo(null, "127.0.0.2", 5052, Resources.parse("cpus:1;mem:64").toList()), List.of()));
    List<JsonNode> out = new ArrayList<>();
    calls.forEach(c -> out.add(Json.MAPPER.valueToTree(c)));
    return out;
  }

  @Provide
  Arbitrary<Integer> template() {
    return Arbitraries.integers().between(0, 9);
  }

  @Provide
  Arbitrary<Mutation> mutation() {
    return JsonMutations.mutations();
  }

  // ---------------------------------------------------------------- properties

  @Property(tries = 500, seed = "8105")
  void mutatedSchedulerCallsAreRefusedWith4xxAndChangeNothing(@ForAll("template") int which,
      @ForAll("mutation") Mutation m) throws Exception {
    List<JsonNode> templates = schedulerTemplates();
    byte[] body = JsonMutations.apply(templates.get(which % templates.size()), m);
    checkRefusalChangesNothing("/api/v1/scheduler", "application/json", body, Map.of("Mesos-Stream-Id", streamId));
  }

  @Property(tries = 300, seed = "8106")
  void mutatedOperatorCallsAreRefusedWith4xxAndChangeNothing(@ForAll("template") int which,
      @ForAll("mutation") Mutation m) throws Exception {
    List<JsonNode> templates = operatorTemplates();
    byte[] body = JsonMutations.apply(templates.get(which % templates.size()), m);
    checkRefusalChangesNothing("/api/v1", "application/json", body, Map.of());
  }

  @Property(tries = 300, seed = "8107")
  void mutatedAgentCallsAreRefusedWith4xxAndChangeNothing(@ForAll("template") int which,
      @ForAll("mutation") Mutation m) throws Exception {
    List<JsonNode> templates = agentTemplates();
    byte[] body = JsonMutations.apply(templates.get(which % templates.size()), m);
    checkRefusalChangesNothing("/api/v1/agent", "application/json", body, Map.of());
  }

  @Property(tries = 300, seed = "8108")
  void randomBytesAsProtobufAreRefusedWith4xx(@ForAll("protobufGarbage") byte[] body,
      @ForAll boolean toOperator) throws Exception {
    checkRefusalChangesNothing(toOperator ? "/api/v1" : "/api/v1/scheduler", "application/x-protobuf", body,
        Map.of("Mesos-Stream-Id", streamId, "Accept", "application/x-protobuf"));
  }

  @Provide
  Arbitrary<byte[]> protobufGarbage() {
    byte[] valid = org.apache.mesos.v1.scheduler.Protos.Call.newBuilder()
        .setType(org.apache.mesos.v1.scheduler.Protos.Call.Type.DECLINE)
        .setFrameworkId(org.apache.mesos.v1.Protos.FrameworkID.newBuilder().setValue("f"))
        .setDecline(org.apache.mesos.v1.scheduler.Protos.Call.Decline.newBuilder()
            .addOfferIds(org.apache.mesos.v1.Protos.OfferID.newBuilder().setValue("o")))
        .build().toByteArray();
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    Arbitrary<byte[]> flipped = net.jqwik.api.Combinators.combine(
        Arbitraries.integers().between(0, valid.length - 1), Arbitraries.bytes()).as((at, b) -> {
          byte[] copy = valid.clone();
          copy[at] = b;
          return copy;
        });
    // a length prefix claiming far more than there is, and deeply nested groups
    byte[] hugeLength = {0x12, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x01};
    byte[] groups = new byte[2000];
    java.util.Arrays.fill(groups, (byte) 0x0b); // start group, field 1, over and over
    return Arbitraries.oneOf(random, flipped, Arbitraries.of(hugeLength, groups, new byte[0]));
  }

  /** Regression: a drain grace period beyond a long in nanoseconds was a 500 (ArithmeticException). */
  @Example
  void hugeDrainGracePeriodIsA400() throws Exception {
    byte[] body = ("{\"type\":\"DRAIN_AGENT\",\"drain_agent\":{\"agent_id\":{\"value\":\"" + agent.value()
        + "\"},\"max_grace_period\":\"99999999999999999999s\"}}").getBytes(StandardCharsets.UTF_8);
    Answer a = post("/api/v1", "application/json", body, Map.of());
    assertThat(a.status).as(a.body).isEqualTo(400);
    assertThat(a.body).contains("drain_agent.max_grace_period");
  }

  /** Regression: an agent subscribing without resources made every later /master/state a 500. */
  @Example
  void agentWithoutResourcesLeavesTheStateReadable() throws Exception {
    byte[] body = "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"agent_info\":{\"hostname\":\"127.0.0.3\",\"port\":5053}}}"
        .getBytes(StandardCharsets.UTF_8);
    Answer a = post("/api/v1/agent", "application/json", body, Map.of());
    assertThat(a.status).as(a.body).isBetween(200, 499);
    assertThat(json.get(uri("/master/state")).join().status()).isEqualTo(200);
  }

  /** Regression: an agent registered a 56,000-character resource name, which made /master/state unparseable. */
  @Example
  void hugeResourceNameIsA400() throws Exception {
    byte[] body = ("{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"agent_info\":{\"hostname\":\"127.0.0.4\",\"port\":5054,"
        + "\"resources\":[{\"name\":\"" + "x".repeat(60_000) + "\",\"type\":\"SCALAR\",\"scalar\":{\"value\":1}}]}}}")
        .getBytes(StandardCharsets.UTF_8);
    Answer a = post("/api/v1/agent", "application/json", body, Map.of());
    assertThat(a.status).as(a.body).isEqualTo(400);
    assertThat(a.body).contains("subscribe.agent_info.resources[0].name: 60000 characters (expected: at most 256)");
  }

  // ---------------------------------------------------------------- checks

  record Answer(int status, String body) {}

  static Answer post(String path, String contentType, byte[] body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
        .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    HttpResponse<InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    InputStream in = r.body();
    if (r.headers().firstValue("content-length").isEmpty()) {
      open.add(in); // an event stream (a subscription that was accepted): keep it open, as a client would
      // the master attaches the stream once the headers are out; its first event (SUBSCRIBED) says it has
      java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return in.read();
        } catch (IOException e) {
          return -1;
        }
      }).get(10, java.util.concurrent.TimeUnit.SECONDS);
      return new Answer(r.statusCode(), "(stream)");
    }
    try (in) {
      return new Answer(r.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static void checkRefusalChangesNothing(String path, String contentType, byte[] body,
      Map<String, String> headers) throws Exception {
    String before = snapshot();
    Answer a = post(path, contentType, body, headers);
    String sent = JsonMutations.show(body);
    net.jqwik.api.statistics.Statistics.label("status").collect(a.status);
    assertThat(a.status).as("answer %s to %s", a.body, sent).isBetween(200, 499);
    assertThat(json.get(uri("/health")).join().status()).as("master health after %s", sent).isEqualTo(200);
    if (a.status >= 400) {
      assertThat(a.body).as("a refusal says why, for %s", sent).isNotBlank();
      assertThat(snapshot()).as("state after %d %s to %s", a.status, a.body, sent).isEqualTo(before);
    }
  }

  /** What a refused call must not change: frameworks, their tasks, agents, role weights and quota. */
  static String snapshot() throws IOException {
    JsonClient.Reply r = json.get(uri("/master/state")).join();
    assertThat(r.status()).as("/master/state: %s", r.body()).isEqualTo(200);
    JsonNode state = Json.MAPPER.readTree(r.body());
    Map<String, String> out = new TreeMap<>();
    for (String list : new String[] {"frameworks", "completed_frameworks"}) {
      for (JsonNode f : state.path(list)) {
        StringBuilder s = new StringBuilder(list + " " + f.path("name").asText() + " roles=" + f.path("roles")
            + " connected=" + f.path("connected") + " active=" + f.path("active") + " tasks=");
        for (String tasks : new String[] {"tasks", "completed_tasks", "unreachable_tasks"}) {
          f.path(tasks).forEach(t -> s.append(t.path("id").asText()).append(':').append(t.path("state").asText())
              .append(','));
        }
        out.put("framework " + f.path("id").asText(), s.toString());
      }
    }
    for (JsonNode a : state.path("slaves")) {
      out.put("agent " + a.path("id").asText(), "active=" + a.path("active") + " deactivated="
          + a.path("deactivated") + " drain=" + a.path("drain_info") + " resources=" + a.path("resources"));
    }
    JsonNode roles = Json.MAPPER.readTree(json.get(uri("/master/roles")).join().body());
    for (JsonNode role : roles.path("roles")) {
      ObjectNode q = (ObjectNode) role.path("quota").deepCopy();
      q.remove("consumed");
      out.put("role " + role.path("name").asText(), "weight=" + role.path("weight") + " quota=" + q);
    }
    return out.toString();
  }
}
