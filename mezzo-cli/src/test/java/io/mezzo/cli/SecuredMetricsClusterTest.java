package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.cli.sample.PrometheusText;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.V2Client;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With credentials, {@code /metrics} is a viewer's read: both masters (leader and standby), an agent and
 * the services scheduler run apart ({@code mezzo services}) answer 401 without a token or with a wrong
 * one, and with a viewer's token serve text that {@code promtool check metrics} accepts, the
 * scheduler's series among it; a standby serves its JVM's series and {@code mezzo_master_leading 0} only.
 */
class SecuredMetricsClusterTest {
  static final String VIEWER = "viewer-secret-0123456789";
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir
  static Path dir;

  static MezzoCluster cluster;
  static int services;

  @BeforeAll
  static void startCluster() {
    cluster = MezzoCluster.builder(dir).masters(2).agents(1).services(false).principal("view", "viewer", VIEWER)
        .start();
    services = MezzoCluster.freeLoopbackPort();
    cluster.startServices(services);
    V2Client v2 = new V2Client("127.0.0.1:" + services, VIEWER);
    await("the services scheduler subscribed").atMost(WAIT)
        .until(() -> v2.get("/v2/info").json().path("frameworkId").isTextual());
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void metricsNeedAViewersToken() throws Exception {
    for (int port : new int[] {cluster.master().port(), standby().port(), cluster.node("agent-1").port(), services}) {
      assertThat(MetricsClusterTest.scrape(port, null, 401)).contains("missing bearer token");
      MetricsClusterTest.scrape(port, "not-a-known-secret-0123456789", 401);
      String text = MetricsClusterTest.scrape(port, VIEWER, 200);
      Promtool.Result r = Promtool.checkMetrics(text);
      assertThat(r.ok()).as(":" + port + ": promtool exited " + r.exit() + ":\n" + r.output()).isTrue();
    }
  }

  @Test
  void aStandbyMasterServesItsJvmAndThatItStandsByButNeverTheClustersFigures() throws Exception {
    PrometheusText standby = PrometheusText.parse(MetricsClusterTest.scrape(standby().port(), VIEWER, 200));
    assertThat(MetricsClusterTest.sum(standby, "mezzo_master_leading", Map.of("mezzo_component", "master"))).isZero();
    assertThat(MetricsClusterTest.count(standby, "jvm_memory_used_bytes")).isPositive();
    assertThat(standby.samples()).noneMatch(s -> s.name().startsWith("mezzo_") && !s.name().equals("mezzo_master_leading"));
    PrometheusText leader = PrometheusText.parse(MetricsClusterTest.scrape(cluster.master().port(), VIEWER, 200));
    assertThat(MetricsClusterTest.sum(leader, "mezzo_master_leading", Map.of())).isEqualTo(1);
    assertThat(MetricsClusterTest.sum(leader, "mezzo_agents", Map.of("state", "ACTIVE"))).isEqualTo(1);
  }

  private static MezzoCluster.Node standby() {
    return cluster.masterNode(1 - cluster.leaderIndex());
  }

  @Test
  void theServicesSchedulerApartServesItsOwnSeries() throws Exception {
    PrometheusText s = PrometheusText.parse(MetricsClusterTest.scrape(services, VIEWER, 200));
    assertThat(s.type("mezzo_services_apps")).isEqualTo("gauge");
    assertThat(MetricsClusterTest.sum(s, "mezzo_services_apps", Map.of("mezzo_component", "services"))).isZero();
    assertThat(s.type("mezzo_services_launches_total")).isEqualTo("counter");
    assertThat(MetricsClusterTest.sum(s, "jvm_threads_live_threads", Map.of("mezzo_component", "services")))
        .isPositive();
    // and the master, without the scheduler in its process, serves none of them
    PrometheusText m = PrometheusText.parse(MetricsClusterTest.scrape(cluster.master().port(), VIEWER, 200));
    assertThat(MetricsClusterTest.count(m, "mezzo_services_apps")).isZero();
    assertThat(MetricsClusterTest.sum(m, "mezzo_frameworks", Map.of("state", "active"))
        + MetricsClusterTest.sum(m, "mezzo_frameworks", Map.of("state", "suppressed"))).isEqualTo(1);
  }
}
