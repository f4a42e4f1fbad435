package io.mezzo.services.api;

import io.mezzo.core.auth.Access;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.core.http.HttpRequest;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import io.mezzo.services.app.AppDefinition;
import io.mezzo.services.app.AppId;
import io.mezzo.services.app.AppValidationException;
import io.mezzo.services.app.AppValidator;
import io.mezzo.services.app.AutoscalingValidator;
import io.mezzo.services.app.MarathonJson;
import io.mezzo.services.deploy.Deployment;
import io.mezzo.services.instance.Instance;
import io.mezzo.services.scheduler.ServicesScheduler;
import io.mezzo.services.scheduler.Views;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Marathon's REST API ({@code /v2}) over the services scheduler: apps, tasks, deployments, queue,
 * info, ping and the event stream, with Marathon's JSON shapes and status codes so that Marathon
 * clients and app files work unchanged.
 *
 * <p>Handlers parse and validate on the event loop, then hand the work to the scheduler's loop and
 * answer when it completes; they never block. Until {@link #bind} gives it a scheduler the API
 * answers 503. Errors are {@code {"message": ...}} bodies (422 carries Marathon's {@code details}).
 * Posted apps' {@code autoscaling} policies are judged by the {@link AutoscalingValidator} given at
 * construction (the host passes the autoscaler's); a change of the policy alone answers without a
 * {@code deploymentId}, since none is started.
 */
public final class V2Api {
  private static final int MAX_BODY = 1024 * 1024;
  /** The largest app definition accepted (after a PATCH is merged): ZooKeeper nodes and transactions hold 1 MiB. */
  static final int MAX_APP_BYTES = 256 * 1024;
  private final AtomicReference<ServicesScheduler> scheduler = new AtomicReference<>();
  private final EventBus events;
  private final Clock clock;
  private final AutoscalingValidator autoscaling;
  private volatile String leader = "";

  public V2Api(EventBus events, Clock clock) {
    this(events, clock, AutoscalingValidator.ANY_OBJECT);
  }

  /** An API whose posted apps have their {@code autoscaling} policy judged by {@code autoscaling}. */
  public V2Api(EventBus events, Clock clock, AutoscalingValidator autoscaling) {
    this.events = events;
    this.clock = clock;
    this.autoscaling = java.util.Objects.requireNonNull(autoscaling, "autoscaling");
  }

  /** Gives the API its scheduler and the address it answers to as leader. */
  public void bind(ServicesScheduler s, String leaderHostPort) {
    this.leader = leaderHostPort;
    scheduler.set(s);
  }

  /**
   * Adds the {@code /v2} routes to {@code b}: reads (the event stream included) for viewers, every
   * change to apps, tasks and deployments for operators.
   */
  public void routes(HttpServer.Builder b) {
    for (String method : new String[] {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
      b.prefixRoute(method, "/v2/", method.equals("GET") ? Access.VIEWER : Access.OPERATOR, this::handle);
    }
  }

  private CompletionStage<HttpResponse> handle(HttpRequest req) {
    if (req.body().length > MAX_BODY) {
      return done(error(413, "request body: " + req.body().length + " bytes (expected: at most " + MAX_BODY + ")"));
    }
    String path = req.path();
    if (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (path.equals("/v2/ping")) {
      return done(HttpResponse.text(200, "pong"));
    }
    if (path.equals("/v2/events") && req.method().equals("GET")) {
      return done(events.subscribe(req));
    }
    ServicesScheduler s = scheduler.get();
    if (s == null) {
      return done(error(503, "the services scheduler is starting"));
    }
    CompletionStage<HttpResponse> answer;
    try {
      answer = route(s, req, path);
    } catch (RuntimeException e) {
      return done(failure(e));
    }
    return answer.exceptionally(this::failure);
  }

  private CompletionStage<HttpResponse> route(ServicesScheduler s, HttpRequest req, String path) {
    String m = req.method();
    if (path.equals("/v2/info") && m.equals("GET")) {
      return s.frameworkId().thenApply(this::info);
    }
    if (path.equals("/v2/leader") && m.equals("GET")) {
      return done(json(200, Map.of("leader", leader)));
    }
    if (path.equals("/v2/apps")) {
      return switch (m) {
        case "GET" -> listApps(s, req);
        case "POST" -> {
          AppDefinition app = readApp(req, null);
          yield posted(s, req, app, true, false).thenCompose(c -> s.app(app.id(), true).thenApply(snap -> {
              ObjectNode body = Views.app(snap, Set.of());
              return new HttpResponse(201, HttpResponse.JSON, bytes(body),
                  Map.of("Location", "/v2/apps" + snap.app().id(), "Marathon-Deployment-Id", c.deploymentId()), null);
          }));
        }
        default -> done(error(405, m + " " + path + ": method not allowed"));
      };
    }
    if (path.startsWith("/v2/apps/")) {
      return appRoute(s, req, path.substring("/v2/apps".length()));
    }
    if (path.equals("/v2/tasks") && m.equals("GET")) {
      String status = req.queryParam("status");
      return s.apps().thenApply(snaps -> {
        List<ObjectNode> tasks = Views.tasks(snaps);
        if (status != null) {
          String want = "TASK_" + status.toUpperCase(Locale.ROOT);
          tasks.removeIf(t -> !t.path("state").asText().equals(want));
        }
        return json(200, Map.of("tasks", tasks));
      });
    }
    if (path.equals("/v2/tasks/delete") && m.equals("POST")) {
      JsonNode body = readJson(req);
      JsonNode ids = body.get("ids");
      if (ids == null || !ids.isArray()) {
        throw new ApiError(422, "ids: missing (expected: an array of task ids)");
      }
      List<String> list = new ArrayList<>();
      ids.forEach(n -> list.add(n.asText()));
      return kill(s, list, flag(req, "scale"), flag(req, "force"));
    }
    if (path.equals("/v2/deployments") && m.equals("GET")) {
      return s.apps().thenCombine(s.deployments(), (snaps, deps) -> {
        Map<String, ServicesScheduler.AppSnapshot> byId = new LinkedHashMap<>();
        snaps.forEach(a -> byId.put(a.app().id(), a));
        List<Object> out = new ArrayList<>();
        for (Deployment d : deps) {
          ServicesScheduler.AppSnapshot a = byId.get(d.appId());
          out.add(Views.deployment(d, a == null ? null : a.explanation(), a == null ? List.of() : a.readiness()));
        }
        return json(200, out);
      });
    }
    if (path.startsWith("/v2/deployments/") && m.equals("DELETE")) {
      String id = path.substring("/v2/deployments/".length());
      boolean force = flag(req, "force");
      return s.cancelDeployment(id, force).thenApply(c -> c == null
          ? new HttpResponse(202, HttpResponse.JSON, new byte[0], Map.of(), null)
          : json(200, Map.of("version", c.version(), "deploymentId", c.deploymentId())));
    }
    if (path.equals("/v2/queue") && m.equals("GET")) {
      return s.apps().thenApply(snaps -> {
        List<ObjectNode> queue = new ArrayList<>();
        for (var snap : snaps) {
          if (snap.wanted() > 0) {
            queue.add(Views.queueEntry(snap, clock.instant()));
          }
        }
        return json(200, Map.of("queue", queue));
      });
    }
    if (path.startsWith("/v2/queue/") && path.endsWith("/delay") && m.equals("DELETE")) {
      String id = AppId.canonical(path.substring("/v2/queue".length(), path.length() - "/delay".length()));
      return s.resetDelay(id).thenApply(x -> HttpResponse.empty(204));
    }
    if (path.startsWith("/v2/tasks/") && path.endsWith("/drained") && m.equals("POST")) {
      String id = path.substring("/v2/tasks/".length(), path.length() - "/drained".length());
      return s.drained(id).thenApply(ok -> ok ? json(200, Map.of("taskId", id, "drained", true))
          : error(404, "Task '" + id + "' is not draining"));
    }
    return done(error(404, m + " " + path + ": no such resource"));
  }

  private CompletionStage<HttpResponse> appRoute(ServicesScheduler s, HttpRequest req, String rest) {
    String m = req.method();
    int tasksAt = rest.lastIndexOf("/tasks");
    if (tasksAt > 0 && (rest.length() == tasksAt + 6 || rest.charAt(tasksAt + 6) == '/')) {
      String appId = canonical(rest.substring(0, tasksAt));
      String taskId = rest.length() > tasksAt + 7 ? rest.substring(tasksAt + 7) : null;
      if (m.equals("GET") && taskId == null) {
        return s.app(appId, true).thenApply(snap -> {
          List<ObjectNode> tasks = new ArrayList<>();
          for (Instance i : snap.instances()) {
            tasks.add(Views.task(i, snap.app()));
          }
          return json(200, Map.of("tasks", tasks));
        });
      }
      if (m.equals("DELETE")) {
        return s.app(appId, true).thenCompose(snap -> {
          List<String> ids = new ArrayList<>();
          for (Instance i : snap.instances()) {
            if (taskId == null || i.instanceId().equals(taskId)) {
              ids.add(i.instanceId());
            }
          }
          if (taskId != null && ids.isEmpty()) {
            throw new ApiError(404, "Task '" + taskId + "' does not exist");
          }
          return kill(s, ids, flag(req, "scale"), flag(req, "force"));
        });
      }
    }
    int versionsAt = rest.lastIndexOf("/versions");
    if (versionsAt > 0 && m.equals("GET")) {
      String appId = canonical(rest.substring(0, versionsAt));
      String tail = rest.substring(versionsAt + "/versions".length());
      if (tail.isEmpty()) {
        return s.versions(appId).thenApply(v -> json(200, Map.of("versions", newestFirst(v))));
      }
      if (tail.startsWith("/")) {
        return s.version(appId, tail.substring(1)).thenApply(app -> json(200, Views.definition(app)));
      }
    }
    if (rest.endsWith("/restart") && m.equals("POST")) {
      String appId = canonical(rest.substring(0, rest.length() - "/restart".length()));
      return s.restart(appId, flag(req, "force")).thenApply(this::change);
    }
    String appId = canonical(rest);
    boolean force = flag(req, "force");
    return switch (m) {
      case "GET" -> s.app(appId, true).thenApply(snap -> json(200, Map.of("app", Views.app(snap, embeds(req, "app")))));
      case "PUT" -> posted(s, req, readApp(req, appId), false, force)
          .thenApply(c -> json(c.created() ? 201 : 200, changeBody(c)));
      case "PATCH" -> s.app(appId, true).thenCompose(snap -> {
        ObjectNode merged = Views.definition(snap.app());
        JsonNode patch = readJson(req);
        if (!patch.isObject()) {
          throw new ApiError(422, "body: " + patch.getNodeType() + " (expected: a JSON object with the fields to change)");
        }
        patch.fields().forEachRemaining(e -> merged.set(e.getKey(), e.getValue()));
        merged.put("id", appId);
        return posted(s, req, validate(merged), false, force);
      }).thenApply(this::change);
      case "DELETE" -> s.remove(appId, force).thenApply(this::change);
      default -> done(error(405, m + " /v2/apps" + rest + ": method not allowed"));
    };
  }

  /** Puts {@code app}; once accepted, publishes Marathon's {@code api_post_event} with the definition. */
  private CompletableFuture<ServicesScheduler.Change> posted(ServicesScheduler s, HttpRequest req, AppDefinition app,
      boolean createOnly, boolean force) {
    return s.put(app, createOnly, force).thenApply(c -> {
      Map<String, Object> event = new LinkedHashMap<>();
      event.put("clientIp", req.remote() == null ? null : req.remote().getAddress().getHostAddress());
      event.put("uri", req.path());
      event.put("appDefinition", Views.definition(app));
      events.publish("api_post_event", event);
      return c;
    });
  }

  private CompletionStage<HttpResponse> kill(ServicesScheduler s, List<String> ids, boolean scale, boolean force) {
    return s.killInstances(ids, scale, force).thenApply(r -> {
      if (scale) {
        return r.change() == null ? json(200, Map.of("tasks", List.of()))
            : json(200, Map.of("version", r.change().version(), "deploymentId", r.change().deploymentId()));
      }
      List<ObjectNode> tasks = new ArrayList<>();
      for (Instance i : r.killed()) {
        tasks.add(Views.task(i, null));
      }
      return json(200, Map.of("tasks", tasks));
    });
  }

  private CompletionStage<HttpResponse> listApps(ServicesScheduler s, HttpRequest req) {
    String idFilter = req.queryParam("id");
    String label = req.queryParam("label");
    Set<String> embed = embeds(req, "apps");
    return s.apps().thenApply(snaps -> {
      List<ObjectNode> out = new ArrayList<>();
      for (var snap : snaps) {
        if (idFilter != null && !snap.app().id().contains(idFilter)) {
          continue;
        }
        if (label != null && !matchesLabel(snap.app(), label)) {
          continue;
        }
        out.add(Views.app(snap, embed));
      }
      return json(200, Map.of("apps", out));
    });
  }

  private static boolean matchesLabel(AppDefinition app, String selector) {
    int eq = selector.indexOf("==");
    if (eq < 0) {
      return app.labels().containsKey(selector.trim());
    }
    return selector.substring(eq + 2).trim().equals(app.labels().get(selector.substring(0, eq).trim()));
  }

  /** {@code embed=apps.tasks} (or {@code app.tasks}) → {@code tasks}. */
  private static Set<String> embeds(HttpRequest req, String prefix) {
    Set<String> out = new HashSet<>();
    for (String e : req.query().getOrDefault("embed", List.of())) {
      for (String part : e.split(",")) {
        String p = part.trim();
        int dot = p.indexOf('.');
        out.add(dot < 0 ? p : p.substring(dot + 1));
      }
    }
    return out;
  }

  private static List<String> newestFirst(List<String> oldestFirst) {
    List<String> out = new ArrayList<>(oldestFirst);
    java.util.Collections.reverse(out);
    return out;
  }

  private HttpResponse change(ServicesScheduler.Change c) {
    return json(200, changeBody(c));
  }

  /** {@code {"version", "deploymentId"}}, without the id when the change needed no deployment (autoscaling alone). */
  private static Map<String, Object> changeBody(ServicesScheduler.Change c) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", c.version());
    if (c.deploymentId() != null) {
      body.put("deploymentId", c.deploymentId());
    }
    return body;
  }

  private HttpResponse info(String frameworkId) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", "mezzo-services");
    m.put("version", "0.1.0");
    m.put("buildref", "mezzo");
    m.put("elected", true);
    m.put("leader", leader);
    m.put("frameworkId", frameworkId);
    ServicesScheduler s = scheduler.get();
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("master", s.config().masterHostPort());
    cfg.put("framework_name", s.config().frameworkName());
    cfg.put("mesos_role", s.config().role());
    cfg.put("failover_timeout", s.config().failoverTimeout().toSeconds());
    m.put("marathon_config", cfg);
    m.put("zookeeper_config", Map.of("zk", "zk://" + s.config().zkConnect() + s.config().zkRoot()));
    m.put("http_config", Map.of("http_port", leader.substring(leader.lastIndexOf(':') + 1)));
    return json(200, m);
  }

  // ---------------------------------------------------------------- parsing

  private static String canonical(String raw) {
    try {
      return AppId.canonical(raw);
    } catch (IllegalArgumentException e) {
      throw new ApiError(422, e.getMessage());
    }
  }

  /** The app in the body; when {@code pathId} is given it wins over (and must agree with) the body's id. */
  private AppDefinition readApp(HttpRequest req, String pathId) {
    JsonNode node = readJson(req);
    if (!node.isObject()) {
      throw new ApiError(422, "body: " + node.getNodeType() + " (expected: an app object)");
    }
    if (pathId != null) {
      JsonNode bodyId = node.get("id");
      if (bodyId != null && bodyId.isTextual() && !canonical(bodyId.asText()).equals(pathId)) {
        throw new ApiError(422, "id: " + bodyId.asText() + " (expected: " + pathId + ", the id in the path)");
      }
      ((ObjectNode) node).put("id", pathId);
    }
    return validate(node);
  }

  private AppDefinition validate(JsonNode node) {
    int size = bytes(node).length;
    if (size > MAX_APP_BYTES) {
      throw new ApiError(422, "app: " + size + " bytes of JSON (expected: at most " + MAX_APP_BYTES
          + "; the app and its version are written to ZooKeeper together, whose limit is 1 MiB)");
    }
    return AppValidator.validate(node, autoscaling);
  }

  private static JsonNode readJson(HttpRequest req) {
    String type = req.header("Content-Type");
    if (type != null && !type.toLowerCase(Locale.ROOT).contains("json")) {
      throw new ApiError(415, "Content-Type: '" + type + "' (expected: application/json)");
    }
    if (req.body().length == 0) {
      throw new ApiError(400, "body: empty (expected: JSON)");
    }
    try {
      return MarathonJson.MAPPER.readTree(req.body());
    } catch (java.io.IOException e) {
      String msg = e instanceof JsonProcessingException jp ? jp.getOriginalMessage() : e.getMessage();
      throw new ApiError(400, "Invalid JSON: " + msg);
    }
  }

  private static boolean flag(HttpRequest req, String name) {
    String v = req.queryParam(name);
    if (v == null) {
      return false;
    }
    if (v.equalsIgnoreCase("true") || v.isEmpty()) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    throw new ApiError(400, name + ": '" + v + "' (expected: true or false)");
  }

  // ---------------------------------------------------------------- answers

  private HttpResponse failure(Throwable t) {
    while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof AppValidationException v) {
      return new HttpResponse(422, HttpResponse.JSON, v.toJson().getBytes(StandardCharsets.UTF_8), Map.of(), null);
    }
    if (t instanceof ApiError a) {
      return error(a.status, a.getMessage());
    }
    if (t instanceof ServicesScheduler.Locked l) {
      List<Map<String, String>> deps = l.deploymentIds().stream().map(id -> Map.of("id", id)).toList();
      return json(409, Map.of("message", l.getMessage(), "deployments", deps));
    }
    if (t instanceof ServicesScheduler.NotFound n) {
      return error(404, n.getMessage());
    }
    if (t instanceof ServicesScheduler.Exists x) {
      return error(409, x.getMessage());
    }
    return error(500, "internal error: " + t);
  }

  private static HttpResponse error(int status, String message) {
    return json(status, Map.of("message", message));
  }

  private static HttpResponse json(int status, Object value) {
    return new HttpResponse(status, HttpResponse.JSON, bytes(value), Map.of(), null);
  }

  private static byte[] bytes(Object value) {
    try {
      return MarathonJson.MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("BUG: cannot print " + value.getClass(), e);
    }
  }

  private static CompletionStage<HttpResponse> done(HttpResponse r) {
    return CompletableFuture.completedFuture(r);
  }

  /** A request the API refuses, with its status. */
  private static final class ApiError extends RuntimeException {
    final int status;

    ApiError(int status, String message) {
      super(message);
      this.status = status;
    }
  }
}
