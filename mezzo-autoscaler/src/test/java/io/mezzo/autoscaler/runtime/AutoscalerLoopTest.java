package io.mezzo.autoscaler.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AutoscalerLoop} driven tick by tick on a fixed clock, with real HTTP servers standing for the
 * services API and a load balancer's {@code /stats}: it PATCHes the count when the decision changes it,
 * waits while a deployment runs, evaluates on the policy's period, records and publishes decisions, and
 * serves them under {@code /v1/autoscaler}.
 */
class AutoscalerLoopTest {
  private static final String POLICY = """
      {"minInstances": 1, "maxInstances": %d, "evaluationSeconds": 15,
       "metrics": [{"name": "requestsPerSecond", "target": %d}]}""";

  private final FakeEndpoints services = new FakeEndpoints();
  private final FakeEndpoints lb = new FakeEndpoints();
  private final TestClock clock = new TestClock(Instant.parse("2026-11-27T10:00:00Z"));
  private final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
  private final AutoscalerLoop loop = new AutoscalerLoop(URI.create("http://" + services.address()),
      new MetricsGatherer(List.of(lb.address()), null, Duration.ofSeconds(2)), events::add, clock);

  @AfterEach
  void close() {
    loop.close();
    services.close();
    lb.close();
  }

  /** An app of {@code instances} instances, all ready, each taking {@code rps} through the balancer. */
  private void app(int instances, double rps, String deployments, String autoscaling) {
    StringBuilder tasks = new StringBuilder();
    StringBuilder backends = new StringBuilder();
    for (int i = 0; i < instances; i++) {
      tasks.append(i == 0 ? "" : ",").append("""
          {"id": "web.%d", "host": "127.0.0.1", "ports": [1], "mezzoState": "RUNNING", "startedAt": "2026-11-27T09:00:00.000Z"}
          """.formatted(i));
      backends.append(i == 0 ? "" : ",").append("\"web.%d\": {\"rps\": %s, \"in_flight\": 1}".formatted(i, rps));
    }
    services.set("/v2/apps", """
        {"apps": [{"id": "/web", "instances": %d, "cpus": 0.1, "mem": 64, "deployments": [%s], "labels": {},
          "autoscaling": %s, "tasks": [%s]},
          {"id": "/plain", "instances": 1, "deployments": [], "tasks": []}]}
        """.formatted(instances, deployments, autoscaling, tasks));
    lb.set("/stats", "{\"routes\": {\"/web:0\": {\"rps\": 1, \"p99_ms\": 5, \"backends\": {" + backends + "}}}}");
  }

  private List<String> patches() {
    return services.writes.stream().map(r -> r.method() + " " + r.path() + " " + r.bodyText()).toList();
  }

  @Test
  void patchesTheAppWhenTheDecisionChangesTheCount() {
    app(2, 20, "", POLICY.formatted(10, 10));

    loop.tickNow().join();

    assertThat(patches()).containsExactly("PATCH /v2/apps/web {\"instances\":4}");
    assertThat(events).hasSize(1);
    Map<String, Object> e = events.get(0);
    assertThat(e).containsEntry("appId", "/web").containsEntry("current", 2).containsEntry("desired", 4)
        .containsEntry("outcome", "scaled");
    assertThat(e.get("metrics")).isEqualTo(Map.of("requestsPerSecond", Map.of("value", 20.0, "instances", 2)));
    assertThat(e.get("reason").toString()).contains("targetTracking requestsPerSecond").endsWith("-> 4");
  }

  @Test
  void waitsWhileADeploymentOfTheAppIsInProgress() {
    app(2, 20, "{\"id\": \"dep-1\"}", POLICY.formatted(10, 10));
    loop.tickNow().join();
    clock.advance(Duration.ofSeconds(30));
    loop.tickNow().join();

    assertThat(patches()).isEmpty();
    assertThat(view("/web").get("status").asText()).isEqualTo("waiting: deployment dep-1 in progress");
    assertThat(view("/web").get("recommendation").isNull()).isTrue();

    app(2, 20, "", POLICY.formatted(10, 10));
    clock.advance(Duration.ofSeconds(1));
    loop.tickNow().join();

    assertThat(patches()).containsExactly("PATCH /v2/apps/web {\"instances\":4}");
  }

