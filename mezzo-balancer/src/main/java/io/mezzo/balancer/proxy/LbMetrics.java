package io.mezzo.balancer.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The load balancer's meters, per route and per backend: requests (by status class), latency (a
 * Micrometer timer with p50/p90/p99 over a sliding window), in flight, ejections, connect failures.
 * {@link #prometheus()} prints them in the Prometheus text format for {@code /metrics};
 * {@link #stats()} gives the same figures as a tree for the JSON {@code /stats} the autoscaler reads.
 *
 * <p>Thread-safe: meters are recorded from the event loops; backends are added and removed by the
 * control thread.
 */
public final class LbMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, BackendMeters> backends = new ConcurrentHashMap<>();

  private static final String[] STATUS_CLASSES = {"2xx", "3xx", "4xx", "5xx"};

  /** One backend's meters; {@code byClass[i]} counts the answers of {@code STATUS_CLASSES[i]}. */
  private record BackendMeters(BackendRef ref, Timer latency, Map<String, Counter> status, Counter[] byClass,
      Counter connectFailures, Counter ejections, List<Meter> all) {}

  void add(BackendRef b) {
    backends.computeIfAbsent(b.key, k -> {
      List<Meter> all = new ArrayList<>();
      Timer latency = Timer.builder("mezzo_lb_request_duration").tag("route", b.routeKey).tag("backend", b.instanceId)
          .publishPercentiles(0.5, 0.9, 0.99).distributionStatisticExpiry(Duration.ofSeconds(60))
          .distributionStatisticBufferLength(3).register(registry);
      all.add(latency);
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
      return new BackendMeters(b, latency, status, status.values().toArray(new Counter[0]), failures, ejections, all);
    });
  }

  void remove(String key) {
    BackendMeters m = backends.remove(key);
    if (m != null) {
      m.all().forEach(registry::remove);
    }
  }

  void response(BackendRef b, int status, long nanos) {
    BackendMeters m = backends.get(b.key);
    if (m == null) {
      return;
    }
    m.latency().record(nanos, TimeUnit.NANOSECONDS);
    int c = status / 100 - 2; // per response: no string built, no map looked up
    if (c >= 0 && c < m.byClass().length) {
      m.byClass()[c].increment();
    }
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

  /** Every meter in the Prometheus text format. */
  public String prometheus() {
    return registry.scrape();
  }

  /**
   * {@code {route: {backends: {instance: {in_flight, requests, responses: {2xx..}, p50_ms, p90_ms, p99_ms,
   * draining}}, requests, in_flight}}}.
   */
  public Map<String, Object> stats() {
    Map<String, Map<String, Object>> routes = new TreeMap<>();
    for (BackendMeters m : backends.values()) {
      Map<String, Object> route = routes.computeIfAbsent(m.ref().routeKey, k -> {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("requests", 0L);
        r.put("in_flight", 0L);
        r.put("backends", new TreeMap<String, Object>());
        return r;
      });
      HistogramSnapshot h = m.latency().takeSnapshot();
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("host", m.ref().address);
      b.put("draining", m.ref().draining);
      b.put("in_flight", m.ref().inFlight.get());
      b.put("requests", h.count());
      Map<String, Long> status = new LinkedHashMap<>();
      m.status().forEach((c, counter) -> status.put(c, (long) counter.count()));
      b.put("responses", status);
      for (ValueAtPercentile p : h.percentileValues()) {
        b.put("p" + Math.round(p.percentile() * 100) + "_ms", p.value(TimeUnit.MILLISECONDS));
      }
      b.put("connect_failures", (long) m.connectFailures().count());
      b.put("ejections", (long) m.ejections().count());
      @SuppressWarnings("unchecked")
      Map<String, Object> list = (Map<String, Object>) route.get("backends");
      list.put(m.ref().instanceId, b);
      route.put("requests", (Long) route.get("requests") + h.count());
      route.put("in_flight", (Long) route.get("in_flight") + m.ref().inFlight.get());
    }
    return Map.of("routes", routes);
  }
}
