package io.mezzo.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.auth.Access;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-try timeout ({@code MEZZO_LB_TRY_TIMEOUT_n}) on real sockets: a backend that takes far longer
 * than the timeout to answer (standing for one cut off by a partition) has its attempts abandoned, so
 * idempotent requests are answered by another backend, others get 504, and its late answers never reach a
 * client; without the label the request waits for it as before.
 */
class TryTimeoutTest {
  /** The stuck backend answers after this, well past the 300 ms per-try timeout. */
  private static final long STUCK_MS = 3000;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private LbFixture fx;
  private int port;
  private Backend good;
  private Backend stuck;

  @BeforeEach
  void start() throws Exception {
    fx = new LbFixture();
    good = new Backend("good", 0);
    stuck = new Backend("late", STUCK_MS);
    port = LbFixture.freePort();
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  /** Answers GET and POST with its name after {@code delayMs}, counting each. */
  private final class Backend {
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger posts = new AtomicInteger();
    final HttpServer server;

    Backend(String name, long delayMs) {
      server = fx.closeLater(HttpServer.builder()
          .prefixRoute("GET", "/", Access.PUBLIC, req -> {
            gets.incrementAndGet();
            return later(name, delayMs);
          })
          .prefixRoute("POST", "/", Access.PUBLIC, req -> {
            posts.incrementAndGet();
            return later(name, delayMs);
          })
          .start());
    }

    private CompletableFuture<HttpResponse> later(String name, long delayMs) {
      CompletableFuture<HttpResponse> f = new CompletableFuture<>();
      CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS)
          .execute(() -> f.complete(HttpResponse.text(200, name)));
      return f;
    }
  }

  private void route(Map<String, String> extra, Backend... backends) {
    Map<String, String> labels = new java.util.HashMap<>(extra);
    labels.put("MEZZO_LB_PORT_0", String.valueOf(port));
    labels.put("MEZZO_LB_HEALTHCHECK_0", "off");
    List<io.mezzo.balancer.discovery.BackendInstance> instances = new ArrayList<>();
    for (Backend b : backends) {
      instances.add(LbFixture.instance("web." + b.server.port(), b.server.port(), true, false));
    }
    fx.route(labels, instances.toArray(io.mezzo.balancer.discovery.BackendInstance[]::new));
  }

  private java.net.http.HttpResponse<String> get() throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x"))
        .timeout(Duration.ofSeconds(20)).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  private java.net.http.HttpResponse<String> post() throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x"))
        .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString("hello")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void getsStuckOnASilentBackendAreRetriedOnAnother() throws Exception {
    route(Map.of("MEZZO_LB_TRY_TIMEOUT_0", "300ms"), good, stuck);
    for (int i = 0; i < 12; i++) {
      var r = get();
      assertThat(r.statusCode()).as("request %d", i).isEqualTo(200);
      assertThat(r.body()).as("request %d", i).isEqualTo("good");
    }
    assertThat(stuck.gets.get()).as("attempts abandoned on the stuck backend").isPositive();
    assertThat(good.gets.get()).isEqualTo(12);
  }

  @Test
  void aPostWithABodyThatTimesOutIsAnswered504AndNotRetried() throws Exception {
    route(Map.of("MEZZO_LB_TRY_TIMEOUT_0", "300ms"), good, stuck);
    int ok = 0;
    int timedOut = 0;
    for (int i = 0; i < 6; i++) {
      var r = post();
      if (r.statusCode() == 200) {
        assertThat(r.body()).isEqualTo("good");
        ok++;
      } else {
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(r.body()).isEqualTo("backend 127.0.0.1:" + stuck.server.port() + " did not answer within 300ms\n");
        timedOut++;
      }
    }
    assertThat(timedOut).as("POSTs that went to the stuck backend").isPositive();
    assertThat(stuck.posts.get()).as("each timed-out POST reached only the stuck backend").isEqualTo(timedOut);
    assertThat(good.posts.get()).as("no POST was retried on the good backend").isEqualTo(ok);
  }

  @Test
  void withOnlyTheSilentBackendTheClientGets504NamingIt() throws Exception {
    route(Map.of("MEZZO_LB_TRY_TIMEOUT_0", "1.5s"), stuck);
    var r = get();
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).isEqualTo("backend 127.0.0.1:" + stuck.server.port() + " did not answer within 1.5s\n");
    assertThat(stuck.gets.get()).as("not retried on the same backend").isEqualTo(1);
    // The next request on the same client connection is not answered by the abandoned attempt's late answer.
    route(Map.of("MEZZO_LB_TRY_TIMEOUT_0", "1.5s"), good);
    var next = get();
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(next.body()).isEqualTo("good");
  }

  @Test
  void withoutTheLabelARequestWaitsForItsBackend() throws Exception {
    route(Map.of(), stuck);
    var r = get();
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).as("the slow backend's own answer").isEqualTo("late");
  }
}
