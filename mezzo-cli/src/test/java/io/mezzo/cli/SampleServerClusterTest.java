package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.cli.sample.PrometheusText;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.model.CheckInfo;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.HealthCheck;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resource;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.TestFramework;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/sample-server.json}'s command runs as a real task on a real agent: it finds Mezzo
 * through {@code $MEZZO_JAVA} and {@code $MEZZO_JAR}, listens on {@code $PORT0}, answers with its task
 * id, passes the agent's HTTP health check on {@code /health}, counts its requests in {@code /metrics},
 * and is killed by the agent once told to fail its health.
 */
class SampleServerClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  MezzoCluster cluster;
  private final JsonClient http = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10));

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theExampleAppRunsAsATaskOnItsPort0AndIsKilledWhenItsHealthFails() throws Exception {
    JsonNode app = ExamplesTest.read(ExamplesTest.EXAMPLES.resolve("sample-server.json"));
    cluster = MezzoCluster.builder(dir).agents(1).start();
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "sample", false)) {
      Offer offer = fw.awaitOffer(o -> !Resources.of(o.resources()).ranges("ports").isEmpty());
      long port = Resources.of(offer.resources()).ranges("ports").first(1).get(0);
      TaskId id = new TaskId("sample-web." + System.nanoTime());
      JsonNode check = app.path("healthChecks").path(0);
      // The example's check, probed every 0.5 s instead of its 5 s to keep the test short.
      HealthCheck health = new HealthCheck(CheckInfo.Type.HTTP,
          new HealthCheck.Http((int) port, check.path("path").asText(), "http", null), null, null, 0.0, 0.5,
          check.path("timeoutSeconds").asDouble(), check.path("maxConsecutiveFailures").asInt(),
          check.path("gracePeriodSeconds").asDouble());
      List<Resource> resources = List.of(Resource.scalar("cpus", app.path("cpus").asDouble()),
          Resource.scalar("mem", app.path("mem").asDouble()),
          Resource.ranges("ports", List.of(new Resource.Range(port, port))));
      TaskInfo task = new TaskInfo(id.value(), id, offer.agentId(), resources,
          CommandInfo.shell(app.path("cmd").asText()), null, null, null, null, health, null);
      assertThat(fw.launch(offer, task)).isEqualTo(202);

      fw.awaitState(id, TaskState.TASK_RUNNING, WAIT);
      await("the agent finds the task healthy").atMost(WAIT).pollInterval(Duration.ofMillis(100))
          .until(() -> fw.updates(id).stream().anyMatch(s -> Boolean.TRUE.equals(s.healthy())));

      URI base = URI.create("http://127.0.0.1:" + port);
      for (int i = 0; i < 3; i++) {
        JsonClient.Reply hello = http.get(base.resolve("/")).get(10, TimeUnit.SECONDS);
        assertThat(hello.status()).isEqualTo(200);
        assertThat(hello.body()).isEqualTo("hello from " + id.value() + "\n");
      }
      PrometheusText metrics = PrometheusText.parse(http.get(base.resolve("/metrics")).get(10, TimeUnit.SECONDS).body());
      assertThat(metrics.value("sample_requests_total", "path", "/", "status", "200")).isEqualTo(3);
      assertThat(metrics.value("sample_requests_total", "path", "/health", "status", "200")).isPositive();
      assertThat(metrics.value("sample_cpu_burned_seconds_total")).isGreaterThanOrEqualTo(0.015); // 3 x 5 ms

      assertThat(http.post(base.resolve("/health/fail"), Map.of(), Map.of()).get(10, TimeUnit.SECONDS).status())
          .isEqualTo(200);
      TaskStatus killed = fw.awaitState(id, TaskState.TASK_KILLED, WAIT);
      assertThat(killed.healthy()).isFalse();
      assertThat(killed.message()).contains("consecutive failed health checks");
    }
  }
}
