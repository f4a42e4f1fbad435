package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mezzo.cli.sample.PrometheusText;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.V2Client;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every process of a cluster serves {@code /metrics} that Prometheus' own parser and linter accept
 * ({@code promtool check metrics}), with the series the README's "Metrics" section lists and values
 * that agree with the cluster: a master running the services scheduler and the autoscaler, two agents,
 * a load balancer process, and a sample-server app behind it, deployed with three instances and scaled in
 * to one by the autoscaler. The Grafana example dashboard asks only for series these scrapes hold.
 */
class MetricsClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final Path DASHBOARD = Path.of("..", "examples", "grafana-dashboard.json");

  @TempDir
  static Path dir;

  static MezzoCluster cluster;
  /** The text each process served, by process: master, agent-1, agent-2, lb. */
  static final Map<String, String> scraped = new LinkedHashMap<>();

  @BeforeAll
  static void startClusterAndScrape() throws Exception {
    int lbHttp = MezzoCluster.freeLoopbackPort();
    int lbAdmin = MezzoCluster.freeLoopbackPort();
    int route = MezzoCluster.freeLoopbackPort();
    cluster = MezzoCluster.builder(dir).agents(2).agentResources("cpus:2;mem:2048;disk:1024")
        .masterOption("--lb-stats", "127.0.0.1:" + lbAdmin).start();
    V2Client v2 = new V2Client(cluster.masterAddress());
    await().atMost(WAIT).until(() -> v2.get("/v2/info").json().path("frameworkId").isTextual());
    cluster.startLoadBalancer(lbHttp, lbAdmin);
    // three instances asked for, an idle app, a policy between 1 and 3 without a stabilization window:
    // the autoscaler's decisions scale it down to one (and the killed tasks' series must go)
    String policy = ",\"autoscaling\":{\"minInstances\":1,\"maxInstances\":3,\"evaluationSeconds\":2,"
        + "\"metrics\":[{\"name\":\"inFlight\",\"target\":50}],"
        + "\"behavior\":{\"scaleDown\":{\"stabilizationWindowSeconds\":0}}}";
    String app = LbClusterSupport.sampleApp("/metered", 3, Map.of("mezzo.drain.seconds", "1",
        "MEZZO_LB_PORT_0", String.valueOf(route)), policy);
    V2Client.Answer posted = v2.post("/v2/apps", app);
    assertThat(posted.status()).as(posted.toString()).isEqualTo(201);
    await("scaled in to 1").atMost(WAIT).until(() -> v2.get("/v2/apps/metered").json().path("app").path("instances")
        .asInt() == 1 && LbClusterSupport.healthy(v2, "/metered") == 1 && LbClusterSupport.deployed(v2, "/metered")
        && v2.get("/v2/apps/metered/tasks").json().path("tasks").size() == 1);
    await("the lb routes to the one instance").atMost(WAIT).ignoreExceptions()
        .until(() -> cluster.getJson(lbAdmin, "/stats").path("routes").path("/metered:0").path("backends").size() == 1);
    for (int i = 0; i < 20; i++) {
      assertThat(LbClusterSupport.get(route, "x", "/").status()).isEqualTo(200);
    }
    await("the agents show the one task's usage, and only its").atMost(WAIT).until(() -> {
      long series = 0;
      for (int a = 1; a <= 2; a++) {
        series += count(PrometheusText.parse(scrape(cluster.node("agent-" + a).port())), "mezzo_task_memory_rss_bytes");
      }
      return series == 1;
    });
    await("the master's figures have settled after the scale-in").atMost(WAIT).until(() -> {
      PrometheusText m = PrometheusText.parse(scrape(cluster.master().port()));
      return sum(m, "mezzo_tasks", Map.of("state", "TASK_RUNNING")) == 1
          && sum(m, "mezzo_tasks", Map.of("state", "TASK_KILLING")) == 0
          && sum(m, "mezzo_services_instances", Map.of("state", "RUNNING")) == 1
          && sum(m, "mezzo_autoscaler_instances_current", Map.of("app", "/metered")) == 1;
    });
    scraped.put("master", scrape(cluster.master().port()));
    scraped.put("agent-1", scrape(cluster.node("agent-1").port()));
    scraped.put("agent-2", scrape(cluster.node("agent-2").port()));
    scraped.put("lb", scrape(lbAdmin));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void promtoolAcceptsEveryProcesssMetrics() {
    assertThat(scraped).hasSize(4);
    scraped.forEach((process, text) -> {
      Promtool.Result r = Promtool.checkMetrics(text);
      assertThat(r.ok()).as(process + ": promtool check metrics exited " + r.exit() + ":\n" + r.output()).isTrue();
      PrometheusText.parse(text); // and the strict reader of the tests agrees
    });
  }

  @Test
  void promtoolRefusesBrokenMetrics() {
    // the check above can fail: a malformed line, and a well-formed family without HELP
    assertThat(Promtool.checkMetrics("mezzo_tasks{state=\"TASK_RUNNING\" 2\n").exit()).isEqualTo(1);
    assertThat(Promtool.checkMetrics("# TYPE mezzo_x gauge\nmezzo_x 1\n").ok()).isFalse();
  }

  @Test
  void theMasterCountsTasksAgentsResourcesOffersAndCycles() {
    PrometheusText m = PrometheusText.parse(scraped.get("master"));
    assertThat(sum(m, "mezzo_tasks", Map.of("state", "TASK_RUNNING"))).isEqualTo(1);
    assertThat(sum(m, "mezzo_agents", Map.of("state", "ACTIVE"))).isEqualTo(2);
    assertThat(sum(m, "mezzo_frameworks", Map.of())).isEqualTo(1);
    assertThat(sum(m, "mezzo_resources_registered", Map.of("resource", "cpus"))).isEqualTo(4);
    assertThat(sum(m, "mezzo_resources_registered", Map.of("resource", "mem"))).isEqualTo(2 * 2048 * 1024.0 * 1024);
    assertThat(sum(m, "mezzo_resources_used", Map.of("resource", "mem"))).isEqualTo(192 * 1024.0 * 1024);
    assertThat(sum(m, "mezzo_resources_offered", Map.of("resource", "cpus"))).isBetween(0.0, 4.0 - 0.2);
    assertThat(sum(m, "mezzo_offers_sent_total", Map.of())).isGreaterThanOrEqualTo(1);
    assertThat(m.type("mezzo_offers_declined_total")).isEqualTo("counter");
    assertThat(m.type("mezzo_offers_rescinded_total")).isEqualTo("counter");
    assertThat(m.type("mezzo_allocator_cycle_seconds")).isEqualTo("histogram");
    assertThat(sum(m, "mezzo_allocator_cycle_seconds_count", Map.of())).isPositive();
    assertThat(sum(m, "mezzo_master_leading", Map.of())).isEqualTo(1);
    assertThat(m.samples()).filteredOn(s -> s.name().startsWith("mezzo_"))
        .allSatisfy(s -> assertThat(s.labels()).containsEntry("mezzo_component", "master"));
  }

  @Test
  void theMasterShowsTheServicesSchedulerAndTheAutoscaler() {
    PrometheusText m = PrometheusText.parse(scraped.get("master"));
    assertThat(sum(m, "mezzo_services_apps", Map.of())).isEqualTo(1);
    assertThat(sum(m, "mezzo_services_instances", Map.of("state", "RUNNING"))).isEqualTo(1);
    assertThat(sum(m, "mezzo_services_deployments", Map.of())).isZero();
    assertThat(sum(m, "mezzo_services_launches_total", Map.of())).isGreaterThanOrEqualTo(3);
    assertThat(sum(m, "mezzo_autoscaler_decisions_total", Map.of("app", "/metered", "direction", "down")))
        .isGreaterThanOrEqualTo(1);
    assertThat(sum(m, "mezzo_autoscaler_decisions_total", Map.of("direction", "up"))).isZero();
    assertThat(sum(m, "mezzo_autoscaler_instances_current", Map.of("app", "/metered"))).isEqualTo(1);
    assertThat(sum(m, "mezzo_autoscaler_instances_desired", Map.of("app", "/metered"))).isEqualTo(1);
    assertThat(sum(m, "mezzo_autoscaler_metric_target", Map.of("app", "/metered", "metric", "inFlight")))
        .isEqualTo(50);
    assertThat(count(m, "mezzo_autoscaler_metric_value")).isEqualTo(1);
  }

  @Test
  void agentsCountTheirTasksAndEachTasksUsage() {
    double running = 0;
    int usageSeries = 0;
    for (String agent : new String[] {"agent-1", "agent-2"}) {
      PrometheusText a = PrometheusText.parse(scraped.get(agent));
      running += sum(a, "mezzo_agent_tasks", Map.of("state", "TASK_RUNNING"));
      usageSeries += count(a, "mezzo_task_cpu_seconds_total");
      assertThat(a.samples()).filteredOn(s -> s.name().equals("mezzo_task_memory_rss_bytes"))
          .allSatisfy(s -> {
            assertThat(s.value()).isPositive();
            assertThat(s.labels().get("task_id")).startsWith("metered.");
            assertThat(s.labels()).containsKey("framework_id");
          });
      assertThat(a.type("mezzo_agent_sandbox_gc_runs_total")).isEqualTo("counter");
      assertThat(a.type("mezzo_agent_sandbox_gc_removed_total")).isEqualTo("counter");
      assertThat(sum(a, "jvm_threads_live_threads", Map.of("mezzo_component", "agent"))).isPositive();
    }
    assertThat(running).isEqualTo(1);
    assertThat(usageSeries).isEqualTo(1); // the two tasks killed on scale-in have no series left
  }

  @Test
  void theLoadBalancerShowsItsRoutesBackendsAndJvm() {
    PrometheusText lb = PrometheusText.parse(scraped.get("lb"));
    assertThat(sum(lb, "mezzo_lb_responses_total", Map.of("route", "/metered:0", "class", "2xx"))).isEqualTo(20);
    assertThat(lb.samples()).filteredOn(s -> s.name().equals("mezzo_lb_request_duration_seconds_count"))
        .hasSize(1);
    assertThat(sum(lb, "jvm_memory_used_bytes", Map.of("mezzo_component", "lb"))).isPositive();
    assertThat(sum(lb, "process_uptime_seconds", Map.of())).isPositive();
  }

  @Test
  void theGrafanaDashboardAsksOnlyForSeriesTheProcessesServe() throws Exception {
    Set<String> served = new TreeSet<>();
    scraped.values().forEach(t -> PrometheusText.parse(t).samples().forEach(s -> served.add(s.name())));
    JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
    Set<String> asked = new TreeSet<>();
    int queries = 0;
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText();
        assertThat(expr).as("panel '" + panel.path("title").asText() + "'").isNotBlank();
        asked.addAll(PromQlNames.of(expr));
        queries++;
      }
    }
    assertThat(queries).isGreaterThanOrEqualTo(8);
    assertThat(asked).isNotEmpty().allSatisfy(name -> assertThat(served).as("series the processes serve")
        .contains(name));
  }

  /** The sum of the samples named {@code name} whose labels include {@code labels}. */
  static double sum(PrometheusText text, String name, Map<String, String> labels) {
    return text.samples().stream().filter(s -> s.name().equals(name)
        && s.labels().entrySet().containsAll(labels.entrySet())).mapToDouble(PrometheusText.Sample::value).sum();
  }

  static long count(PrometheusText text, String name) {
    return text.samples().stream().filter(s -> s.name().equals(name)).count();
  }

  /** {@code GET /metrics} on 127.0.0.1:{@code port}, expecting a 200 in the text format. */
  static String scrape(int port) throws Exception {
    return scrape(port, null, 200);
  }

  static String scrape(int port, String token, int expected) throws Exception {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(10));
    if (token != null) {
      req.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = HttpClient.newHttpClient().send(req.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET :" + port + "/metrics: " + r.body()).isEqualTo(expected);
    if (expected == 200) {
      assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    }
    return r.body();
  }
}
