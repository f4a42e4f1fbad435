package io.mezzo.autoscaler.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.autoscaler.MetricValue;
import io.mezzo.core.http.HttpRequest;
import io.mezzo.autoscaler.policy.ScalingPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MetricsGatherer} against real HTTP servers on loopback serving a balancer's {@code /stats},
 * the master's {@code /master/state}, instances' {@code /metrics} and an external JSON document: what
 * it averages, what it leaves out, and that what it cannot read is absent, never 0.
 */
class MetricsGathererTest {
  private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
  private final FakeEndpoints cluster = new FakeEndpoints(); // LB, master, external JSON, instance a
  private final FakeEndpoints instanceB = new FakeEndpoints();

  @AfterEach
  void close() {
    cluster.close();
    instanceB.close();
  }

  /** a and b ready (b started 10 s ago), c draining, d staging, e unhealthy. */
  private AppView app(String labels) {
    String json = """
        {"id": "/web", "instances": 5, "cpus": 0.5, "mem": 128, "deployments": [],
         "healthChecks": [{"protocol": "MESOS_HTTP", "path": "/health"}],
         "labels": {%s},
         "autoscaling": {"maxInstances": 10, "metrics": [{"name": "cpu", "target": 0.5}]},
         "tasks": [
          {"id": "a", "host": "127.0.0.1", "ports": [%d], "mezzoState": "RUNNING", "startedAt": "2026-11-27T09:00:00.000Z",
           "healthCheckResults": [{"alive": true}]},
          {"id": "b", "host": "127.0.0.1", "ports": [%d], "mezzoState": "RUNNING", "startedAt": "2026-11-27T09:59:50.000Z",
           "healthCheckResults": [{"alive": true}]},
          {"id": "c", "host": "127.0.0.1", "ports": [1], "mezzoState": "DRAINING", "startedAt": "2026-11-27T09:00:00.000Z",
           "healthCheckResults": [{"alive": true}]},
          {"id": "d", "host": "127.0.0.1", "ports": [1], "mezzoState": "STAGING"},
          {"id": "e", "host": "127.0.0.1", "ports": [1], "mezzoState": "RUNNING", "startedAt": "2026-11-27T09:00:00.000Z",
           "healthCheckResults": [{"alive": false}]}]}
        """.formatted(labels, cluster.port(), instanceB.port());
    return AppView.parse(Http.parse(json));
  }

  private static ScalingPolicy policy(String... metrics) {
    StringBuilder m = new StringBuilder();
    for (String name : metrics) {
      m.append(m.length() == 0 ? "" : ",").append("{\"name\": \"").append(name).append("\", \"target\": 1}");
    }
    return ScalingPolicy.parse("{\"maxInstances\": 10, \"cpuInitializationSeconds\": 60, \"metrics\": [" + m + "]}");
  }

  private MetricsGatherer gatherer() {
    return new MetricsGatherer(List.of(cluster.address()), cluster.address(), Duration.ofSeconds(2));
  }

  private static final String STATS = """
      {"routes": {
        "/web:0": {"rps": 40.0, "p50_ms": 10.0, "p90_ms": 30.0, "p95_ms": 60.0, "p99_ms": 90.0, "in_flight": 9, "backends": {
          "a": {"rps": 12.0, "in_flight": 3, "draining": false},
          "b": {"rps": 8.0, "in_flight": 1, "draining": false},
          "c": {"rps": 20.0, "in_flight": 5, "draining": true}}},
        "/webx:0": {"rps": 500.0, "p95_ms": 800.0, "p99_ms": 900.0, "backends": {"a": {"rps": 500.0, "in_flight": 50}}},
        "/other:0": {"rps": 1.0, "p95_ms": 1.0, "p99_ms": 1.0, "backends": {}}}}
      """;

