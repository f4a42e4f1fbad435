package io.mezzo.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.agentapi.AgentEvent;
import io.mezzo.core.auth.Access;
import io.mezzo.core.auth.Caller;
import io.mezzo.core.auth.Security;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
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
import io.mezzo.core.scheduler.Call;
import io.mezzo.core.scheduler.Event;
import io.mezzo.core.scheduler.SchedulerClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's master endpoints on a real master, with an agent that is a real HTTP server of the
 * test's own (its agent API stream, files API and {@code /monitor/statistics}) and a framework that
 * launched one task on it.
 */
class DashboardApiTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String MASTER_SECRET = "the-masters-own-secret-0123456789";

  @TempDir
  Path dir;

  Master master;
  HttpServer fakeAgent;
  JsonClient.Subscription agentStream;
  SchedulerClient framework;
  AgentId agentId;
  final JsonClient http = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10));
  final List<AgentEvent> agentEvents = new CopyOnWriteArrayList<>();
  final List<Event> frameworkEvents = new CopyOnWriteArrayList<>();
  final List<String> filesQueries = new CopyOnWriteArrayList<>();
  final AtomicInteger statisticsCalls = new AtomicInteger();
  final List<String> authorizations = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    fakeAgent = HttpServer.builder().bind("127.0.0.1", 0).name("fake-agent")
        .route("GET", "/files/read", Access.VIEWER, req -> {
          authorizations.add(String.valueOf(req.header("Authorization")));
          filesQueries.add("read path=" + req.queryParam("path") + " offset=" + req.queryParam("offset")
              + " length=" + req.queryParam("length"));
          return CompletableFuture.completedFuture(HttpResponse.json(200,
              Map.of("data", "hello\n", "offset", Long.parseLong(req.queryParam("offset")))));
        })
        .route("GET", "/files/browse", Access.VIEWER, req -> CompletableFuture.completedFuture(
            req.queryParam("path").equals("/denied") ? HttpResponse.text(401, "unknown token")
                : HttpResponse.json(200, List.of(Map.of("path", req.queryParam("path") + "/stdout", "size", 6)))))
        .route("GET", "/images", Access.VIEWER, req -> {
          authorizations.add(String.valueOf(req.header("Authorization")));
          return CompletableFuture.completedFuture(HttpResponse.json(200, List.of(Map.of("digest", "sha256:abc",
              "references", List.of("reg:5000/web:1"), "size_bytes", 1234, "tasks", List.of("t1")))));
        })
        .route("GET", "/monitor/statistics", Access.VIEWER, req -> {
          statisticsCalls.incrementAndGet();
          return CompletableFuture.completedFuture(HttpResponse.json(200, List.of(Map.of("executor_id", "t1",
              "framework_id", "F", "statistics", Map.of("timestamp", 1.7e9, "cpus_user_time_secs", 1.5,
                  "cpus_system_time_secs", 0.5, "mem_rss_bytes", 1 << 20)))));
        })
        .start();
    master = Master.start(new MasterConfig("127.0.0.1", 0, dir, null, "127.0.0.1", Duration.ofSeconds(5), 5,
        Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(1)), Security.NONE,
        Caller.withToken(MASTER_SECRET), b -> { }, why -> { });
    AgentInfo info = new AgentInfo(null, "127.0.0.1", fakeAgent.port(),
        Resources.parse("cpus:2;mem:1024;disk:100;ports:[31000-31009]").toList());
    agentStream = http.subscribe(uri("/api/v1/agent"), AgentCall.subscribe(info, List.of()), Map.of(), AgentEvent.class,
        agentEvents::add, cause -> { });
    await().atMost(WAIT).until(() -> agentEvents.stream().anyMatch(e -> e.type() == AgentEvent.Type.SUBSCRIBED));
    agentId = agentEvents.stream().filter(e -> e.type() == AgentEvent.Type.SUBSCRIBED).findFirst().orElseThrow()
        .subscribed().agentId();
    framework = SchedulerClient.subscribe("127.0.0.1:" + master.port(), new FrameworkInfo("tester", "dash", null, 60.0,
        false, null, null, null, null, null, List.of()), frameworkEvents::add, cause -> { }, WAIT);
    Offer offer = await().atMost(WAIT).until(() -> frameworkEvents.stream().filter(e -> e.type() == Event.Type.OFFERS)
        .map(e -> e.offers().offers().get(0)).findFirst().orElse(null), o -> o != null);
    TaskInfo task = new TaskInfo("t1", TaskId.of("t1"), offer.agentId(), Resources.parse("cpus:1;mem:256").toList(),
        CommandInfo.shell("sleep 1000"), null, null, null);
    // the rest of the offer is refused for an hour: the framework holds exactly the task's resources
    assertThat(framework.send(Call.accept(framework.frameworkId(), List.of(offer.id()), List.of(task), 3600.0))
        .join().status()).isEqualTo(202);
  }

  @AfterEach
  void stop() {
    if (framework != null) {
      framework.close();
    }
    if (agentStream != null) {
      agentStream.close();
    }
    if (master != null) {
      master.close();
    }
    if (fakeAgent != null) {
      fakeAgent.close();
    }
  }

  @Test
  void overviewCountsAgentsAndResourcesAndGivesTheFrameworksDominantShare() {
    JsonNode overview = await().atMost(WAIT).until(() -> get("/v1/overview").json(),
        o -> o.path("frameworks").path(0).path("tasks").asInt() == 1);

    assertThat(overview.path("agents").path("active").asInt()).isEqualTo(1);
    assertThat(overview.path("agents").path("draining").asInt()).isZero();
    assertThat(overview.path("agents").path("unreachable").asInt()).isZero();
    JsonNode cpus = overview.path("resources").path("cpus");
    assertThat(cpus.path("total").asDouble()).isEqualTo(2.0);
    assertThat(cpus.path("used").asDouble()).isEqualTo(1.0);
    assertThat(cpus.path("offered").asDouble()).isZero();
    assertThat(overview.path("resources").path("mem").path("used").asDouble()).isEqualTo(256.0);
    assertThat(overview.path("resources").path("ports").path("total").asLong()).isEqualTo(10);
    assertThat(overview.path("resources").has("disk")).isTrue();
    JsonNode fw = overview.path("frameworks").get(0);
    assertThat(fw.path("id").asText()).isEqualTo(framework.frameworkId().value());
    assertThat(fw.path("name").asText()).isEqualTo("dash");
    assertThat(fw.path("roles").get(0).asText()).isEqualTo("*");
    assertThat(fw.path("active").asBoolean()).isTrue();
    // 1 of 2 cpus is its dominant resource (256 of 1024 mem is less)
    assertThat(fw.path("dominant_share").asDouble()).isEqualTo(0.5);
  }

  @Test
  void agentsListTheirTasksAndAskTheAgentForUsageOnlyUntilAHeartbeatCarriesIt() {
    JsonNode agent = await().atMost(WAIT).until(() -> get("/v1/agents").json().path("agents").get(0),
        a -> a.path("tasks").size() == 1);

    assertThat(agent.path("id").asText()).isEqualTo(agentId.value());
    assertThat(agent.path("address").asText()).isEqualTo("127.0.0.1:" + fakeAgent.port());
    assertThat(agent.path("state").asText()).isEqualTo("ACTIVE");
    assertThat(agent.path("resources").path("cpus").asDouble()).isEqualTo(2.0);
    assertThat(agent.path("used").path("cpus").asDouble()).isEqualTo(1.0);
    JsonNode task = agent.path("tasks").get(0);
    assertThat(task.path("id").asText()).isEqualTo("t1");
    assertThat(task.path("framework_id").asText()).isEqualTo(framework.frameworkId().value());
    assertThat(task.path("state").asText()).isEqualTo("TASK_STAGING");
    assertThat(agent.path("usage").path("source").asText()).isEqualTo("agent");
    assertThat(agent.path("usage").path("mem_rss_bytes").asLong()).isEqualTo(1 << 20);
    assertThat(agent.path("usage").path("cpus_time_secs").asDouble()).isEqualTo(2.0);
    int asked = statisticsCalls.get();
    get("/v1/agents");
    assertThat(statisticsCalls.get()).as("a second look within the cache's life").isEqualTo(asked);

    AgentCall.TaskUsage usage = new AgentCall.TaskUsage(framework.frameworkId(), TaskId.of("t1"), 0.25, 1.0, 0.5,
        3L << 20, 256L << 20, 1.7e9);
    assertThat(http.post(uri("/api/v1/agent"), AgentCall.heartbeat(agentId, List.of(usage)), Map.of()).join().status())
        .isEqualTo(202);

    JsonNode after = get("/v1/agents").json().path("agents").get(0).path("usage");
    assertThat(after.path("source").asText()).isEqualTo("heartbeat");
    assertThat(after.path("cpus_used").asDouble()).isEqualTo(0.25);
    assertThat(after.path("mem_rss_bytes").asLong()).isEqualTo(3L << 20);
    assertThat(after.path("tasks").get(0).path("task_id").asText()).isEqualTo("t1");
  }

  @Test
  void aTasksSandboxIsReadAndBrowsedThroughTheMasterWithTheLengthCapped() {
    JsonNode sandbox = await().atMost(WAIT).until(() -> get("/v1/tasks/t1/sandbox"), a -> a.status() == 200).json();
    String path = "/frameworks/" + framework.frameworkId().value() + "/tasks/t1/runs/latest";
    assertThat(sandbox.path("agent_id").asText()).isEqualTo(agentId.value());
    assertThat(sandbox.path("path").asText()).isEqualTo(path);

    Got read = get("/v1/files/read?agent_id=" + agentId.value() + "&path=" + path + "/stdout&offset=5"
        + "&length=99999999");
    assertThat(read.status()).as(read.body()).isEqualTo(200);
    assertThat(read.json().path("data").asText()).isEqualTo("hello\n");
    assertThat(filesQueries).containsExactly("read path=" + path + "/stdout offset=5 length=1048576");
    assertThat(authorizations).as("the master's own credential, not the caller's").containsExactly(
        "Bearer " + MASTER_SECRET);
    Got browse = get("/v1/files/browse?agent_id=" + agentId.value() + "&path=" + path);
    assertThat(browse.status()).as(browse.body()).isEqualTo(200);
    assertThat(browse.json().get(0).path("path").asText()).isEqualTo(path + "/stdout");
  }

  @Test
  void anAgentsImagesAreListedThroughTheMasterWithItsOwnCredential() {
    Got images = get("/v1/images?agent_id=" + agentId.value());
    assertThat(images.status()).as(images.body()).isEqualTo(200);
    assertThat(images.json().get(0).path("references").get(0).asText()).isEqualTo("reg:5000/web:1");
    assertThat(images.json().get(0).path("tasks").get(0).asText()).isEqualTo("t1");
    assertThat(authorizations).containsExactly("Bearer " + MASTER_SECRET);
    assertThat(get("/v1/images").status()).isEqualTo(400);
    assertThat(get("/v1/images?agent_id=nope").status()).isEqualTo(404);
  }

  @Test
  void badParametersAreRefusedNamingThemAndUnknownIdsAreNotFound() {
    String a = "agent_id=" + agentId.value();
    assertThat(get("/v1/files/read?path=/x")).satisfies(r -> {
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).startsWith("agent_id: missing");
    });
    assertThat(get("/v1/files/read?" + a)).satisfies(r -> {
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).startsWith("path: missing");
    });
    assertThat(get("/v1/files/read?" + a + "&path=/x&offset=ten")).satisfies(r -> {
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).startsWith("offset: 'ten' (expected: an integer >= -1");
    });
    assertThat(get("/v1/files/read?" + a + "&path=/x&length=-1")).satisfies(r -> {
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).startsWith("length: -1 (expected: an integer >= 0)");
    });
    assertThat(get("/v1/files/browse?agent_id=nope&path=/x")).satisfies(r -> {
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.body()).startsWith("agent_id: 'nope' is unknown");
    });
    assertThat(get("/v1/tasks/nope/sandbox")).satisfies(r -> {
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.body()).startsWith("task: 'nope' is unknown");
    });
    assertThat(get("/v1/tasks/t1/elsewhere").status()).isEqualTo(404);
    assertThat(get("/v1/files/browse?" + a + "&path=/denied")).satisfies(r -> {
      assertThat(r.status()).isEqualTo(502);
      assertThat(r.body()).startsWith("agent_id: '" + agentId.value() + "' at 127.0.0.1:" + fakeAgent.port()
          + " refused the master's credential (HTTP 401: unknown token;");
    });
    assertThat(filesQueries).isEmpty();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + master.port() + path);
  }

  private record Got(int status, String body) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (java.io.IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }

  private Got get(String path) {
    JsonClient.Reply r = http.get(uri(path)).join();
    return new Got(r.status(), r.body());
  }
}
