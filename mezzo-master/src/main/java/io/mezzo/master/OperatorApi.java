package io.mezzo.master;

import io.mezzo.core.auth.Access;
import io.mezzo.master.api.MesosEndpoint;
import io.mezzo.core.http.HttpError;
import io.mezzo.core.http.HttpRequest;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.Resources;
import io.mezzo.master.operator.ClusterView;
import io.mezzo.master.operator.OperatorCall;
import io.mezzo.master.operator.OperatorState;
import io.mezzo.master.operator.OperatorStore;
import io.mezzo.master.operator.OperatorViews;
import io.mezzo.master.operator.RoleConfigs;
import io.mezzo.master.registry.ZkStore;
import io.mezzo.master.state.AgentEntry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.DoubleSupplier;

/**
 * The Mesos v1 operator API ({@code POST /api/v1}, JSON {@code mesos.v1.master.Call} in,
 * {@code Response} or a RecordIO stream of {@code Event}s out) and the read-only endpoints
 * {@code /master/roles}, {@code /master/frameworks} and {@code /metrics/snapshot}. Handlers run on
 * the HTTP threads: they parse and validate the call's shape there, then hand the work to the
 * master loop, which owns all state and writes hard state to ZooKeeper before answering. Reads and the
 * event stream need the viewer level; calls that change anything need the admin level.
 */
final class OperatorApi {
  /** Operator calls are small; anything larger is refused before it is parsed. */
  static final int MAX_CALL_BYTES = 1024 * 1024;

  private final MasterLoop loop;
  private final OperatorStore store;
  private final DoubleSupplier uptimeSeconds;

  private OperatorApi(MasterLoop loop, ZkStore store, DoubleSupplier uptimeSeconds) {
    this.loop = loop;
    this.store = new OperatorStore(store);
    this.uptimeSeconds = uptimeSeconds;
  }

  /** Adds the operator routes to {@code b}. */
  static void routes(HttpServer.Builder b, MasterLoop loop, ZkStore store, Clock clock, double startTime) {
    OperatorApi api = new OperatorApi(loop, store, () -> Math.max(0, clock.millis() / 1000.0 - startTime));
    b.route("POST", "/api/v1", Access.VIEWER, MesosEndpoint.operator(api::call));
    b.route("POST", "/master/api/v1", Access.VIEWER, MesosEndpoint.operator(api::call));
    for (String path : new String[] {"/master/roles", "/roles", "/master/roles.json", "/roles.json"}) {
      b.route("GET", path, Access.VIEWER, req -> loop.call(() -> HttpResponse.json(200, api.rolesJson())));
    }
    for (String path : new String[] {"/master/frameworks", "/frameworks", "/master/frameworks.json"}) {
      b.route("GET", path, Access.VIEWER, req -> loop.call(() -> HttpResponse.json(200, api.frameworksJson())));
    }
    for (String path : new String[] {"/metrics/snapshot", "/metrics/snapshot.json"}) {
      b.route("GET", path, Access.VIEWER, req -> loop.call(() -> HttpResponse.json(200, api.metrics())));
    }
  }