  @Test
  void anAppIsEvaluatedEveryEvaluationSecondsOnly() {
    app(2, 20, "", POLICY.formatted(10, 10));
    loop.tickNow().join();
    app(4, 20, "", POLICY.formatted(10, 10)); // the scale-out landed; load per instance unchanged: wants 8
    clock.advance(Duration.ofSeconds(14));
    loop.tickNow().join();

    assertThat(patches()).hasSize(1);

    clock.advance(Duration.ofSeconds(1));
    loop.tickNow().join();

    assertThat(patches()).containsExactly("PATCH /v2/apps/web {\"instances\":4}", "PATCH /v2/apps/web {\"instances\":8}");
  }

  @Test
  void aDecisionHeldByALimitIsRecordedAndPublishedOnceWithItsRepeatsAndNothingIsPatched() {
    app(3, 50, "", POLICY.formatted(3, 10));
    loop.tickNow().join();
    clock.advance(Duration.ofSeconds(15));
    loop.tickNow().join();

    assertThat(patches()).isEmpty();
    JsonNode decisions = view("/web").get("decisions");
    assertThat(decisions).hasSize(1);
    JsonNode d = decisions.get(0);
    assertThat(d.get("current").asInt()).isEqualTo(3);
    assertThat(d.get("desired").asInt()).isEqualTo(3);
    assertThat(d.get("limitedBy").asText()).isEqualTo("maxInstances 3");
    assertThat(d.get("outcome").asText()).isEqualTo("held");
    assertThat(d.get("repeats").asInt()).isEqualTo(2);
    assertThat(d.get("proposals").get(0).get("instances").asInt()).isEqualTo(15);
    assertThat(d.get("metrics").get("requestsPerSecond").get("value").asDouble()).isEqualTo(50.0);
    assertThat(events).hasSize(1); // the repeat is folded, not published again
  }

  @Test
  void anUnchangedCountOnTargetIsNeitherRecordedNorPublished() {
    app(2, 10, "", POLICY.formatted(10, 10));
    loop.tickNow().join();

    assertThat(patches()).isEmpty();
    assertThat(events).isEmpty();
    assertThat(view("/web").get("decisions")).isEmpty();
    assertThat(view("/web").get("recommendation").get("desired").asInt()).isEqualTo(2);
  }

  @Test
  void aChangedPolicyIsAppliedAtOnce() {
    app(2, 10, "", POLICY.formatted(10, 10));
    loop.tickNow().join();
    app(2, 10, "", POLICY.formatted(10, 5)); // half the target: twice the instances
    clock.advance(Duration.ofSeconds(1));
    loop.tickNow().join();

    assertThat(patches()).containsExactly("PATCH /v2/apps/web {\"instances\":4}");
    assertThat(view("/web").get("policy").get("metrics").get(0).get("target").asDouble()).isEqualTo(5.0);
  }

  @Test
  void anInvalidPolicyIsReportedAndLeavesTheAppAlone() {
    app(2, 50, "", "{\"maxInstances\": 0, \"metrics\": []}");
    loop.tickNow().join();

    assertThat(patches()).isEmpty();
    assertThat(view("/web").get("status").asText()).startsWith("invalid policy: autoscaling.");
  }

  @Test
  void theApiServesEachAppAndTheList() throws Exception {
    app(2, 20, "", POLICY.formatted(10, 10));
    loop.tickNow().join();
    HttpServer.Builder b = HttpServer.builder().bind("127.0.0.1", 0).name("autoscaler-api-test");
    loop.routes(b);
    try (HttpServer server = b.start()) {
      String base = "http://127.0.0.1:" + server.port();
      HttpResponse<String> one = get(base + "/v1/autoscaler/apps/web");
      HttpResponse<String> all = get(base + "/v1/autoscaler/apps");
      HttpResponse<String> none = get(base + "/v1/autoscaler/apps/plain");

      assertThat(one.statusCode()).isEqualTo(200);
      JsonNode app = Http.parse(one.body());
      assertThat(app.get("appId").asText()).isEqualTo("/web");
      assertThat(app.get("policy").get("maxInstances").asInt()).isEqualTo(10);
      assertThat(app.get("recommendation").get("desired").asInt()).isEqualTo(4);
      assertThat(app.get("decisions").get(0).get("outcome").asText()).isEqualTo("scaled");
      assertThat(app.get("metrics").get("requestsPerSecond").get("value").asDouble()).isEqualTo(20.0);
      assertThat(Http.parse(all.body()).get("apps")).hasSize(1);
      assertThat(none.statusCode()).isEqualTo(404);
      assertThat(none.body()).contains("/plain");
    }
  }