  @Test
  void requestsAndInFlightAverageOverTheReadyInstancesTheBalancerLists() {
    cluster.set("/stats", STATS);
    var g = gatherer().gather(app(""), policy("requestsPerSecond", "inFlight"), NOW);

    assertThat(g.observation().ready()).isEqualTo(2);
    assertThat(g.observation().current()).isEqualTo(5);
    assertThat(g.observation().metric(MetricValue.REQUESTS_PER_SECOND)).isEqualTo(MetricValue.perInstance(10.0, 2));
    assertThat(g.observation().metric(MetricValue.IN_FLIGHT)).isEqualTo(MetricValue.perInstance(2.0, 2));
  }

  @Test
  void inFlightIsTheTenSecondMeanUnlessTheCountOfTheInstantIsASurgeOverIt() {
    // steady: the mean (2.5 and 1.5: 2 per instance) is used, not the instant's 3 and 1
    cluster.set("/stats", STATS.replace("\"in_flight\": 3,", "\"in_flight\": 3, \"in_flight_avg\": 2.5,")
        .replace("\"in_flight\": 1,", "\"in_flight\": 1, \"in_flight_avg\": 1.5,"));
    var steady = gatherer().gather(app(""), policy("inFlight"), NOW);
    assertThat(steady.observation().metric(MetricValue.IN_FLIGHT)).isEqualTo(MetricValue.perInstance(2.0, 2));
    assertThat(steady.notes()).doesNotContainKey(MetricValue.IN_FLIGHT);

    // a surge: 4 in flight per instance now against a mean of 0.5: the instant's count is used
    cluster.set("/stats", STATS.replace("\"in_flight\": 3,", "\"in_flight\": 7, \"in_flight_avg\": 0.5,")
        .replace("\"in_flight\": 1,", "\"in_flight\": 1, \"in_flight_avg\": 0.5,"));
    var surge = gatherer().gather(app(""), policy("inFlight"), NOW);
    assertThat(surge.observation().metric(MetricValue.IN_FLIGHT)).isEqualTo(MetricValue.perInstance(4.0, 2));
    assertThat(surge.notes().get(MetricValue.IN_FLIGHT)).isEqualTo("a surge: 4.00 in flight now, over 2x the 10 s mean of 0.500");
  }

  @Test
  void latencyIsTheWorstP95OfTheAppsRoutes() {
    cluster.set("/stats", STATS.replace("\"/other:0\"", "\"/web:1\""));
    var g = gatherer().gather(app(""), policy("latencyP95Ms"), NOW);

    // /web:0 60 ms and /web:1 1 ms; /webx:0 is another app's
    assertThat(g.observation().metric(MetricValue.LATENCY_P95_MS)).isEqualTo(MetricValue.appWide(60.0));
    assertThat(g.notes()).doesNotContainKey(MetricValue.LATENCY_P95_MS);
  }

  @Test
  void aRouteWithTrafficButNoP95MakesTheLatencyMissingNotZero() {
    cluster.set("/stats", """
        {"routes": {
          "/web:0": {"rps": 40.0, "p95_ms": 60.0, "backends": {"a": {"rps": 40.0, "in_flight": 1}}},
          "/web:1": {"rps": 5.0, "p99_ms": 900.0, "backends": {"a": {"rps": 5.0, "in_flight": 1}}}}}""");
    var g = gatherer().gather(app(""), policy("latencyP95Ms", "requestsPerSecond"), NOW);

    assertThat(g.observation().metric(MetricValue.LATENCY_P95_MS)).isNull();
    assertThat(g.notes().get(MetricValue.LATENCY_P95_MS)).contains("/web:1").contains("p95_ms: missing");
    assertThat(g.observation().metric(MetricValue.REQUESTS_PER_SECOND)).isEqualTo(MetricValue.perInstance(45.0, 1));
  }

