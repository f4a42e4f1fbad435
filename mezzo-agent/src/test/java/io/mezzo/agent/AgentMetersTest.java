package io.mezzo.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.model.TaskState;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentMetersTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AgentMeters meters = new AgentMeters(registry);

  private static AgentMeters.Snapshot running(AgentMeters.TaskUsage... usage) {
    Map<String, AgentMeters.TaskUsage> byId = new java.util.HashMap<>();
    for (AgentMeters.TaskUsage u : usage) {
      byId.put(u.taskId(), u);
    }
    return new AgentMeters.Snapshot(Map.of(TaskState.TASK_RUNNING, usage.length), Map.copyOf(byId));
  }

  @Test
  void eachLiveTaskHasItsUsageSeries() {
    meters.publish(running(new AgentMeters.TaskUsage("web.1", "fw-1", 1.5, 4096),
        new AgentMeters.TaskUsage("web.2", "fw-1", 0.25, 8192)));
    assertThat(registry.scrape()).contains(
        "mezzo_task_cpu_seconds_total{framework_id=\"fw-1\",task_id=\"web.1\"} 1.5",
        "mezzo_task_memory_rss_bytes{framework_id=\"fw-1\",task_id=\"web.2\"} 8192.0",
        "mezzo_agent_tasks{state=\"TASK_RUNNING\"} 2.0",
        "mezzo_agent_tasks{state=\"TASK_FAILED\"} 0.0");
  }

  @Test
  void anEndedTasksSeriesAreDropped() {
    meters.publish(running(new AgentMeters.TaskUsage("web.1", "fw-1", 1.5, 4096),
        new AgentMeters.TaskUsage("web.2", "fw-1", 0.25, 8192)));
    meters.publish(running(new AgentMeters.TaskUsage("web.2", "fw-1", 0.5, 8192)));
    String text = registry.scrape();
    assertThat(text).doesNotContain("task_id=\"web.1\"")
        .contains("mezzo_task_cpu_seconds_total{framework_id=\"fw-1\",task_id=\"web.2\"} 0.5");
    meters.publish(running());
    assertThat(registry.scrape()).doesNotContain("task_id=");
  }
}
