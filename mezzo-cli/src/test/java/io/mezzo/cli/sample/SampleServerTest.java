package io.mezzo.cli.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mezzo.core.http.JsonClient;
import io.mezzo.testkit.WebSocketEchoClient;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sample server on a real socket: {@code GET /} costs the configured CPU of the serving thread
 * (read from that thread's CPU clock, never from the wall clock) and waits without holding a thread;
 * {@code /health} flips; {@code /metrics} is valid Prometheus text whose counters follow the traffic;
 * {@code POST /latency} and {@code POST /fail} change one running instance; {@code /ws} echoes
 * WebSocket frames.
 */
class SampleServerTest {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private final JsonClient http = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(120));
  private final List<SampleServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(SampleServer::close);
  }

  private SampleServer start(long cpuMs, long latencyMs, String failHealthAfter, int workers) {
    SampleServer s = SampleServer.start(SampleConfig.of("127.0.0.1", 0, cpuMs, latencyMs, failHealthAfter, workers,
        "test-instance"));
    servers.add(s);
    return s;
  }

  private JsonClient.Reply get(SampleServer s, String path) {
    return http.get(URI.create("http://127.0.0.1:" + s.port() + path)).join();
  }

  private PrometheusText metrics(SampleServer s) {
    JsonClient.Reply r = get(s, "/metrics");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("content-type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    return PrometheusText.parse(r.body());
  }

  private static HttpResponse<String> post(SampleServer s, String pathAndQuery) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
        + pathAndQuery)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static long cpuNanos(SampleServer s) {
    return s.workerThreads().stream().mapToLong(t -> THREADS.getThreadCpuTime(t.getId())).sum();
  }

  @Test
  void rootBurnsAboutTheConfiguredCpuOnTheServingThread() {
    SampleServer busy = start(30, 0, null, 1);
    long before = cpuNanos(busy);
    for (int i = 0; i < 10; i++) {
      JsonClient.Reply r = get(busy, "/");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("hello from test-instance\n");
    }
    double spentMs = (cpuNanos(busy) - before) / 1e6;
    // 10 requests x 30 ms; the burner overshoots by microseconds, the pool's own work is tiny.
    assertThat(spentMs).isBetween(300.0, 450.0);
    assertThat(metrics(busy).value("sample_cpu_burned_seconds_total")).isBetween(0.300, 0.450);

    SampleServer idle = start(0, 0, null, 1);
    long idleBefore = cpuNanos(idle);
    for (int i = 0; i < 10; i++) {
      assertThat(get(idle, "/").status()).isEqualTo(200);
    }
    assertThat((cpuNanos(idle) - idleBefore) / 1e6).isLessThan(30.0);
    assertThat(metrics(idle).value("sample_cpu_burned_seconds_total")).isZero();
  }

  @Test
  void latencyHoldsNoThreadSoOtherRequestsAreAnswered() {
    SampleServer slow = start(0, Duration.ofMinutes(10).toMillis(), null, 1);
    List<CompletableFuture<JsonClient.Reply>> pending = new ArrayList<>();
    for (int i = 0; i < 12; i++) { // more than the event loops and the worker together
      pending.add(http.get(URI.create("http://127.0.0.1:" + slow.port() + "/")));
    }
    await("12 requests in flight").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> metrics(slow).value("sample_requests_in_flight") == 12.0);
    assertThat(get(slow, "/health").status()).isEqualTo(200);
    assertThat(pending).noneMatch(CompletableFuture::isDone);
  }

  @Test
  void latencyIsWaitedBeforeTheAnswer() {
    SampleServer s = start(0, 300, null, 1);
    assertThat(get(s, "/").status()).isEqualTo(200);
    PrometheusText m = metrics(s);
    assertThat(m.value("sample_request_duration_seconds_bucket", "path", "/", "le", "0.25")).isZero();
    assertThat(m.value("sample_request_duration_seconds_bucket", "path", "/", "le", "+Inf")).isEqualTo(1);
    assertThat(m.value("sample_request_duration_seconds_sum", "path", "/")).isGreaterThanOrEqualTo(0.3);
  }

  @Test
  void healthFailsAfterTheConfiguredNumberOfRequests() {
    SampleServer s = start(0, 0, "3", 1);
    for (int i = 0; i < 3; i++) {
      assertThat(get(s, "/health").status()).isEqualTo(200);
      get(s, "/");
    }
    JsonClient.Reply r = get(s, "/health");
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("failing after 3 requests (--fail-health-after)\n");
    assertThat(metrics(s).value("sample_healthy")).isZero();
  }

  @Test
  void healthFailsWhenTold() {
    SampleServer s = start(0, 0, null, 1);
    assertThat(get(s, "/health").body()).isEqualTo("ok\n");
    assertThat(metrics(s).value("sample_healthy")).isEqualTo(1);
    assertThat(http.post(URI.create("http://127.0.0.1:" + s.port() + "/health/fail"), Map.of(), Map.of()).join()
        .status()).isEqualTo(200);
    assertThat(get(s, "/health").status()).isEqualTo(503);
    assertThat(get(s, "/health").status()).isEqualTo(503);
  }

  @Test
  void healthFailsAfterTheConfiguredTimeOnTheServersClock() {
    AtomicLong now = new AtomicLong();
    SampleServer s = SampleServer.start(SampleConfig.of("127.0.0.1", 0, 0, 0, "30s", 1, "x"), now::get);
    servers.add(s);
    assertThat(get(s, "/health").status()).isEqualTo(200);
    now.addAndGet(Duration.ofSeconds(30).toNanos());
    assertThat(get(s, "/health").status()).isEqualTo(503);
  }

  @Test
  void metricsAreValidPrometheusTextAndCountTheTraffic() {
    SampleServer s = start(1, 0, null, 2);
    PrometheusText before = metrics(s);
    assertThat(before.type("sample_requests_total")).isEqualTo("counter");
    assertThat(before.type("sample_requests_in_flight")).isEqualTo("gauge");
    assertThat(before.value("sample_requests_in_flight")).isZero();
    assertThat(before.value("sample_requests_total", "path", "/", "status", "200")).isZero();
    assertThat(before.value("sample_request_duration_seconds_count", "path", "/")).isZero();

    for (int i = 0; i < 5; i++) {
      get(s, "/");
    }
    get(s, "/health");
    PrometheusText after = metrics(s);
    assertThat(after.type("sample_request_duration_seconds")).isEqualTo("histogram");
    assertThat(after.value("sample_requests_total", "path", "/", "status", "200")).isEqualTo(5);
    assertThat(after.value("sample_requests_total", "path", "/health", "status", "200")).isEqualTo(1);
    assertThat(after.value("sample_requests_total", "path", "/metrics", "status", "200")).isEqualTo(1);
    assertThat(after.value("sample_request_duration_seconds_count", "path", "/")).isEqualTo(5);
    assertThat(after.value("sample_request_duration_seconds_bucket", "path", "/", "le", "10.0")).isEqualTo(5);
    assertThat(after.value("sample_requests_in_flight")).isZero();

    for (int i = 0; i < 3; i++) {
      get(s, "/");
    }
    assertThat(metrics(s).value("sample_requests_total", "path", "/", "status", "200")).isEqualTo(8);
  }

  @Test
  void unknownPathsAre404AndBadSettingsNameTheirFlag() {
    SampleServer s = start(0, 0, null, 1);
    assertThat(get(s, "/nope").status()).isEqualTo(404);
    assertThatThrownBy(() -> SampleConfig.of("0.0.0.0", 8080, -1, 0, null, 1, "x"))
        .hasMessage("--cpu-ms: -1 (expected: >= 0)");
    assertThatThrownBy(() -> SampleConfig.of("0.0.0.0", 8080, 0, -5, null, 1, "x"))
        .hasMessage("--latency-ms: -5 (expected: >= 0)");
    assertThatThrownBy(() -> SampleConfig.of("0.0.0.0", 70000, 0, 0, null, 1, "x"))
        .hasMessage("port: 70000 (expected: 0..65535)");
    assertThatThrownBy(() -> SampleConfig.of("0.0.0.0", 1, 0, 0, null, 0, "x"))
        .hasMessage("workers: 0 (expected: 1..1024)");
    assertThatThrownBy(() -> SampleConfig.of("0.0.0.0", 1, 0, 0, null, 1, "x").withConcurrency(-1))
        .hasMessage("--concurrency: -1 (expected: 0 for no limit, or 1..100000)");
  }

  @Test
  void aConcurrencyLimitQueuesTheRequestsBeyondItAndServesThemAll() throws Exception {
    SampleServer s = SampleServer.start(SampleConfig.of("127.0.0.1", 0, 0, 0, null, 1, "limited").withConcurrency(2));
    servers.add(s);
    assertThat(post(s, "/latency?ms=5000").statusCode()).isEqualTo(200);
    List<CompletableFuture<JsonClient.Reply>> sent = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sent.add(http.get(URI.create("http://127.0.0.1:" + s.port() + "/")));
    }
    // two are served (waiting out their 5 s), three wait for a place
    await().atMost(Duration.ofSeconds(30)).until(() -> metrics(s).value("sample_requests_in_flight") == 5);
    assertThat(metrics(s).value("sample_requests_waiting")).isEqualTo(3);
    // those three read the latency when their turn comes
    assertThat(post(s, "/latency?ms=0").statusCode()).isEqualTo(200);
    for (CompletableFuture<JsonClient.Reply> r : sent) {
      assertThat(r.join().status()).isEqualTo(200);
    }
    assertThat(metrics(s).value("sample_requests_waiting")).isZero();
    assertThat(metrics(s).value("sample_requests_in_flight")).isZero();
  }

  @Test
  void postLatencyChangesTheWaitOfLaterRequests() throws Exception {
    SampleServer s = start(0, 0, null, 1);
    HttpResponse<String> set = post(s, "/latency?ms=300");
    assertThat(set.statusCode()).isEqualTo(200);
    assertThat(set.body()).isEqualTo("GET / waits 300 ms from now on\n");
    assertThat(get(s, "/").status()).isEqualTo(200);
    assertThat(metrics(s).value("sample_request_duration_seconds_sum", "path", "/")).isGreaterThanOrEqualTo(0.3);

    assertThat(post(s, "/latency?ms=600000").statusCode()).isEqualTo(200);
    CompletableFuture<JsonClient.Reply> stuck = http.get(URI.create("http://127.0.0.1:" + s.port() + "/"));
    await("one request waits").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> metrics(s).value("sample_requests_in_flight") == 1.0);
    assertThat(post(s, "/latency?ms=0").body()).isEqualTo("GET / waits 0 ms from now on\n");
    assertThat(get(s, "/").body()).isEqualTo("hello from test-instance\n");
    assertThat(stuck).isNotDone(); // the change applies to later requests only
  }

  @Test
  void postFailMakesRootAnswerThatStatusUntilStopped() throws Exception {
    SampleServer s = start(0, 0, null, 1);
    HttpResponse<String> set = post(s, "/fail?status=500");
    assertThat(set.statusCode()).isEqualTo(200);
    assertThat(set.body()).isEqualTo("GET / answers 500 from now on\n");
    for (int i = 0; i < 3; i++) {
      JsonClient.Reply r = get(s, "/");
      assertThat(r.status()).isEqualTo(500);
      assertThat(r.body()).isEqualTo("failing with 500 from test-instance\n");
    }
    assertThat(get(s, "/health").status()).as("health is not what fails").isEqualTo(200);
    assertThat(metrics(s).value("sample_requests_total", "path", "/", "status", "500")).isEqualTo(3);

    assertThat(post(s, "/fail?status=0").body()).isEqualTo("GET / answers 200 again\n");
    assertThat(get(s, "/").body()).isEqualTo("hello from test-instance\n");
  }

  @Test
  void badKnobValuesAre400NamingTheParameter() throws Exception {
    SampleServer s = start(0, 0, null, 1);
    HttpResponse<String> r = post(s, "/latency?ms=soon");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("ms: 'soon' (expected: milliseconds from 0 to 3600000)\n");
    assertThat(post(s, "/latency?ms=-1").body()).isEqualTo("ms: '-1' (expected: milliseconds from 0 to 3600000)\n");
    assertThat(post(s, "/latency").body()).isEqualTo("ms: missing (expected: milliseconds from 0 to 3600000)\n");
    r = post(s, "/fail?status=200");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("status: '200' (expected: an error status from 400 to 599, or 0 to stop failing)\n");
    assertThat(post(s, "/fail?status=x").statusCode()).isEqualTo(400);
    assertThat(get(s, "/").body()).as("nothing changed").isEqualTo("hello from test-instance\n");
  }

  @Test
  void webSocketEchoesTextAndBinaryFrames() throws Exception {
    SampleServer s = start(0, 0, null, 1);
    try (WebSocketEchoClient echo = WebSocketEchoClient.connect(URI.create("ws://127.0.0.1:" + s.port() + "/ws"))) {
      assertThat(echo.text("hello over a websocket")).isEqualTo("hello over a websocket");
      byte[] bytes = new byte[60_000]; // under the 64 KiB frame limit, over the client's read buffer
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) (i * 31);
      }
      assertThat(echo.binary(bytes)).isEqualTo(bytes);
      assertThat(echo.text("again")).isEqualTo("again");
    }
    assertThat(get(s, "/ws").status()).as("a plain GET of the endpoint").isEqualTo(400);
    assertThat(get(s, "/").status()).as("other paths are untouched").isEqualTo(200);
  }
}