  @Test
  void aRouteWithoutTrafficGivesNoLatency() {
    cluster.set("/stats", """
        {"routes": {"/web:0": {"rps": 0.0, "p95_ms": 0.0, "backends": {"a": {"rps": 0.0, "in_flight": 0}}}}}""");
    var g = gatherer().gather(app(""), policy("latencyP95Ms", "requestsPerSecond"), NOW);

    assertThat(g.observation().metric(MetricValue.LATENCY_P95_MS)).isNull();
    assertThat(g.observation().metric(MetricValue.REQUESTS_PER_SECOND)).isEqualTo(MetricValue.perInstance(0, 1));
  }

  @Test
  void cpuIsUsageOverTheAllocationAndIgnoresInstancesWithinTheirInitialization() {
    cluster.set("/master/state", """
        {"slaves": [{"task_usage": [
           {"task_id": {"value": "a"}, "cpus_used": 0.4, "mem_rss_bytes": 67108864, "mem_limit_bytes": 134217728},
           {"task_id": {"value": "b"}, "cpus_used": 0.5, "mem_rss_bytes": 33554432},
           {"task_id": {"value": "c"}, "cpus_used": 0.5, "mem_rss_bytes": 1}]}],
         "frameworks": [{"tasks": [{"id": "a", "resources": {"cpus": 1.0, "mem": 128.0}}]}]}
        """);
    var g = gatherer().gather(app(""), policy("cpu", "memory"), NOW);

    // a: 0.4 of its 1.0 cpus; b started 10 s ago, within cpuInitializationSeconds 60: left out
    assertThat(g.observation().metric(MetricValue.CPU)).isEqualTo(MetricValue.perInstance(0.4, 1));
    assertThat(g.notes().get(MetricValue.CPU)).contains("1 instance(s) within cpuInitializationSeconds");
    // a: 64 of its 128 MiB limit; b: 32 MiB of the app's 128 MB
    assertThat(g.observation().metric(MetricValue.MEMORY)).isEqualTo(MetricValue.perInstance(0.375, 2));
  }

  @Test
  void theMasterIsAskedForAtEachGatheringSoALeaderChangeIsFollowed() {
    cluster.set("/master/state", """
        {"slaves": [{"task_usage": [{"task_id": {"value": "a"}, "cpus_used": 0.4}]}],
         "frameworks": [{"tasks": [{"id": "a", "resources": {"cpus": 1.0, "mem": 128.0}}]}]}
        """);
    java.util.concurrent.atomic.AtomicReference<String> leader = new java.util.concurrent.atomic.AtomicReference<>();
    var gatherer = new MetricsGatherer(List.of(cluster.address()), leader::get, Duration.ofSeconds(2),
        io.mezzo.core.auth.Caller.NONE);

    var none = gatherer.gather(app(""), policy("cpu"), NOW);
    assertThat(none.observation().metric(MetricValue.CPU)).isNull();
    assertThat(none.notes().get(MetricValue.CPU)).isEqualTo("the master did not answer: no leading master is known now");

    leader.set(cluster.address()); // a leader is elected (or another takes over)
    var found = gatherer.gather(app(""), policy("cpu"), NOW);
    assertThat(found.observation().metric(MetricValue.CPU)).isEqualTo(MetricValue.perInstance(0.4, 1));
  }

  @Test
  void prometheusValuesAreAveragedOrSummedOverTheReadyInstances() {
    String labels = """
        "mezzo.autoscale.prometheus.busy": "avg 0 /metrics sample_requests_in_flight{path=\\"/\\"}",
        "mezzo.autoscale.prometheus.served": "sum 0 /metrics sample_requests_total{status=\\"200\\"}"
        """;
    cluster.set("/metrics", """
        # HELP sample_requests_in_flight requests in flight
        sample_requests_in_flight{path="/"} 4
        sample_requests_in_flight{path="/health"} 100
        sample_requests_total{path="/",status="200"} 10
        sample_requests_total{path="/x",status="200"} 5
        sample_requests_total{path="/",status="500"} 1000
        """);
    instanceB.set("/metrics", "sample_requests_in_flight{path=\"/\"} 2\nsample_requests_total{status=\"200\"} 1e1\n");
    var g = gatherer().gather(app(labels), policy("busy", "served"), NOW);

    assertThat(g.observation().metric("busy")).isEqualTo(MetricValue.perInstance(3.0, 2));
    assertThat(g.observation().metric("served")).isEqualTo(MetricValue.appWide(25.0));
  }

