package io.mezzo.autoscaler.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.autoscaler.MetricValue;
import io.mezzo.autoscaler.Observation;
import io.mezzo.autoscaler.policy.ScalingPolicy;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Builds one app's {@link Observation} for an evaluation from what the cluster already collects, so
 * that no instance is polled every second:
 * <ul>
 *   <li>{@code requestsPerSecond} and {@code inFlight}: each load balancer's {@code /stats} (its
 *       {@code rps} over the last 10 s, and {@code in_flight_avg}, the mean in flight over the last 10 s,
 *       per backend), summed over the app's routes ({@code /app:N}) and the load balancers, averaged over
 *       the ready instances listed. The mean does not flap with each sample as the count of one instant
 *       does, but it lags a surge, and requests stuck in a backlog count only when they end; so when the
 *       count of the instant ({@code in_flight}) is at least {@link #SURGE_FACTOR} times the mean, that
 *       count is used (and a note says so);
 *   <li>{@code latencyP95Ms}: the largest {@code p95_ms} (over the last minute) of the app's routes over
 *       the balancers; a route without traffic gives no latency, and a route with traffic whose
 *       {@code p95_ms} is missing or not a number makes the metric missing (a maximum without it could
 *       hide a breach);
 *   <li>{@code cpu} and {@code memory}: the master's {@code /master/state} {@code task_usage} (the last
 *       agent heartbeat's {@code cpus_used} and {@code mem_rss_bytes}) over the task's allocation (its
 *       {@code resources} there, else the app's {@code cpus}/{@code mem}); an instance's cpu is ignored
 *       until it has run for the policy's {@code cpuInitializationSeconds};
 *   <li>any other name: the source an app label names ({@link MetricSource}): a Prometheus sample read
 *       from at most {@link #MAX_SCRAPES} ready instances, or an external JSON value.
 * </ul>
 * Only the metrics the policy names are gathered, and only at the app's evaluation. Instances that are
 * not ready (starting, unhealthy, draining: {@link AppView#ready}) are left out of every average. A
 * metric that cannot be gathered is absent from the observation, never 0, and {@link Gathered#notes}
 * says why.
 *
 * <p>Thread-safe: it holds no state but its HTTP client; the autoscaler's loop calls it.
 */
public final class MetricsGatherer {
  /**
   * How far the in-flight count of the instant must be over the 10 s mean for it to be used instead (a
   * surge, or a backlog building faster than requests end: as Knative's panic threshold of 200%).
   */
  static final double SURGE_FACTOR = 2.0;
  /** The most instances whose Prometheus endpoint is read for one metric at one evaluation. */
  public static final int MAX_SCRAPES = 16;
  private static final Set<String> LB_METRICS = Set.of(MetricValue.REQUESTS_PER_SECOND, MetricValue.IN_FLIGHT,
      MetricValue.LATENCY_P95_MS);
  private static final Set<String> MASTER_METRICS = Set.of(MetricValue.CPU, MetricValue.MEMORY);

  private final List<String> lbStats;
  /** The master to read {@code /master/state} from, asked at each gathering (null: none known now). */
  private final java.util.function.Supplier<String> master;
  /** Whether any master was given at all (else the usage metrics say there is no master address). */
  private final boolean hasMaster;
  /** To Mezzo's own servers (the LBs' stats, the master's state), with the bearer token if any. */
  private final Http http;
  /** To the apps' own endpoints and user-given metric URLs: never with Mezzo's token. */
  private final Http open;
  private final io.mezzo.core.auth.Caller caller;

  /**
   * @param lbStatsAddresses the load balancers' admin {@code HOST:PORT}s serving {@code /stats} (empty:
   *     no load-balancer metrics)
   * @param masterAddress the master's {@code HOST:PORT} serving {@code /master/state}, or null
   * @param timeout for each HTTP request
   */
  public MetricsGatherer(List<String> lbStatsAddresses, String masterAddress, Duration timeout) {
    this(lbStatsAddresses, masterAddress, timeout, io.mezzo.core.auth.Caller.NONE);
  }

  /**
   * As the other constructor, calling the load balancers and the master as {@code caller} (a viewer's
   * secret or better; TLS if they speak it), and never sending that token to the apps' own endpoints.
   */
  public MetricsGatherer(List<String> lbStatsAddresses, String masterAddress, Duration timeout,
      io.mezzo.core.auth.Caller caller) {
    this(lbStatsAddresses, masterAddress == null ? null : () -> masterAddress, timeout, caller);
  }

  /**
   * As the other constructors, with the master's {@code HOST:PORT} asked of {@code masterAddress} at each
   * gathering (the leader of several masters, say, which may change; it may answer null when it knows
   * none now), or no master when {@code masterAddress} is null.
   */
  public MetricsGatherer(List<String> lbStatsAddresses, java.util.function.Supplier<String> masterAddress,
      Duration timeout, io.mezzo.core.auth.Caller caller) {
    this.lbStats = List.copyOf(lbStatsAddresses);
    this.hasMaster = masterAddress != null;
    this.master = masterAddress == null ? () -> null : masterAddress;
    this.caller = Objects.requireNonNull(caller, "caller");
    this.http = new Http(Objects.requireNonNull(timeout, "timeout"), caller);
    this.open = caller.equals(io.mezzo.core.auth.Caller.NONE) ? http : new Http(timeout, io.mezzo.core.auth.Caller.NONE);
  }

  /** One observation and, per metric not gathered (or gathered with a caveat), why. */
  public record Gathered(Observation observation, Map<String, String> notes) {
    public Gathered {
      notes = Map.copyOf(notes);
    }
  }

  /**
   * What several apps evaluated at the same tick share: each balancer's {@code /stats} (null for one
   * that did not answer) and the master's state (null when unread or unanswered), with the reasons.
   */
  record Shared(List<JsonNode> lbStats, JsonNode masterState, Map<String, String> failures) {}

  /** The metric names {@code policy} reads. */
  static Set<String> metricNames(ScalingPolicy policy) {
    Set<String> names = new LinkedHashSet<>();
    policy.metrics().forEach(m -> names.add(m.name()));
    policy.steps().forEach(s -> names.add(s.metric()));
    if (policy.predictive() != null) {
      names.add(policy.predictive().metric());
    }
    return names;
  }

  /** Reads the shared sources the given metric names need, all at once. */
  Shared fetchShared(Set<String> names) {
    Map<String, String> failures = new LinkedHashMap<>();
    boolean wantLb = names.stream().anyMatch(LB_METRICS::contains);
    String masterNow = hasMaster && names.stream().anyMatch(MASTER_METRICS::contains) ? master.get() : null;
    boolean wantMaster = masterNow != null;
    if (hasMaster && !wantMaster && names.stream().anyMatch(MASTER_METRICS::contains)) {
      failures.put("master", "no leading master is known now");
    }
    List<CompletableFuture<JsonNode>> lbs = new ArrayList<>();
    if (wantLb) {
      for (String a : lbStats) {
        lbs.add(http.json(caller.uri(a, "/stats")).exceptionally(e -> {
          synchronized (failures) {
            failures.put("lb " + a, Http.describe(e));
          }
          return null;
        }));
      }
    }
    CompletableFuture<JsonNode> state = !wantMaster ? CompletableFuture.completedFuture(null)
        : http.json(caller.uri(masterNow, "/master/state")).exceptionally(e -> {
          synchronized (failures) {
            failures.put("master", Http.describe(e));
          }
          return null;
        });
    List<JsonNode> stats = new ArrayList<>();
    lbs.forEach(f -> stats.add(f.join()));
    JsonNode masterState = state.join();
    synchronized (failures) {
      return new Shared(stats, masterState, Map.copyOf(failures));
    }
  }

  /** Reads the shared sources and gathers {@code app}'s metrics: {@link #fetchShared} then {@link #gather}. */
  Gathered gather(AppView app, ScalingPolicy policy, Instant now) {
    return gather(app, policy, fetchShared(metricNames(policy)), now);
  }

  /** {@code app}'s observation at {@code now}: the metrics {@code policy} names, from {@code shared} and its own sources. */
  Gathered gather(AppView app, ScalingPolicy policy, Shared shared, Instant now) {
    Map<String, MetricValue> metrics = new LinkedHashMap<>();
    Map<String, String> notes = new LinkedHashMap<>();
    List<AppView.Task> ready = app.readyTasks();
    LbFigures lb = null;
    for (String name : metricNames(policy)) {
      if (LB_METRICS.contains(name)) {
        if (lb == null) {
          lb = lbFigures(app, shared, ready);
        }
        lbMetric(name, lb, metrics, notes);
      } else if (MASTER_METRICS.contains(name)) {
        usageMetric(name, app, policy, shared, ready, now, metrics, notes);
      } else {
        sourceMetric(name, app, ready, metrics, notes);
      }
    }
    return new Gathered(new Observation(now, app.instances(), ready.size(), metrics), notes);
  }

  // ---- the load balancers

  /**
   * The app's load-balancer figures: per ready instance rps and in flight, the worst route p95 (null: none),
   * and why there is no latency although routes have traffic (null: nothing missing).
   */
  private record LbFigures(int answered, Map<String, double[]> perInstance, Double latency, String latencyMissing,
      String problem) {}

  private LbFigures lbFigures(AppView app, Shared shared, List<AppView.Task> ready) {
    if (lbStats.isEmpty()) {
      return new LbFigures(0, Map.of(), null, null, "no load balancer stats address configured (--lb-stats)");
    }
    Set<String> readyIds = new LinkedHashSet<>();
    ready.forEach(t -> readyIds.add(t.id()));
    Map<String, double[]> per = new LinkedHashMap<>(); // instance -> {rps, inFlight}
    int answered = 0;
    Double latency = null;
    String latencyMissing = null;
    for (int i = 0; i < shared.lbStats().size(); i++) {
      JsonNode stats = shared.lbStats().get(i);
      if (stats == null) {
        continue;
      }
      answered++;
      var routes = stats.path("routes").fields();
      while (routes.hasNext()) {
        var route = routes.next();
        if (!route.getKey().startsWith(app.id() + ":")) {
          continue;
        }
        JsonNode r = route.getValue();
        var backends = r.path("backends").fields();
        while (backends.hasNext()) {
          var b = backends.next();
          if (!readyIds.contains(b.getKey()) || b.getValue().path("draining").asBoolean(false)) {
            continue;
          }
          double[] sums = per.computeIfAbsent(b.getKey(), k -> new double[3]);
          sums[0] += b.getValue().path("rps").asDouble(0);
          sums[1] += b.getValue().path("in_flight").asDouble(0);
          JsonNode avg = b.getValue().path("in_flight_avg");
          sums[2] += avg.isNumber() ? avg.asDouble() : Double.NaN; // NaN: a balancer without the mean
        }
        JsonNode p95 = r.path("p95_ms");
        if (!p95.isNumber()) {
          if (r.path("rps").asDouble(0) > 0 && latencyMissing == null) {
            latencyMissing = "route " + route.getKey() + " of load balancer " + lbStats.get(i) + " has traffic but "
                + "p95_ms: " + (p95.isMissingNode() ? "missing" : p95) + " (expected: a number)";
          }
        } else if (r.path("rps").asDouble(0) > 0 || p95.asDouble() > 0) {
          if (latency == null || p95.asDouble() > latency) {
            latency = p95.asDouble();
          }
        }
      }
    }
    String problem = answered == 0 ? "no load balancer answered: " + shared.failures() : null;
    return new LbFigures(answered, per, latency, latencyMissing, problem);
  }

  private static void lbMetric(String name, LbFigures lb, Map<String, MetricValue> metrics, Map<String, String> notes) {
    if (lb.problem() != null) {
      notes.put(name, lb.problem());
      return;
    }
    if (name.equals(MetricValue.LATENCY_P95_MS)) {
      if (lb.latencyMissing() != null) {
        notes.put(name, lb.latencyMissing());
      } else if (lb.latency() == null) {
        notes.put(name, "no requests through the load balancer: no latency");
      } else {
        metrics.put(name, MetricValue.appWide(lb.latency()));
      }
      return;
    }
    if (lb.perInstance().isEmpty()) {
      notes.put(name, "no ready instance is a backend of the load balancer");
      return;
    }
    int n = lb.perInstance().size();
    if (name.equals(MetricValue.REQUESTS_PER_SECOND)) {
      metrics.put(name, MetricValue.perInstance(lb.perInstance().values().stream().mapToDouble(v -> v[0]).sum() / n, n));
      return;
    }
    double now = lb.perInstance().values().stream().mapToDouble(v -> v[1]).sum() / n;
    double mean = lb.perInstance().values().stream().mapToDouble(v -> v[2]).sum() / n;
    if (Double.isNaN(mean)) {
      metrics.put(name, MetricValue.perInstance(now, n));
      notes.put(name, "a load balancer gives no in_flight_avg: the in-flight count of this instant stands in");
    } else if (now >= SURGE_FACTOR * mean && now > 0) {
      metrics.put(name, MetricValue.perInstance(now, n));
      notes.put(name, String.format(Locale.ROOT, "a surge: %.3g in flight now, over %.0fx the 10 s mean of %.3g",
          now, SURGE_FACTOR, mean));
    } else {
      metrics.put(name, MetricValue.perInstance(mean, n));
    }
  }

  // ---- the master's task usage

  private void usageMetric(String name, AppView app, ScalingPolicy policy, Shared shared, List<AppView.Task> ready,
      Instant now, Map<String, MetricValue> metrics, Map<String, String> notes) {
    if (shared.masterState() == null) {
      notes.put(name, !hasMaster ? "no master address" : "the master did not answer: "
          + shared.failures().getOrDefault("master", "?"));
      return;
    }
    Map<String, JsonNode> usage = new HashMap<>();
    for (JsonNode agent : shared.masterState().path("slaves")) {
      for (JsonNode u : agent.path("task_usage")) {
        JsonNode id = u.path("task_id");
        usage.put(id.isObject() ? id.path("value").asText() : id.asText(), u);
      }
    }
    Map<String, JsonNode> allocated = new HashMap<>();
    for (JsonNode f : shared.masterState().path("frameworks")) {
      for (JsonNode t : f.path("tasks")) {
        allocated.put(t.path("id").asText(), t.path("resources"));
      }
    }
    boolean cpu = name.equals(MetricValue.CPU);
    double sum = 0;
    int n = 0;
    int warming = 0;
    for (AppView.Task t : ready) {
      JsonNode u = usage.get(t.id());
      if (u == null) {
        continue;
      }
      JsonNode res = allocated.get(t.id());
      if (cpu) {
        if (t.startedAt() == null || t.startedAt().plusSeconds(policy.cpuInitializationSeconds()).isAfter(now)) {
          warming++;
          continue;
        }
        double alloc = res != null && res.path("cpus").asDouble(0) > 0 ? res.path("cpus").asDouble() : app.cpus();
        if (alloc <= 0) {
          continue;
        }
        sum += u.path("cpus_used").asDouble(0) / alloc;
      } else {
        double limit = u.path("mem_limit_bytes").asDouble(0);
        if (limit <= 0) {
          double mb = res != null && res.path("mem").asDouble(0) > 0 ? res.path("mem").asDouble() : app.memMb();
          limit = mb * 1024 * 1024;
        }
        if (limit <= 0) {
          continue;
        }
        sum += u.path("mem_rss_bytes").asDouble(0) / limit;
      }
      n++;
    }
    if (n == 0) {
      notes.put(name, "no ready instance has usage in the master's state"
          + (warming > 0 ? " (" + warming + " within cpuInitializationSeconds " + policy.cpuInitializationSeconds()
              + ")" : ""));
      return;
    }
    metrics.put(name, MetricValue.perInstance(sum / n, n));
    if (warming > 0) {
      notes.put(name, warming + " instance(s) within cpuInitializationSeconds left out");
    }
  }

  // ---- app-defined sources

  private void sourceMetric(String name, AppView app, List<AppView.Task> ready, Map<String, MetricValue> metrics,
      Map<String, String> notes) {
    MetricSource source;
    try {
      source = MetricSource.fromLabels(name, app.labels());
    } catch (IllegalArgumentException bad) {
      notes.put(name, bad.getMessage());
      return;
    }
    if (source == null) {
      notes.put(name, "no source: label the app " + MetricSource.PROMETHEUS_LABEL + name + " or "
          + MetricSource.JSON_LABEL + name);
      return;
    }
    if (source instanceof MetricSource.Json j) {
      try {
        JsonNode v = open.json(j.url()).join().at(j.pointer());
        if (!v.isNumber()) {
          notes.put(name, j.url() + " at " + j.pointer() + ": " + (v.isMissingNode() ? "missing" : v)
              + " (expected: a number)");
          return;
        }
        metrics.put(name, MetricValue.appWide(v.doubleValue()));
      } catch (RuntimeException e) {
        notes.put(name, Http.describe(e));
      }
      return;
    }
    MetricSource.Prometheus p = (MetricSource.Prometheus) source;
    List<AppView.Task> sample = ready.stream().filter(t -> t.host() != null && t.ports().size() > p.portIndex())
        .limit(MAX_SCRAPES).toList();
    List<CompletableFuture<OptionalDouble>> scrapes = new ArrayList<>();
    for (AppView.Task t : sample) {
      URI uri = URI.create("http://" + t.host() + ":" + t.ports().get(p.portIndex()) + p.path());
      scrapes.add(open.text(uri).thenApply(text -> PrometheusText.sum(text, p.series(), p.filter()))
          .exceptionally(e -> OptionalDouble.empty()));
    }
    double sum = 0;
    int answered = 0;
    for (CompletableFuture<OptionalDouble> f : scrapes) {
      OptionalDouble v = f.join();
      if (v.isPresent()) {
        sum += v.getAsDouble();
        answered++;
      }
    }
    if (answered == 0) {
      notes.put(name, "no ready instance gave " + p.series() + p.filter() + " at " + p.path());
      return;
    }
    if (p.average()) {
      metrics.put(name, MetricValue.perInstance(sum / answered, answered));
    } else {
      // a sample of the instances: the total scaled to all ready ones
      metrics.put(name, MetricValue.appWide(sum * ready.size() / answered));
      if (answered < ready.size()) {
        notes.put(name, "sum of " + answered + " of " + ready.size() + " ready instances, scaled to all");
      }
    }
  }
}
