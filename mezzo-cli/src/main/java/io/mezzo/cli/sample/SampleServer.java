package io.mezzo.cli.sample;

import io.mezzo.core.auth.Access;
import io.mezzo.core.http.HttpRequest;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The sample workload ({@code mezzo sample-server}): an HTTP server whose cost per request is set on
 * the command line, for demos, tests and benchmarks of the services scheduler, the load balancer and
 * autoscaling.
 * <ul>
 *   <li>{@code GET /} burns {@link SampleConfig#cpu} of CPU time on a worker thread, then waits
 *       {@link SampleConfig#latency} on a timer (no thread blocks), then answers
 *       {@code hello from <instance>}; with {@link SampleConfig#concurrency} set, at most that many are
 *       served at once and the others queue ({@link ConcurrencyLimit}).
 *   <li>{@code GET /health} answers 200 {@code ok}, or 503 with the reason once health fails (see
 *       {@link HealthSwitch}); {@code POST /health/fail} makes it fail from then on.
 *   <li>{@code GET /metrics} answers every meter of {@link SampleMetrics} in the Prometheus text format.
 *   <li>Knobs that change one running instance, for tests of what sits in front of it:
 *       {@code POST /latency?ms=N} makes {@code GET /} wait N ms from now on (instead of
 *       {@link SampleConfig#latency}); {@code POST /fail?status=S} makes {@code GET /} answer status S
 *       ({@code failing with S from <instance>}) from now on, and {@code POST /fail?status=0} stops that.
 *       Both answer 200 with a one-line body; a bad value gets 400 naming the parameter.
 *   <li>{@code GET /ws} is a WebSocket endpoint that echoes every text and binary frame
 *       ({@link WebSocketEcho}).
 * </ul>
 *
 * <p>Threads: the Netty event loops parse and answer, and never burn or wait; a fixed pool of
 * {@link SampleConfig#workers} threads ({@code sample-worker-N}) burns; one timer thread
 * ({@code sample-timer}) ends the waits; WebSocket frames are echoed on the event loops. Shared state
 * is the thread-safe {@link HealthSwitch} and {@link SampleMetrics}, and the two knobs' atomics. Time
 * for durations comes from the injected ticker.
 */
public final class SampleServer implements AutoCloseable {
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final SampleConfig config;
  private final LongSupplier nanoTime;
  private final HealthSwitch health;
  private final SampleMetrics metrics;
  private final ExecutorService workers;
  private final List<Thread> workerThreads = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService timer;
  private final HttpServer http;
  /** What {@code GET /} waits after burning, in nanoseconds; {@code POST /latency} changes it. */
  private final AtomicLong latencyNanos;
  /** The status {@code GET /} answers instead of 200, or 0; {@code POST /fail} changes it. */
  private final AtomicInteger failStatus = new AtomicInteger();
  /** The queue in front of {@code GET /} when {@link SampleConfig#concurrency} is set, else null. */
  private final ConcurrencyLimit limit;

  private SampleServer(SampleConfig config, LongSupplier nanoTime) {
    this.config = config;
    this.nanoTime = nanoTime;
    this.health = new HealthSwitch(config.failHealth(), nanoTime);
    this.limit = config.concurrency() == 0 ? null : new ConcurrencyLimit(config.concurrency());
    this.metrics = new SampleMetrics(health, limit == null ? () -> 0 : limit::waiting);
    this.latencyNanos = new AtomicLong(config.latency().toNanos());
    ThreadPoolExecutor pool = (ThreadPoolExecutor) Executors.newFixedThreadPool(config.workers(),
        daemons("sample-worker-", workerThreads::add));
    pool.prestartAllCoreThreads();
    this.workers = pool;
    this.timer = Executors.newSingleThreadScheduledExecutor(daemons("sample-timer-", t -> { }));
    try {
      this.http = HttpServer.builder().name("sample-http").bind(config.host(), config.port())
          .threads(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())))
          .maxRequestBytes(64 * 1024)
          .route("GET", "/", Access.PUBLIC, r -> measured("/", this::root))
          .route("GET", "/health", Access.PUBLIC, r -> measured("/health", () -> CompletableFuture.completedFuture(healthAnswer())))
          .route("POST", "/health/fail", Access.PUBLIC, r -> measured("/health/fail", () -> {
            health.fail("told to fail (POST /health/fail)");
            return CompletableFuture.completedFuture(HttpResponse.text(200, "health fails from now on\n"));
          }))
          .route("POST", "/latency", Access.PUBLIC, r -> measured("/latency", () -> CompletableFuture.completedFuture(setLatency(r))))
          .route("POST", "/fail", Access.PUBLIC, r -> measured("/fail", () -> CompletableFuture.completedFuture(setFailure(r))))
          .webSocket("/ws", Access.PUBLIC, WebSocketEcho::new)
          .route("GET", "/metrics", Access.PUBLIC, r -> measured("/metrics", () -> CompletableFuture.completedFuture(
              new HttpResponse(200, PROMETHEUS_TEXT, metrics.scrape().getBytes(StandardCharsets.UTF_8), Map.of(),
                  null))))
          .start();
    } catch (RuntimeException e) {
      workers.shutdownNow();
      timer.shutdownNow();
      throw e;
    }
  }

  /** Starts a server on {@code config}'s address, timing requests with {@link System#nanoTime}. */
  public static SampleServer start(SampleConfig config) {
    return new SampleServer(config, System::nanoTime);
  }

  static SampleServer start(SampleConfig config, LongSupplier nanoTime) {
    return new SampleServer(config, nanoTime);
  }

  /** The port bound (useful when 0 was asked for). */
  public int port() {
    return http.port();
  }

  public SampleConfig config() {
    return config;
  }

  @Override
  public void close() {
    http.close();
    workers.shutdownNow();
    timer.shutdownNow();
  }

  private CompletionStage<HttpResponse> root() {
    CompletableFuture<HttpResponse> answer = new CompletableFuture<>();
    if (limit == null) {
      serve(answer);
    } else {
      limit.submit(() -> serve(answer));
      answer.whenComplete((r, e) -> limit.release());
    }
    return answer;
  }

  /** Burns, waits and completes {@code answer} with the answer to {@code GET /}. */
  private void serve(CompletableFuture<HttpResponse> answer) {
    Runnable afterCpu = () -> {
      health.requestServed();
      int failing = failStatus.get();
      HttpResponse hello = failing == 0 ? HttpResponse.text(200, "hello from " + config.instance() + "\n")
          : HttpResponse.text(failing, "failing with " + failing + " from " + config.instance() + "\n");
      long wait = latencyNanos.get();
      if (wait == 0) {
        answer.complete(hello);
      } else {
        timer.schedule(() -> answer.complete(hello), wait, TimeUnit.NANOSECONDS);
      }
    };
    if (config.cpu().isZero()) {
      afterCpu.run();
    } else {
      workers.execute(() -> {
        try {
          metrics.cpuBurned(CpuBurner.burn(config.cpu().toNanos()));
          afterCpu.run();
        } catch (RuntimeException e) {
          answer.completeExceptionally(e);
        }
      });
    }
  }

  /** {@code POST /latency?ms=N}. */
  private HttpResponse setLatency(HttpRequest r) {
    String ms = r.queryParam("ms");
    long n;
    try {
      n = ms == null ? -1 : Long.parseLong(ms.trim());
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 0 || n > Duration.ofHours(1).toMillis()) {
      return HttpResponse.text(400, "ms: " + (ms == null ? "missing" : "'" + ms + "'")
          + " (expected: milliseconds from 0 to 3600000)\n");
    }
    latencyNanos.set(Duration.ofMillis(n).toNanos());
    return HttpResponse.text(200, "GET / waits " + n + " ms from now on\n");
  }

  /** {@code POST /fail?status=S}. */
  private HttpResponse setFailure(HttpRequest r) {
    String status = r.queryParam("status");
    int s;
    try {
      s = status == null ? -1 : Integer.parseInt(status.trim());
    } catch (NumberFormatException e) {
      s = -1;
    }
    if (s != 0 && (s < 400 || s > 599)) {
      return HttpResponse.text(400, "status: " + (status == null ? "missing" : "'" + status + "'")
          + " (expected: an error status from 400 to 599, or 0 to stop failing)\n");
    }
    failStatus.set(s);
    return HttpResponse.text(200, s == 0 ? "GET / answers 200 again\n" : "GET / answers " + s + " from now on\n");
  }

  private HttpResponse healthAnswer() {
    Optional<String> failure = health.failure();
    return failure.isEmpty() ? HttpResponse.text(200, "ok\n") : HttpResponse.text(503, failure.get() + "\n");
  }

  /** Runs {@code handler}, counting and timing the request. */
  private CompletionStage<HttpResponse> measured(String path, Supplier<CompletionStage<HttpResponse>> handler) {
    long start = nanoTime.getAsLong();
    metrics.received(path);
    CompletionStage<HttpResponse> answer;
    try {
      answer = handler.get();
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    return answer.whenComplete((r, e) -> metrics.answered(path, e == null ? r.status() : 500,
        Duration.ofNanos(nanoTime.getAsLong() - start)));
  }

  /** The threads that burn CPU for requests (so that tests can read their CPU clocks). */
  List<Thread> workerThreads() {
    return List.copyOf(workerThreads);
  }

  private static ThreadFactory daemons(String prefix, Consumer<Thread> made) {
    AtomicInteger n = new AtomicInteger();
    return task -> {
      Thread t = new Thread(task, prefix + n.incrementAndGet());
      t.setDaemon(true);
      made.accept(t);
      return t;
    };
  }
}