  @Test
  void theTokenGoesToTheBalancerAndMasterButNeverToAnAppsOwnEndpoints() {
    cluster.set("/stats", STATS);
    cluster.set("/metrics", "sample_requests_in_flight 4\n");
    instanceB.set("/metrics", "sample_requests_in_flight 2\n");
    cluster.set("/queue", "{\"depth\": 1}");
    String labels = """
        "mezzo.autoscale.prometheus.busy": "avg 0 /metrics sample_requests_in_flight",
        "mezzo.autoscale.json.depth": "http://%s/queue /depth"
        """.formatted(cluster.address());
    var g = new MetricsGatherer(List.of(cluster.address()), cluster.address(), Duration.ofSeconds(2),
        io.mezzo.core.auth.Caller.withToken("the-secret"))
        .gather(app(labels), policy("inFlight", "busy", "depth"), NOW);
    assertThat(g.observation().metric("busy")).isEqualTo(MetricValue.perInstance(3.0, 2));

    java.util.List<HttpRequest> all = new java.util.ArrayList<>(cluster.reads);
    all.addAll(instanceB.reads);
    assertThat(all).filteredOn(r -> r.path().equals("/stats"))
        .isNotEmpty().allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer the-secret"));
    assertThat(all).filteredOn(r -> r.path().equals("/metrics") || r.path().equals("/queue"))
        .hasSize(3).allSatisfy(r -> assertThat(r.header("Authorization")).isNull());
  }

  @Test
  void anExternalJsonValueIsReadAtItsPointer() {
    cluster.set("/queue", "{\"queues\": {\"jobs\": {\"depth\": 42}}}");
    String labels = "\"mezzo.autoscale.json.depth\": \"http://" + cluster.address() + "/queue /queues/jobs/depth\"";
    var g = gatherer().gather(app(labels), policy("depth"), NOW);

    assertThat(g.observation().metric("depth")).isEqualTo(MetricValue.appWide(42));
  }

  @Test
  void whatCannotBeGatheredIsAbsentNeverZero() {
    String labels = """
        "mezzo.autoscale.json.depth": "http://%s/nothing /depth",
        "mezzo.autoscale.prometheus.busy": "avg 0 /metrics nothing_here",
        "mezzo.autoscale.prometheus.bad": "often 0 /metrics x"
        """.formatted(cluster.address());
    cluster.set("/metrics", "sample_requests_in_flight 4\n");
    // no /stats, no /master/state: both answer 404
    var g = gatherer().gather(app(labels), policy("requestsPerSecond", "cpu", "depth", "busy", "bad", "unnamed"), NOW);

    assertThat(g.observation().metrics()).isEmpty();
    assertThat(g.notes()).containsOnlyKeys("requestsPerSecond", "cpu", "depth", "busy", "bad", "unnamed");
    assertThat(g.notes().get("bad")).contains("mezzo.autoscale.prometheus.bad").contains("expected: avg|sum");
    assertThat(g.notes().get("unnamed")).contains("no source");
  }

  @Test
  void withoutBalancerAddressesTheBalancerMetricsAreAbsent() {
    var g = new MetricsGatherer(List.of(), null, Duration.ofSeconds(1)).gather(app(""), policy("inFlight"), NOW);

    assertThat(g.observation().metric(MetricValue.IN_FLIGHT)).isNull();
    assertThat(g.notes().get(MetricValue.IN_FLIGHT)).contains("--lb-stats");
  }
}