  @Test
  void theHistoryHasAPointPerEvaluationWithItsMetricsTargetsAndTheDecisions() throws Exception {
    app(2, 20, "", POLICY.formatted(10, 10));
    loop.tickNow().join();
    Instant first = clock.instant();
    app(4, 10, "", POLICY.formatted(10, 10)); // the scale-out landed: on target now
    clock.advance(Duration.ofSeconds(15));
    loop.tickNow().join();
    HttpServer.Builder b = HttpServer.builder().bind("127.0.0.1", 0).name("autoscaler-history-test");
    loop.routes(b);
    try (HttpServer server = b.start()) {
      String base = "http://127.0.0.1:" + server.port();
      HttpResponse<String> history = get(base + "/v1/autoscaler/apps/web/history");
      HttpResponse<String> none = get(base + "/v1/autoscaler/apps/plain/history");

      assertThat(history.statusCode()).as(history.body()).isEqualTo(200);
      JsonNode h = Http.parse(history.body());
      assertThat(h.get("app").asText()).isEqualTo("/web");
      JsonNode points = h.get("points");
      assertThat(points).hasSize(2);
      assertThat(points.get(0).get("t").asLong()).isEqualTo(first.toEpochMilli());
      assertThat(points.get(0).get("instances").asInt()).isEqualTo(2);
      assertThat(points.get(0).get("desired").asInt()).isEqualTo(4);
      assertThat(points.get(0).get("metrics").get("requestsPerSecond").asDouble()).isEqualTo(20.0);
      assertThat(points.get(0).get("targets").get("requestsPerSecond").asDouble()).isEqualTo(10.0);
      assertThat(points.get(1).get("t").asLong()).isEqualTo(first.toEpochMilli() + 15_000);
      assertThat(points.get(1).get("instances").asInt()).isEqualTo(4);
      assertThat(points.get(1).get("metrics").get("requestsPerSecond").asDouble()).isEqualTo(10.0);
      assertThat(h.get("decisions")).isEqualTo(Http.parse(get(base + "/v1/autoscaler/apps/web").body()).get("decisions"));
      assertThat(h.get("decisions")).hasSize(1);
      assertThat(none.statusCode()).isEqualTo(404);
      assertThat(none.body()).contains("/plain");
    }
  }

  @Test
  void theHistoryKeepsTheLastHourOnly() {
    AppHistory history = new AppHistory();
    Instant t0 = Instant.parse("2026-11-27T10:00:00Z");
    for (int i = 0; i <= 240; i++) { // every 30 s for two hours
      history.add(new AppHistory.Point(t0.plusSeconds(30L * i), 1, 1, 1, Map.of(), Map.of()));
    }

    List<AppHistory.Point> points = history.points();
    assertThat(points).hasSize(121);
    assertThat(points.get(0).t()).isEqualTo(t0.plus(Duration.ofHours(1)));
    assertThat(points.get(120).t()).isEqualTo(t0.plus(Duration.ofHours(2)));
  }

  @Test
  void theHistoryKeepsAtMostItsCapacity() {
    AppHistory history = new AppHistory();
    Instant t0 = Instant.parse("2026-11-27T10:00:00Z");
    for (int i = 0; i < AppHistory.CAPACITY + 10; i++) {
      history.add(new AppHistory.Point(t0.plusMillis(100L * i), 1, 1, 1, Map.of(), Map.of()));
    }

    assertThat(history.points()).hasSize(AppHistory.CAPACITY);
    assertThat(history.points().get(0).t()).isEqualTo(t0.plusMillis(1000));
  }

  @Test
  void theServicesApiNotAnsweringChangesNothing() {
    app(2, 20, "", POLICY.formatted(10, 10));
    loop.tickNow().join();
    services.remove("/v2/apps");
    clock.advance(Duration.ofSeconds(15));
    loop.tickNow().join();

    assertThat(patches()).hasSize(1);
    assertThat(view("/web").get("status").asText()).startsWith("stale: the services API did not answer");
  }

  private JsonNode view(String id) {
    JsonNode v = loop.viewForTest(id);
    assertThat(v).as("view of " + id).isNotNull();
    return v;
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** A clock tests move. */
  static final class TestClock extends Clock {
    private volatile Instant now;

    TestClock(Instant start) {
      now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
