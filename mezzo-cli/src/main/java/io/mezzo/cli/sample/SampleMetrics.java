package io.mezzo.cli.sample;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * The sample server's meters, exposed in the Prometheus text format:
 * <ul>
 *   <li>{@code sample_requests_total{path,status}}: answered requests;
 *   <li>{@code sample_requests_in_flight}: {@code GET /} requests received and not answered yet (the
 *       work in progress; health checks and scrapes are not counted);
 *   <li>{@code sample_request_duration_seconds{path}}: a histogram of the time from receiving a
 *       request to answering it, with buckets from 1 ms to 10 s;
 *   <li>{@code sample_cpu_burned_seconds_total}: CPU time spent burning for {@code GET /};
 *   <li>{@code sample_requests_waiting}: {@code GET /} requests queued behind the concurrency limit;
 *   <li>{@code sample_healthy}: 1 while {@code /health} passes, else 0.
 * </ul>
 * Thread-safe (Micrometer's meters are); durations are measured by the caller.
 */
final class SampleMetrics {
  private static final Duration[] BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10)};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Counter cpuBurned;

  SampleMetrics(HealthSwitch health, IntSupplier waiting) {
    Gauge.builder("sample.requests.waiting", waiting, IntSupplier::getAsInt)
        .description("GET / requests queued behind the concurrency limit").register(registry);
    Gauge.builder("sample.requests.in.flight", inFlight, AtomicInteger::get)
        .description("GET / requests received and not answered yet").register(registry);
    Gauge.builder("sample.healthy", health, h -> h.failure().isPresent() ? 0 : 1)
        .description("1 while /health passes, else 0").register(registry);
    cpuBurned = Counter.builder("sample.cpu.burned").baseUnit("seconds")
        .description("Thread CPU time burned for GET /").register(registry);
    // Present from the start, so that a scraper's rate() sees the first requests.
    requests("/", 200);
    duration("/");
  }

  /** A request for {@code path} arrived. */
  void received(String path) {
    if (path.equals("/")) {
      inFlight.incrementAndGet();
    }
  }

  /** A request that {@link #received} was answered {@code took} after it arrived. */
  void answered(String path, int status, Duration took) {
    if (path.equals("/")) {
      inFlight.decrementAndGet();
    }
    requests(path, status).increment();
    duration(path).record(took);
  }

  private Counter requests(String path, int status) {
    return Counter.builder("sample.requests").description("Answered requests")
        .tag("path", path).tag("status", String.valueOf(status)).register(registry);
  }

  private Timer duration(String path) {
    return Timer.builder("sample.request.duration").description("Time from receiving a request to answering it")
        .tag("path", path).serviceLevelObjectives(BUCKETS).register(registry);
  }

  void cpuBurned(long nanos) {
    cpuBurned.increment(nanos / 1e9);
  }

  /** Every meter in the Prometheus text format (0.0.4). */
  String scrape() {
    return registry.scrape();
  }
}
