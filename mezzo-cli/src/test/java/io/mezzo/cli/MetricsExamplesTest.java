package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring examples hold together: {@code examples/prometheus.yml} is a configuration Prometheus
 * accepts ({@code promtool check config}), and the Grafana dashboard covers what the README promises.
 * (That its queries name only served series is {@link MetricsClusterTest}'s check.)
 */
class MetricsExamplesTest {
  private static final Path EXAMPLES = Path.of("..", "examples");

  @Test
  void prometheusAcceptsTheExampleScrapeConfiguration() throws Exception {
    Promtool.Result r = Promtool.checkConfig(EXAMPLES.resolve("prometheus.yml"));
    assertThat(r.exit()).as(r.output()).isZero();
    String yml = Files.readString(EXAMPLES.resolve("prometheus.yml"));
    assertThat(yml).contains("job_name: mezzo-master", "job_name: mezzo-agent", "job_name: mezzo-lb",
        "credentials_file");
  }

  @Test
  void promtoolRefusesABrokenConfiguration(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yml");
    Files.writeString(bad, "scrape_configs:\n  - job_name: x\n    scrape_interval: soon\n");
    assertThat(Promtool.checkConfig(bad).exit()).isNotZero();
  }

  @Test
  void theDashboardHasPanelsForResourcesTasksAllocatorLoadBalancerAndAutoscaler() throws Exception {
    JsonNode d = new ObjectMapper().readTree(EXAMPLES.resolve("grafana-dashboard.json").toFile());
    List<String> exprs = new ArrayList<>();
    d.path("panels").forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
    String all = String.join("\n", exprs);
    assertThat(all).contains("mezzo_resources_registered", "mezzo_resources_used", "mezzo_resources_offered",
        "mezzo_tasks", "mezzo_allocator_cycle_seconds_bucket", "mezzo_lb_responses_total",
        "mezzo_lb_request_duration_seconds", "mezzo_autoscaler_instances_current",
        "mezzo_autoscaler_instances_desired", "mezzo_autoscaler_decisions_total");
    d.path("panels").forEach(p -> assertThat(p.path("datasource").path("uid").asText()).isEqualTo("${datasource}"));
  }

  @Test
  void promQlNamesAreTheSeriesReadNotFunctionsLabelsOrVariables() {
    assertThat(PromQlNames.of("histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket{x=\"y_z\"}[$__rate_interval])))"))
        .containsExactly("a_seconds_bucket");
    assertThat(PromQlNames.of("sum by (route, backend) (rate(b_total{class=\"5xx\"}[5m])) / on (route) c + 1e3"))
        .containsExactly("b_total", "c");
    assertThat(PromQlNames.of("topk(10, d) and ignoring(x) e offset 5m")).containsExactly("d", "e");
  }
}
