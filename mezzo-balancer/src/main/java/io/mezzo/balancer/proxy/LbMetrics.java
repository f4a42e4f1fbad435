package io.mezzo.balancer.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The load balancer's meters, per route and per backend: requests (by status class), requests/s over
 * the last 10 s (sampled each second by {@link #sample}), latency (a {@link LatencyWindow}: HdrHistogram
 * recorders per event loop, p50/p90/p95/p99 and max over the last 40-60 s), in flight, ejections, connect
 * failures; a route's own figures outlive the backends that come and go;
 * active health state and transitions, retries, and per route panic, retry budget and queue figures.
 * {@link #prometheus()} prints them in the Prometheus text format for {@code /metrics} (the latencies as
 * summaries {@code mezzo_lb_request_duration_seconds} and {@code mezzo_lb_route_request_duration_seconds}
 * with quantiles 0.5, 0.9, 0.95, 0.99, {@code _count}, {@code _sum} and a {@code _max} gauge, computed at
 * scrape time); {@link #stats()} gives the same figures as a tree for the JSON {@code /stats} the
 * autoscaler reads.
 *
 * <p>Thread-safe: meters are recorded from the event loops; backends are added and removed by the
 * control thread; the latency windows are read by the sampler and the admin threads.
 */
public final class LbMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** The clock the latency windows rotate by. */
  private final LongSupplier nanoTime;
  private final Map<String, BackendMeters> backends = new ConcurrentHashMap<>();
  private final Map<String, HealthMeters> health = new ConcurrentHashMap<>();
  private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();

  private static final String[] STATUS_CLASSES = {"2xx", "3xx", "4xx", "5xx"};
  /** The index of 5xx in {@link #STATUS_CLASSES}: the answers counted as errors. */
  private static final int SERVER_ERRORS = 3;

  public LbMetrics() {
    this(System::nanoTime);
  }

  /** With {@code nanoTime} as the clock of the latency windows (tests move a fake one). */
  LbMetrics(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** One backend's meters; {@code byClass[i]} counts the answers of {@code STATUS_CLASSES[i]}. */
  private record BackendMeters(BackendRef ref, LatencyWindow latency, Map<String, Counter> status, Counter[] byClass,
      Counter connectFailures, Counter ejections, RateWindow rate, RateWindow busy, RateWindow errors,
      List<Meter> all) {}

  /**
   * Samples in a rate window, one a second: requests/s over the last 10 s, errors/s likewise (5xx answers,
   * and for a backend also its connect failures), and the time spent in requests per second, which is the
   * mean number in flight over those 10 s (Little's law: each request counts its whole latency in the
   * second it ends). The sampler reads the counters; the request path records nothing more for them.
   */
  private static final int RATE_SAMPLES = 11;

  void add(BackendRef b) {
    backends.computeIfAbsent(b.key, k -> {
      List<Meter> all = new ArrayList<>();
      LatencyWindow latency = new LatencyWindow();
      Map<String, Counter> status = new LinkedHashMap<>();
      for (String c : STATUS_CLASSES) {
        Counter counter = Counter.builder("mezzo_lb_responses").tag("route", b.routeKey).tag("backend", b.instanceId)
            .tag("class", c).register(registry);
        status.put(c, counter);
        all.add(counter);
      }
      Counter failures = Counter.builder("mezzo_lb_connect_failures").tag("route", b.routeKey)
          .tag("backend", b.instanceId).register(registry);
      Counter ejections = Counter.builder("mezzo_lb_ejections").tag("route", b.routeKey).tag("backend", b.instanceId)
          .register(registry);
      all.add(failures);
      all.add(ejections);
      all.add(Gauge.builder("mezzo_lb_in_flight", b, r -> r.inFlight.get()).tag("route", b.routeKey)
          .tag("backend", b.instanceId).register(registry));
      return new BackendMeters(b, latency, status, status.values().toArray(new Counter[0]), failures, ejections,
          new RateWindow(RATE_SAMPLES), new RateWindow(RATE_SAMPLES), new RateWindow(RATE_SAMPLES), all);
    });
    health(b);
  }

  void remove(String key) {
    BackendMeters m = backends.remove(key);
    if (m != null) {
      m.all().forEach(registry::remove);
    }
    HealthMeters h = health.remove(key);
    if (h != null) {
      h.all().forEach(registry::remove);
    }
  }

  /**
   * One backend's health and retry meters: whether its active checks say UP ({@code mezzo_lb_backend_up},
   * 1 or 0), its UP/DOWN transitions ({@code mezzo_lb_backend_health_transitions_total{to}}) and the retries
   * of requests it failed ({@code mezzo_lb_retries_total}).
   */
  private record HealthMeters(Counter toUp, Counter toDown, Counter retries, List<Meter> all) {}

  private HealthMeters health(BackendRef b) {
    return health.computeIfAbsent(b.key, k -> {
      Counter up = Counter.builder("mezzo_lb_backend_health_transitions").tag("route", b.routeKey)
          .tag("backend", b.instanceId).tag("to", "up").register(registry);
      Counter down = Counter.builder("mezzo_lb_backend_health_transitions").tag("route", b.routeKey)
          .tag("backend", b.instanceId).tag("to", "down").register(registry);
      Counter retries = Counter.builder("mezzo_lb_retries").tag("route", b.routeKey).tag("backend", b.instanceId)
          .register(registry);
      Gauge state = Gauge.builder("mezzo_lb_backend_up", b, r -> r.down ? 0 : 1).tag("route", b.routeKey)
          .tag("backend", b.instanceId).register(registry);
      return new HealthMeters(up, down, retries, List.of(up, down, retries, state));
    });
  }

  void healthTransition(BackendRef b, boolean up) {
    HealthMeters h = health(b);
    (up ? h.toUp() : h.toDown()).increment();
  }

  /** A request that failed on {@code b} was retried (on another backend or a fresh connection). */
  void retry(BackendRef b) {
    health(b).retries().increment();
  }

  /**
   * One route's failure-handling meters (all counters are {@code _total} in Prometheus): requests routed in
   * panic mode and whether the route is in panic now, requests waiting now ({@code mezzo_lb_waiting}),
   * retries refused because the budget was spent, requests that waited for a slot on a full backend, timed
   * out waiting, or were refused because the queue was full, and requests that waited for a backend to
   * appear or timed out doing so.
   */
  static final class RouteMeters {
    final LatencyWindow latency = new LatencyWindow();
    final Counter[] byClass = new Counter[STATUS_CLASSES.length];
    final RateWindow rate = new RateWindow(RATE_SAMPLES);
    final RateWindow busy = new RateWindow(RATE_SAMPLES);
    final RateWindow errors = new RateWindow(RATE_SAMPLES);
    final Counter panics;
    final Counter budgetExhausted;
    final Counter queued;
    final Counter queueTimeouts;
    final Counter queueRejections;
    final Counter noBackendWaits;
    final Counter noBackendTimeouts;
    final java.util.concurrent.atomic.AtomicBoolean panic = new java.util.concurrent.atomic.AtomicBoolean();
    /** Requests (or TCP connections) waiting now, for a slot or for a backend. */
    final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
    private final List<Meter> all = new ArrayList<>();

    private RouteMeters(PrometheusMeterRegistry registry, String route) {
      for (int i = 0; i < STATUS_CLASSES.length; i++) {
        byClass[i] = Counter.builder("mezzo_lb_route_responses").tag("route", route).tag("class", STATUS_CLASSES[i])
            .register(registry);
        all.add(byClass[i]);
      }
      panics = counter(registry, "mezzo_lb_panic_requests", route);
      budgetExhausted = counter(registry, "mezzo_lb_retry_budget_exhausted", route);
      queued = counter(registry, "mezzo_lb_queue_waits", route);
      queueTimeouts = counter(registry, "mezzo_lb_queue_timeouts", route);
      queueRejections = counter(registry, "mezzo_lb_queue_rejections", route);
      noBackendWaits = counter(registry, "mezzo_lb_no_backend_waits", route);
      noBackendTimeouts = counter(registry, "mezzo_lb_no_backend_timeouts", route);
      all.add(Gauge.builder("mezzo_lb_route_panic", panic, p -> p.get() ? 1 : 0).tag("route", route)
          .register(registry));
      all.add(Gauge.builder("mezzo_lb_waiting", waiting, w -> w.get()).tag("route", route).register(registry));
    }

    private Counter counter(PrometheusMeterRegistry registry, String name, String route) {
      Counter c = Counter.builder(name).tag("route", route).register(registry);
      all.add(c);
      return c;
    }

    private Map<String, Object> stats(long nowNanos) {
      Map<String, Object> m = new LinkedHashMap<>();
      LatencyWindow.Figures h = latency.read(nowNanos);
      m.put("requests", h.count());
      m.put("rps", rate.perSecond());
      m.put("requests_per_second", rate.perSecond());
      m.put("errors_per_second", errors.perSecond());
      m.put("in_flight_avg", busy.perSecond() / 1e9);
      Map<String, Long> status = new LinkedHashMap<>();
      for (int i = 0; i < STATUS_CLASSES.length; i++) {
        status.put(STATUS_CLASSES[i], (long) byClass[i].count());
      }
      m.put("responses", status);
      putPercentiles(m, h);
      m.put("panic", panic.get());
      m.put("panic_requests", (long) panics.count());
      m.put("waiting", waiting.get());
      m.put("retry_budget_exhausted", (long) budgetExhausted.count());
      m.put("queued", (long) queued.count());
      m.put("queue_timeouts", (long) queueTimeouts.count());
      m.put("queue_rejections", (long) queueRejections.count());
      m.put("no_backend_waits", (long) noBackendWaits.count());
      m.put("no_backend_timeouts", (long) noBackendTimeouts.count());
      return m;
    }
  }

  /** The meters of route {@code key}, made on first use. */
  RouteMeters route(String key) {
    return routes.computeIfAbsent(key, k -> new RouteMeters(registry, k));
  }

  /** Forgets the meters of every route but {@code keep}. */
  void retainRoutes(java.util.Set<String> keep) {
    for (var it = routes.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!keep.contains(e.getKey())) {
        it.remove();
        e.getValue().all.forEach(registry::remove);
      }
    }
  }

  void response(BackendRef b, int status, long nanos) {
    BackendMeters m = backends.get(b.key);
    if (m == null) {
      return;
    }
    m.latency().record(nanos);
    int c = status / 100 - 2; // per response: no string built
    if (c >= 0 && c < m.byClass().length) {
      m.byClass()[c].increment();
    }
    RouteMeters r = routes.get(b.routeKey);
    if (r != null) {
      r.latency.record(nanos);
      if (c >= 0 && c < r.byClass.length) {
        r.byClass[c].increment();
      }
    }
  }

  /** Takes the rate windows' samples; called about once a second. */
  void sample(long nowNanos) {
    for (BackendMeters m : backends.values()) {
      sample(m.rate(), m.latency().count(nowNanos), nowNanos);
      sample(m.busy(), m.latency().sumNanos(), nowNanos);
      sample(m.errors(), (long) (m.byClass()[SERVER_ERRORS].count() + m.connectFailures().count()), nowNanos);
    }
    for (RouteMeters r : routes.values()) {
      sample(r.rate, r.latency.count(nowNanos), nowNanos);
      sample(r.busy, r.latency.sumNanos(), nowNanos);
      sample(r.errors, (long) r.byClass[SERVER_ERRORS].count(), nowNanos);
    }
    lastSampleNanos = nowNanos;
  }

  /** A window's first sample: its meter was made after the last sample, so it counted 0 then. */
  private void sample(RateWindow w, long count, long nowNanos) {
    if (w.isEmpty() && lastSampleNanos != Long.MIN_VALUE) {
      w.sample(0, lastSampleNanos);
    }
    w.sample(count, nowNanos);
  }

  private volatile long lastSampleNanos = Long.MIN_VALUE;

  private static void putPercentiles(Map<String, Object> into, LatencyWindow.Figures h) {
    into.put("p50_ms", h.p50() / 1000.0);
    into.put("p90_ms", h.p90() / 1000.0);
    into.put("p95_ms", h.p95() / 1000.0);
    into.put("p99_ms", h.p99() / 1000.0);
  }

  void connectFailure(BackendRef b) {
    BackendMeters m = backends.get(b.key);
    if (m != null) {
      m.connectFailures().increment();
    }
  }

  void ejection(BackendRef b) {
    BackendMeters m = backends.get(b.key);
    if (m != null) {
      m.ejections().increment();
    }
  }

  /** Every meter in the Prometheus text format: the registry's, then the latency summaries. */
  public String prometheus() {
    long now = nanoTime.getAsLong();
    StringBuilder out = new StringBuilder(registry.scrape());
    List<BackendMeters> bs = new ArrayList<>(backends.values());
    bs.sort(java.util.Comparator.comparing((BackendMeters m) -> m.ref().instanceId)
        .thenComparing(m -> m.ref().routeKey));
    PrometheusSummaries.Writer b = new PrometheusSummaries.Writer(out, "mezzo_lb_request_duration_seconds",
        "the time from a request's start to its answer's end, per backend");
    for (BackendMeters m : bs) {
      b.summary("backend=\"" + PrometheusSummaries.escape(m.ref().instanceId) + "\",route=\""
          + PrometheusSummaries.escape(m.ref().routeKey) + "\"", m.latency().read(now));
    }
    b.end();
    PrometheusSummaries.Writer r = new PrometheusSummaries.Writer(out, "mezzo_lb_route_request_duration_seconds",
        "the time from a request's start to its answer's end, per route");
    for (var e : new TreeMap<>(routes).entrySet()) {
      r.summary("route=\"" + PrometheusSummaries.escape(e.getKey()) + "\"", e.getValue().latency.read(now));
    }
    r.end();
    return out.toString();
  }

  /**
   * {@code {route: {backends: {instance: {in_flight, in_flight_avg, requests, rps, requests_per_second (the same
   * as rps), errors_per_second, responses: {2xx..}, p50_ms, p90_ms, p95_ms, p99_ms, draining, health (UP or
   * DOWN), health_reason, retries, health_transitions}}, requests, rps, requests_per_second, errors_per_second,
   * in_flight_avg, responses, p50_ms, p90_ms, p95_ms, p99_ms, in_flight, panic,
   * panic_requests, waiting, retry_budget_exhausted, queued, queue_timeouts, queue_rejections, no_backend_waits,
   * no_backend_timeouts}}}.
   */
  public Map<String, Object> stats() {
    long now = nanoTime.getAsLong();
    Map<String, Map<String, Object>> routes = new TreeMap<>();
    for (BackendMeters m : backends.values()) {
      Map<String, Object> route = routes.computeIfAbsent(m.ref().routeKey, k -> {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("requests", 0L);
        r.put("in_flight", 0L);
        r.put("backends", new TreeMap<String, Object>());
        return r;
      });
      LatencyWindow.Figures h = m.latency().read(now);
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("host", m.ref().address);
      b.put("draining", m.ref().draining);
      b.put("in_flight", m.ref().inFlight.get());
      b.put("requests", h.count());
      b.put("rps", m.rate().perSecond());
      b.put("requests_per_second", m.rate().perSecond());
      b.put("errors_per_second", m.errors().perSecond());
      b.put("in_flight_avg", m.busy().perSecond() / 1e9);
      Map<String, Long> status = new LinkedHashMap<>();
      m.status().forEach((c, counter) -> status.put(c, (long) counter.count()));
      b.put("responses", status);
      putPercentiles(b, h);
      b.put("connect_failures", (long) m.connectFailures().count());
      b.put("ejections", (long) m.ejections().count());
      b.put("health", m.ref().down ? "DOWN" : "UP");
      b.put("health_reason", m.ref().healthReason);
      HealthMeters hm = health.get(m.ref().key);
      b.put("retries", hm == null ? 0L : (long) hm.retries().count());
      b.put("health_transitions", hm == null ? 0L : (long) (hm.toUp().count() + hm.toDown().count()));
      @SuppressWarnings("unchecked")
      Map<String, Object> list = (Map<String, Object>) route.get("backends");
      list.put(m.ref().instanceId, b);
      route.put("requests", (Long) route.get("requests") + h.count());
      route.put("in_flight", (Long) route.get("in_flight") + m.ref().inFlight.get());
    }
    this.routes.forEach((key, meters) -> routes.computeIfAbsent(key, k -> {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("requests", 0L);
      r.put("in_flight", 0L);
      r.put("backends", new TreeMap<String, Object>());
      return r;
    }).putAll(meters.stats(now)));
    return Map.of("routes", routes);
  }
}
