package io.mezzo.core.metrics;

import io.mezzo.core.auth.Access;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One process's Prometheus meters and its {@code GET /metrics} (text format 0.0.4). The registry has
 * the JVM's meters bound (memory, GC, threads, class loading, processors, uptime) and tags every series
 * with {@code mezzo_component} (master, agent, services, lb), which stays apart from the {@code job}
 * and {@code instance} labels Prometheus adds.
 *
 * <p>Components bind their own meters to {@link #registry()}. Gauges must read values their owner
 * thread published (immutable snapshots, atomics): a scrape runs on this class's own thread, never
 * on an owner's. An owner whose figures are only computed on its thread registers a refresh with
 * {@link #beforeScrape}: each scrape first asks every refresh to publish (in parallel, waiting at most
 * {@link #REFRESH_TIMEOUT_MS}; a refresh that fails or is late leaves its last snapshot in place), then
 * writes the registry. {@link #appendText} adds text written elsewhere (the load balancer's summaries).
 *
 * <p>Thread-safe. {@link #close} unbinds the GC listener and stops the scrape thread.
 */
public final class ProcessMetrics implements AutoCloseable {
  /** The content type of {@code /metrics}. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  /** The common tag's name. */
  public static final String COMPONENT_TAG = "mezzo_component";
  /** How long a scrape waits for the refreshes. */
  public static final long REFRESH_TIMEOUT_MS = 2_000;
  private static final Pattern COMPONENT = Pattern.compile("[a-z][a-z0-9_-]*");

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final List<Supplier<? extends CompletionStage<?>>> refreshes = new CopyOnWriteArrayList<>();
  private final List<Supplier<String>> texts = new CopyOnWriteArrayList<>();
  private final ExecutorService scraper = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "metrics-scrape");
    t.setDaemon(true);
    return t;
  });

  private ProcessMetrics(String component) {
    registry.config().commonTags(COMPONENT_TAG, component)
        // Two of Micrometer's JVM meters break Prometheus' naming rules (promtool check metrics):
        // process_cpu_time_ns_total counts in an abbreviated non-base unit (process_cpu_usage stays),
        // and system_cpu_count is a gauge with a _count suffix; it is served as system_cpus.
        .meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"))
        .meterFilter(new MeterFilter() {
          @Override
          public Meter.Id map(Meter.Id id) {
            return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
          }
        });
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /**
   * The meters of a process running {@code component} ({@code master}, {@code agent}, ...).
   *
   * @throws IllegalArgumentException when {@code component} is not a lower-case name
   */
  public static ProcessMetrics create(String component) {
    if (component == null || !COMPONENT.matcher(component).matches()) {
      throw new IllegalArgumentException("component: " + (component == null ? "null" : "\"" + component + "\"")
          + " (expected: a lower-case name such as master or agent)");
    }
    return new ProcessMetrics(component);
  }

  /** The registry components bind their meters to. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Runs {@code refresh} (which publishes a snapshot on its owner's thread) before every scrape. */
  public void beforeScrape(Supplier<? extends CompletionStage<?>> refresh) {
    refreshes.add(refresh);
  }

  /** Appends what {@code text} gives (whole metric families, in the text format) to every scrape. */
  public void appendText(Supplier<String> text) {
    texts.add(text);
  }

  /** Refreshes, then writes every meter in the text format. Completes on the scrape thread. */
  public CompletableFuture<String> scrape() {
    CompletableFuture<?>[] waits = refreshes.stream().map(r -> {
      try {
        return r.get().toCompletableFuture().orTimeout(REFRESH_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .handle((ok, failed) -> null);
      } catch (RuntimeException e) {
        return CompletableFuture.completedFuture(null);
      }
    }).toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(waits).thenApplyAsync(done -> {
      StringBuilder out = new StringBuilder(registry.scrape());
      for (Supplier<String> t : texts) {
        String more = t.get();
        if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
          out.append('\n');
        }
        out.append(more);
      }
      return out.toString();
    }, scraper);
  }

  /** Adds {@code GET /metrics} ({@link Access#VIEWER}) to {@code b}. */
  public void route(HttpServer.Builder b) {
    b.route("GET", "/metrics", Access.VIEWER, req -> scrape().thenApply(text -> new HttpResponse(200, CONTENT_TYPE,
        text.getBytes(StandardCharsets.UTF_8), Map.of(), null)));
  }

  @Override
  public void close() {
    gc.close();
    scraper.shutdownNow();
  }
}