  private CompletionStage<HttpResponse> call(HttpRequest req) {
    String contentType = req.header("Content-Type");
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new HttpError(415, "Content-Type: '" + contentType + "' (expected: application/json)");
    }
    if (req.body().length > MAX_CALL_BYTES) {
      throw new HttpError(413, "body: " + req.body().length + " bytes (expected: <= " + MAX_CALL_BYTES + ")");
    }
    OperatorCall call = Json.read(req.body(), OperatorCall.class);
    if (call.type() == null) {
      throw HttpError.badRequest("type: missing (expected: one of " + Arrays.toString(OperatorCall.Type.values()) + ")");
    }
    String type = call.type().name();
    // Reads and the event stream are for viewers (the route's level); every other call changes the
    // cluster (quota, weights, maintenance) and is for admins, including types added later.
    if (!type.startsWith("GET_") && call.type() != OperatorCall.Type.SUBSCRIBE) {
      req.principal().require(Access.ADMIN, "POST " + req.path() + " " + type);
    }
    return switch (call.type()) {
      case GET_HEALTH -> done(OperatorViews.response(type, "get_health", Map.of("healthy", true)));
      case GET_VERSION -> done(OperatorViews.response(type, "get_version", Map.of("version_info",
          Map.of("version", OperatorViews.MESOS_VERSION, "build_user", "mezzo " + Master.VERSION))));
      case GET_METRICS -> read(() -> OperatorViews.response(type, "get_metrics", Map.of("metrics", metricList())));
      case GET_STATE -> read(() -> OperatorViews.response(type, "get_state",
          OperatorViews.getState(loop.clusterView(), ops().maintenance())));
      case GET_AGENTS -> read(() -> OperatorViews.response(type, "get_agents",
          OperatorViews.getAgents(loop.clusterView(), ops().maintenance())));
      // Mezzo runs command tasks only and has no offer operations besides LAUNCH: both lists are empty.
      case GET_EXECUTORS -> done(OperatorViews.response(type, "get_executors",
          Map.of("executors", List.of(), "orphan_executors", List.of())));
      case GET_OPERATIONS -> done(OperatorViews.response(type, "get_operations", Map.of("operations", List.of())));
      case GET_FRAMEWORKS -> read(() -> OperatorViews.response(type, "get_frameworks",
          OperatorViews.getFrameworks(loop.clusterView())));
      case GET_TASKS -> read(() -> OperatorViews.response(type, "get_tasks", OperatorViews.getTasks(loop.clusterView())));
      case GET_ROLES -> read(() -> OperatorViews.response(type, "get_roles",
          OperatorViews.getRoles(loop.clusterView(), ops().roles())));
      case GET_QUOTA -> read(() -> OperatorViews.response(type, "get_quota", OperatorViews.getQuota(ops().roles())));
      case GET_WEIGHTS -> read(() -> OperatorViews.response(type, "get_weights", OperatorViews.getWeights(ops().roles())));
      case UPDATE_QUOTA -> {
        Map<String, RoleConfigs.Quota> quotas = call.quotas();
        boolean force = call.forceQuota();
        yield write(() -> updateQuota(quotas, force));
      }
      case UPDATE_WEIGHTS -> {
        Map<String, Double> weights = call.weights();
        yield write(() -> {
          weights.forEach((role, w) -> {
            store.putWeight(role, w);
            ops().roles().setWeight(role, w);
          });
          loop.rolesChanged();
        });
      }
      case DRAIN_AGENT -> {
        OperatorCall.Drain d = call.drain();
        yield write(() -> loop.maintenance().drainAgent(d.agentId(), d.maxGracePeriodNanos(), d.markGone()));
      }
      case DEACTIVATE_AGENT -> {
        AgentId id = call.deactivateAgentId();
        yield write(() -> loop.maintenance().deactivateAgent(id));
      }
      case REACTIVATE_AGENT -> {
        AgentId id = call.reactivateAgentId();
        yield write(() -> loop.maintenance().reactivateAgent(id));
      }
      case SUBSCRIBE -> done(HttpResponse.stream(HttpResponse.JSON, Map.of(), stream -> loop.execute(() -> {
        ops().events().subscribe(stream, OperatorViews.getState(loop.clusterView(), ops().maintenance()),
            loop.operatorHeartbeatSeconds());
        stream.onClose(() -> loop.execute(() -> ops().events().remove(stream)));
      })));
    };
  }

  /**
   * Without {@code force}, the guarantees of all roles together (after this update) must fit in the
   * cluster's capacity, as in Mesos; then every config is written to ZooKeeper and applied.
   */
  private void updateQuota(Map<String, RoleConfigs.Quota> quotas, boolean force) {
    if (!force) {
      Map<String, Double> guaranteed = new TreeMap<>();
      Map<String, RoleConfigs.Quota> after = new TreeMap<>(ops().roles().quotas());
      after.putAll(quotas);
      after.values().forEach(q -> q.guarantees().forEach((k, v) -> guaranteed.merge(k, v, Double::sum)));
      Resources capacity = Resources.EMPTY;
      for (AgentEntry a : loop.clusterView().agents().values()) {
        if (a.status != AgentEntry.Status.UNREACHABLE) {
          capacity = capacity.plus(a.total);
        }
      }
      for (Map.Entry<String, Double> e : guaranteed.entrySet()) {
        double have = capacity.scalar(e.getKey());
        if (e.getValue() > have + 1e-9) {
          throw HttpError.badRequest("update_quota.quota_configs: guarantees of " + e.getKey() + " total "
              + e.getValue() + " (expected: <= the cluster's " + have + ", or update_quota.force: true)");
        }
      }
    }
    quotas.forEach((role, q) -> {
      store.putQuota(role, q);
      ops().roles().setQuota(role, q);
    });
    loop.rolesChanged();
  }

  private OperatorState ops() {
    return loop.operator();
  }

  private static CompletionStage<HttpResponse> done(Object body) {
    return CompletableFuture.completedFuture(body instanceof HttpResponse r ? r : HttpResponse.json(200, body));
  }

  private CompletionStage<HttpResponse> read(java.util.function.Supplier<Object> body) {
    return loop.call(() -> HttpResponse.json(200, body.get()));
  }

  private CompletionStage<HttpResponse> write(Runnable change) {
    return loop.call(() -> {
      change.run();
      return HttpResponse.empty(200);
    });
  }

  // ---------------------------------------------------------------- plain JSON endpoints (loop thread)

  private Map<String, Object> metrics() {
    return ops().metrics().snapshot(loop.clusterView(), ops().maintenance(), uptimeSeconds.getAsDouble(),
        ops().events().size());
  }

  private List<Object> metricList() {
    List<Object> out = new ArrayList<>();
    metrics().forEach((k, v) -> out.add(Map.of("name", k, "value", v)));
    return out;
  }

  /** {@code /master/roles}: Mesos' shape, resources as {@code {"cpus": 1.0, ...}} maps. */
  private Map<String, Object> rolesJson() {
    ClusterView c = loop.clusterView();
    List<Object> roles = new ArrayList<>();
    for (OperatorViews.RoleUsage r : OperatorViews.roleUsage(c, ops().roles())) {
      Map<String, Object> role = new LinkedHashMap<>();
      role.put("name", r.name());
      role.put("weight", r.weight());
      role.put("frameworks", r.frameworks());
      role.put("resources", r.allocated().plus(r.offered()).toStateMap());
      role.put("allocated", r.allocated().toStateMap());
      role.put("offered", r.offered().toStateMap());
      role.put("reserved", Map.of());
      Map<String, Object> quota = new LinkedHashMap<>();
      quota.put("role", r.name());
      quota.put("guarantee", new TreeMap<>(r.config().guarantees()));
      quota.put("limit", new TreeMap<>(r.config().limits()));
      quota.put("consumed", r.allocated().scalarMap());
      role.put("quota", quota);
      roles.add(role);
    }
    return Map.of("roles", roles);
  }

  /** {@code /master/frameworks}: the framework objects of {@code /master/state}. */
  private Map<String, Object> frameworksJson() {
    List<Object> active = new ArrayList<>();
    loop.frameworks().values().forEach(f -> active.add(StateView.framework(f, loop)));
    List<Object> completed = new ArrayList<>();
    loop.completedFrameworks().forEach(f -> completed.add(StateView.framework(f, loop)));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("frameworks", active);
    out.put("completed_frameworks", completed);
    out.put("unregistered_frameworks", List.of());
    return out;
  }
}
