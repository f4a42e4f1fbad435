package io.mezzo.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.core.http.HttpServer;
import io.micrometer.core.instrument.Gauge;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProcessMetricsTest {
  @Test
  void metricsServeTheJvmsSeriesTaggedWithTheComponent() throws Exception {
    try (ProcessMetrics m = ProcessMetrics.create("agent")) {
      HttpServer.Builder b = HttpServer.builder().bind("127.0.0.1", 0).name("metrics-test");
      m.route(b);
      try (HttpServer server = b.start()) {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(ProcessMetrics.CONTENT_TYPE);
        assertThat(r.body()).contains("# TYPE jvm_memory_used_bytes gauge", "jvm_gc_", "jvm_threads_live_threads{",
            "jvm_classes_loaded_classes{", "system_cpus{", "process_uptime_seconds{",
            "mezzo_component=\"agent\"");
      }
    }
  }

  @Test
  void aScrapeFirstAsksEveryOwnerToPublish() {
    try (ProcessMetrics m = ProcessMetrics.create("master")) {
      AtomicInteger owned = new AtomicInteger();
      AtomicInteger published = new AtomicInteger();
      Gauge.builder("mezzo_test_value", published, AtomicInteger::get).description("a test value")
          .register(m.registry());
      m.beforeScrape(() -> CompletableFuture.runAsync(() -> published.set(owned.incrementAndGet())));
      assertThat(m.scrape().join()).contains("mezzo_test_value{mezzo_component=\"master\"} 1.0");
      assertThat(m.scrape().join()).contains("mezzo_test_value{mezzo_component=\"master\"} 2.0");
    }
  }

  @Test
  void aFailingRefreshLeavesTheLastFiguresAndTheScrapeGoesOn() {
    try (ProcessMetrics m = ProcessMetrics.create("services")) {
      m.beforeScrape(() -> CompletableFuture.failedFuture(new IllegalStateException("owner gone")));
      m.beforeScrape(() -> {
        throw new IllegalStateException("rejected");
      });
      m.appendText(() -> "# HELP extra_total x\n# TYPE extra_total counter\nextra_total 3\n");
      assertThat(m.scrape().join()).contains("jvm_memory_used_bytes", "extra_total 3");
    }
  }

  @Test
  void aComponentIsALowerCaseName() {
    assertThatThrownBy(() -> ProcessMetrics.create("Master Node"))
        .hasMessage("component: \"Master Node\" (expected: a lower-case name such as master or agent)");
  }
}
