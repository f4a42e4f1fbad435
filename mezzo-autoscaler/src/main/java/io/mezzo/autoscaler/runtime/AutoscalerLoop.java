package io.mezzo.autoscaler.runtime;

import io.mezzo.core.auth.Access;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.autoscaler.Decision;
import io.mezzo.autoscaler.Scaler;
import io.mezzo.autoscaler.policy.PolicyException;
import io.mezzo.autoscaler.policy.ScalingPolicy;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaler at run time. Every second ({@link #start}) it reads the apps from the services API
 * ({@code GET /v2/apps?embed=apps.tasks}); each app with an {@code autoscaling} object gets a
 * {@link Scaler} (rebuilt when the policy changes) and is evaluated when its {@code evaluationSeconds}
 * are due: {@link MetricsGatherer} builds the observation, the scaler decides, and a decision that
 * changes the count is applied through the services API exactly as a user would scale
 * ({@code PATCH /v2/apps/{id}} with {@code {"instances": n}}). While a deployment of the app is in
 * progress the app is not evaluated: it waits, and is evaluated at the first tick after.
 *
 * <p>Every decision that changes the count, or would but for a limit, is kept ({@link DecisionLog}, the
 * last {@link #DECISIONS_KEPT} per app) with its inputs and published as an {@code autoscale_event}
 * through the injected publisher (a hold that repeats the last one is folded into it and not published
 * again). {@link #routes} serves {@code GET /v1/autoscaler/apps} (every app's
 * summary) and {@code GET /v1/autoscaler/apps/{id}} (policy, current recommendation, status, last
 * metrics, recent decisions), in camelCase as the app JSON, and {@code GET /v1/autoscaler/apps/{id}/history}
 * (every evaluation of the last hour, {@link AppHistory}, with the same decisions) for the dashboard.
 *
 * <p>Threading: one thread ({@code autoscaler-loop}) owns all state and does the (timed-out) HTTP
 * calls; after each tick it publishes immutable JSON views that the HTTP handlers read without
 * waiting. Time comes from the injected {@link Clock}; an app is not evaluated while the clock reads
 * earlier than its last evaluation (a clock gone back), as a scaler requires times that never go back.
 */
public final class AutoscalerLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AutoscalerLoop.class);
  /** Decisions kept per app. */
  public static final int DECISIONS_KEPT = 50;
  public static final String EVENT_TYPE = "autoscale_event";
  private static final Duration TICK = Duration.ofSeconds(1);
  private static final String HISTORY = "/history";

  private final URI services;
  private final MetricsGatherer gatherer;
  private final Consumer<Map<String, Object>> publisher;
  private final Clock clock;
  private final Http http;
  private final ScheduledExecutorService loop;

  // ---- owned by the loop thread
  private final Map<String, AppState> apps = new TreeMap<>();
  private String servicesProblem;

  // ---- published by the loop, read by the HTTP handlers
  private volatile Map<String, JsonNode> views = Map.of();
  /** Each app's evaluations, for {@code GET /v1/autoscaler/apps/{id}/history}. */
  private volatile Map<String, List<AppHistory.Point>> histories = Map.of();
  private volatile String problem;

  /** One app's autoscaling state. */
  private static final class AppState {
    JsonNode policyJson;
    ScalingPolicy policy;
    Scaler scaler;
    String policyProblem;
    Instant nextAt = Instant.MIN;
    Instant lastAt;
    Decision last;
    MetricsGatherer.Gathered gathered;
    String status = "new";
    int instances;
    int ready;
    final DecisionLog log = new DecisionLog(DECISIONS_KEPT);
    final AppHistory history = new AppHistory();
  }

  /**
   * @param servicesBase the services API's base, {@code http://host:port} (the loop adds {@code /v2/...})
   * @param gatherer where metrics come from
   * @param publisher receives each {@code autoscale_event}'s fields (the event bus adds type and time)
   * @param clock the time of evaluations
   */
  public AutoscalerLoop(URI servicesBase, MetricsGatherer gatherer, Consumer<Map<String, Object>> publisher,
      Clock clock) {
    this(servicesBase, io.mezzo.core.auth.Caller.NONE, gatherer, publisher, clock);
  }

  /**
   * As the other constructor, calling the services API as {@code services} (an operator's secret;
   * its TLS context when {@code servicesBase} is {@code https}).
   */
  public AutoscalerLoop(URI servicesBase, io.mezzo.core.auth.Caller services, MetricsGatherer gatherer,
      Consumer<Map<String, Object>> publisher, Clock clock) {
    this.services = Objects.requireNonNull(servicesBase, "servicesBase");
    this.gatherer = Objects.requireNonNull(gatherer, "gatherer");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.http = new Http(Duration.ofSeconds(5), services);
    this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "autoscaler-loop");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts evaluating every second. */
  public void start() {
    loop.scheduleWithFixedDelay(this::guardedTick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs one tick on the loop now (tests drive the loop with this and a fixed clock). */
  CompletableFuture<Void> tickNow() {
    return CompletableFuture.runAsync(this::guardedTick, loop);
  }

  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Adds {@code GET /v1/autoscaler/apps} and {@code GET /v1/autoscaler/apps/{id}} to {@code b}. */
  public void routes(HttpServer.Builder b) {
    routes(b, () -> this);
  }

  /**
   * Adds the autoscaler's routes to {@code b} for whichever loop {@code current} gives when a request
   * comes (a host adds the routes before the loop exists, and the loop comes and goes with the
   * services scheduler); while it gives null they answer 503.
   */
  public static void routes(HttpServer.Builder b, Supplier<AutoscalerLoop> current) {
    b.route("GET", "/v1/autoscaler/apps", Access.VIEWER, req -> CompletableFuture.completedFuture(answer(current.get(), null)));
    b.prefixRoute("GET", "/v1/autoscaler/apps/", Access.VIEWER, req -> {
      String id = req.path().substring("/v1/autoscaler/apps".length());
      while (id.length() > 1 && id.endsWith("/")) {
        id = id.substring(0, id.length() - 1);
      }
      return CompletableFuture.completedFuture(answer(current.get(), id));
    });
  }

  private static HttpResponse answer(AutoscalerLoop loop, String appId) {
    if (loop == null) {
      return HttpResponse.json(503, Map.of("message", "the autoscaler is not running (expected: the services"
          + " scheduler started with load balancer stats addresses, --lb-stats HOST:PORT)"));
    }
    if (appId == null) {
      return HttpResponse.json(200, loop.summary());
    }
    JsonNode view = loop.views.get(appId);
    if (view == null && appId.endsWith(HISTORY) && appId.length() > HISTORY.length()) {
      // an app's own id wins over the history of its parent path (an app named /x/history)
      String app = appId.substring(0, appId.length() - HISTORY.length());
      JsonNode of = loop.views.get(app);
      if (of != null) {
        return HttpResponse.json(200, AppHistory.json(app, loop.histories.getOrDefault(app, List.of()),
            of.get("decisions")));
      }
      appId = app;
    }
    return view != null ? HttpResponse.json(200, view)
        : HttpResponse.json(404, Map.of("message", "App '" + appId + "' has no autoscaling policy"
            + " (expected: an app with an autoscaling object)"));
  }

  /** The view {@code GET /v1/autoscaler/apps/{id}} serves, or null. */
  JsonNode viewForTest(String appId) {
    return views.get(appId);
  }

  private JsonNode summary() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    var list = o.putArray("apps");
    views.values().forEach(v -> {
      ObjectNode s = list.addObject();
      s.set("appId", v.get("appId"));
      s.set("status", v.get("status"));
      s.set("instances", v.get("instances"));
      s.set("ready", v.get("ready"));
      s.set("recommendation", v.get("recommendation"));
    });
    String p = problem;
    if (p != null) {
      o.put("problem", p);
    }
    return o;
  }

  // ---- the loop

  private void guardedTick() {
    try {
      tick();
    } catch (RuntimeException e) {
      LOG.warn("autoscaler tick failed", e);
    }
  }

  private void tick() {
    Instant now = clock.instant();
    List<AppView> list;
    try {
      list = AppView.list(http.json(services.resolve("/v2/apps?embed=apps.tasks")).join());
      servicesProblem = null;
    } catch (RuntimeException e) {
      servicesProblem = "the services API did not answer: " + Http.describe(e);
      publishViews();
      return;
    }
    Set<String> seen = new LinkedHashSet<>();
    List<AppView> due = new ArrayList<>();
    for (AppView app : list) {
      if (app.autoscaling() == null) {
        continue;
      }
      seen.add(app.id());
      AppState s = apps.computeIfAbsent(app.id(), k -> new AppState());
      s.instances = app.instances();
      s.ready = app.readyTasks().size();
      refreshPolicy(s, app);
      if (s.scaler == null) {
        continue;
      }
      if (!app.deploymentIds().isEmpty()) {
        s.status = "waiting: deployment " + String.join(",", app.deploymentIds()) + " in progress";
        continue;
      }
      if (s.lastAt != null && now.isBefore(s.lastAt)) {
        s.status = "waiting: the clock reads " + now + ", before the last evaluation " + s.lastAt;
        continue;
      }
      if (!now.isBefore(s.nextAt)) {
        due.add(app);
      } else if (s.status.startsWith("waiting")) {
        s.status = "ok";
      }
    }
    apps.keySet().retainAll(seen);
    if (!due.isEmpty()) {
      Set<String> names = new LinkedHashSet<>();
      due.forEach(a -> names.addAll(MetricsGatherer.metricNames(apps.get(a.id()).policy)));
      MetricsGatherer.Shared shared = gatherer.fetchShared(names);
      for (AppView app : due) {
        evaluate(app, apps.get(app.id()), shared, now);
      }
    }
    publishViews();
  }

  private void refreshPolicy(AppState s, AppView app) {
    if (app.autoscaling().equals(s.policyJson)) {
      return;
    }
    s.policyJson = app.autoscaling();
    ScalingPolicy policy;
    try {
      policy = ScalingPolicy.fromJson(app.autoscaling());
    } catch (PolicyException bad) {
      s.policy = null;
      s.scaler = null;
      s.policyProblem = String.join("; ", bad.problems());
      s.status = "invalid policy: " + s.policyProblem;
      return;
    }
    s.policyProblem = null;
    if (!policy.equals(s.policy)) {
      s.policy = policy;
      s.scaler = policy.scaler();
      s.nextAt = Instant.MIN; // a new policy is evaluated at once
    }
    s.status = "ok";
  }

  private void evaluate(AppView app, AppState s, MetricsGatherer.Shared shared, Instant now) {
    MetricsGatherer.Gathered g = gatherer.gather(app, s.policy, shared, now);
    Decision d = s.scaler.evaluate(g.observation());
    s.gathered = g;
    s.last = d;
    s.history.add(AppHistory.Point.of(g.observation(), d, s.policy));
    s.lastAt = now;
    s.nextAt = now.plusSeconds(s.policy.evaluationSeconds());
    s.status = "ok";
    boolean limited = d.limitedBy() != null && !"suspended".equals(d.limitedBy());
    if (!d.changes() && !limited) {
      return;
    }
    String outcome = d.changes() ? scale(app.id(), d.desired()) : "held";
    if (!s.log.add(new DecisionLog.Entry(d, now, 1, g.observation().metrics(), g.notes(), outcome))) {
      return; // the same hold again: folded into the last entry, already published
    }
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("appId", app.id());
    event.put("current", d.current());
    event.put("desired", d.desired());
    event.put("outcome", outcome);
    event.put("limitedBy", d.limitedBy());
    event.put("reason", d.reason());
    Map<String, Object> metrics = new LinkedHashMap<>();
    g.observation().metrics().forEach((name, v) -> metrics.put(name, Map.of("value", v.value(),
        "instances", v.instances())));
    event.put("metrics", metrics);
    event.put("proposals", d.proposals().stream().map(p -> Map.<String, Object>of("policy", p.policy(),
        "instances", p.instances(), "detail", p.detail())).toList());
    try {
      publisher.accept(event);
    } catch (RuntimeException e) {
      LOG.warn("publishing an autoscale_event failed", e);
    }
    LOG.info("autoscaler {}: {} -> {} ({}): {}", app.id(), d.current(), d.desired(), outcome, d.reason());
  }

  /** PATCHes the app's count; {@code "scaled"}, or what went wrong. */
  private String scale(String appId, int instances) {
    String path = "/v2/apps" + encodePath(appId);
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("instances", instances);
    try {
      var r = http.patch(services.resolve(path), body).join();
      if (r.statusCode() / 100 == 2) {
        return "scaled";
      }
      String message = r.body();
      try {
        message = Http.parse(r.body()).path("message").asText(r.body());
      } catch (RuntimeException notJson) {
        // keep the raw body
      }
      return "PATCH " + path + ": HTTP " + r.statusCode() + " " + message;
    } catch (RuntimeException e) {
      return "PATCH " + path + ": " + Http.describe(e);
    }
  }

  private static String encodePath(String appId) {
    StringBuilder b = new StringBuilder();
    for (String segment : appId.split("/")) {
      if (!segment.isEmpty()) {
        b.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8));
      }
    }
    return b.toString();
  }

  private void publishViews() {
    Map<String, JsonNode> out = new TreeMap<>();
    apps.forEach((id, s) -> out.put(id, view(id, s)));
    Map<String, List<AppHistory.Point>> points = new TreeMap<>();
    apps.forEach((id, s) -> points.put(id, s.history.points()));
    views = Map.copyOf(out);
    histories = Map.copyOf(points);
    problem = servicesProblem;
  }

  private ObjectNode view(String id, AppState s) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("appId", id);
    o.put("status", servicesProblem != null ? "stale: " + servicesProblem : s.status);
    o.put("instances", s.instances);
    o.put("ready", s.ready);
    if (s.policy != null) {
      o.set("policy", s.policy.toJson());
    } else {
      o.set("policy", s.policyJson == null ? null : s.policyJson.deepCopy());
    }
    if (s.last == null) {
      o.putNull("recommendation");
    } else {
      o.set("recommendation", DecisionLog.decisionJson(s.last));
    }
    if (s.lastAt != null) {
      o.put("lastEvaluationAt", s.lastAt.toString());
    }
    if (s.policy != null && s.lastAt != null) {
      o.put("nextEvaluationAt", s.nextAt.toString());
    }
    if (s.gathered != null) {
      o.set("metrics", DecisionLog.metricsJson(s.gathered.observation().metrics(), s.gathered.notes()));
    }
    o.set("decisions", DecisionLog.list(s.log.entries()));
    return o;
  }
}
