package io.mezzo.master;

import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.auth.Access;
import io.mezzo.core.auth.Principal;
import io.mezzo.core.auth.Security;
import io.mezzo.core.http.HttpError;
import io.mezzo.core.http.HttpRequest;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import io.mezzo.core.json.Json;
import io.mezzo.core.scheduler.Call;
import io.mezzo.master.allocator.Allocator;
import io.mezzo.master.api.MesosEndpoint;
import io.mezzo.master.registry.EmbeddedZooKeeper;
import io.mezzo.master.registry.ZkStore;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running master: its ZooKeeper store (embedded or external), the loop that owns its state, and
 * the HTTP APIs in front of it ({@code /api/v1/scheduler}, {@code /api/v1/agent},
 * {@code /master/state}, {@code /health}). Start with {@link #start}; {@link #close} stops all of it.
 *
 * <p>HTTP handlers only parse and validate the shape of a request, then hand it to the loop.
 *
 * <p>Access levels (see {@link Access}; checked by the HTTP server when the master has credentials):
 * the scheduler API needs {@code framework} (and {@link FrameworkAccess} keeps each framework principal
 * to its own frameworks and roles), the agent API {@code agent}, state, redirects and the version
 * {@code viewer}; {@code /health} and {@code /master/health} stay open for load balancers' and
 * supervisors' pings.
 */
public final class Master implements AutoCloseable {
  public static final String VERSION = "0.1.0";
  private static final Logger LOG = LoggerFactory.getLogger(Master.class);
  private static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;

  private final MasterConfig config;
  private final EmbeddedZooKeeper zk;
  private final ZkStore store;
  private final ScheduledExecutorService loopThread;
  private final MasterLoop loop;
  private final HttpServer http;
  private final double startTime;
  private final String zkConnect;

  private Master(MasterConfig config, EmbeddedZooKeeper zk, ZkStore store, ScheduledExecutorService loopThread,
      MasterLoop loop, HttpServer http, double startTime, String zkConnect) {
    this.zkConnect = zkConnect;
    this.config = config;
    this.zk = zk;
    this.store = store;
    this.loopThread = loopThread;
    this.loop = loop;
    this.http = http;
    this.startTime = startTime;
  }

  /** Starts a master; throws with a clear message when ZooKeeper or the port cannot be had. */
  public static Master start(MasterConfig config) {
    return start(config, Security.NONE, b -> { });
  }

  /** As {@link #start(MasterConfig, Security, java.util.function.Consumer)} without credentials (loopback only). */
  public static Master start(MasterConfig config, java.util.function.Consumer<HttpServer.Builder> extraRoutes) {
    return start(config, Security.NONE, extraRoutes);
  }

  /**
   * Starts a master whose HTTP server also serves the routes {@code extraRoutes} adds (the services
   * scheduler's {@code /v2} API when it runs in the master's process), checking callers against
   * {@code security}; refuses a non-loopback bind without credentials before starting anything.
   */
  public static Master start(MasterConfig config, Security security,
      java.util.function.Consumer<HttpServer.Builder> extraRoutes) {
    // Refuse an open non-loopback bind before ZooKeeper starts (the server checks again when it binds).
    security.checkBind(config.bindHost(), config.port());
    EmbeddedZooKeeper zk = null;
    ZkStore store = null;
    ScheduledExecutorService loopThread = null;
    try {
      String connect = config.zkConnect();
      if (connect == null) {
        zk = EmbeddedZooKeeper.start(config.workDir().resolve("zookeeper"), 0);
        connect = zk.connectString();
      }
      store = ZkStore.connect(connect, 15_000);
      loopThread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "master-loop");
        t.setDaemon(true);
        return t;
      });
      Clock clock = Clock.systemUTC();
      String masterId = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)
          .withZone(ZoneOffset.UTC).format(clock.instant())
          + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
      MasterLoop loop = new MasterLoop(config, loopThread, store, Allocator.drf(), clock, System::nanoTime, masterId);
      loop.call(() -> {
        loop.start();
        return null;
      }).get(30, TimeUnit.SECONDS);
      java.util.concurrent.atomic.AtomicReference<String> pid = new java.util.concurrent.atomic.AtomicReference<>();
      var builder = routes(loop, pid::get, clock.millis() / 1000.0);
      OperatorApi.routes(builder, loop, store, clock, clock.millis() / 1000.0);
      extraRoutes.accept(builder);
      HttpServer http = builder
          .bind(config.bindHost(), config.port())
          .maxRequestBytes(MAX_REQUEST_BYTES)
          .security(security)
          .name("master-http")
          .start();
      pid.set("master@" + config.hostname() + ":" + http.port());
      Master m = new Master(config, zk, store, loopThread, loop, http, clock.millis() / 1000.0, connect);
      LOG.info("master {} listening on http://{}:{} (ZooKeeper {})", masterId, config.bindHost(), http.port(), connect);
      return m;
    } catch (Exception e) {
      if (loopThread != null) {
        loopThread.shutdownNow();
      }
      if (store != null) {
        store.close();
      }
      if (zk != null) {
        zk.close();
      }
      if (e instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("cannot start master: " + e.getMessage(), e);
    }
  }

  private static HttpServer.Builder routes(MasterLoop loop, java.util.function.Supplier<String> pid, double startTime) {
    var b = HttpServer.builder();
    b.route("POST", "/api/v1/scheduler", Access.FRAMEWORK, MesosEndpoint.scheduler(req -> scheduler(loop, req)));
    b.route("POST", "/api/v1/agent", Access.AGENT, req -> agent(loop, req));
    for (String path : new String[] {"/master/state", "/state", "/master/state.json", "/state.json"}) {
      b.route("GET", path, Access.VIEWER, req -> loop.call(() -> HttpResponse.json(200, loop.state(pid.get(), startTime))));
    }
    for (String path : new String[] {"/health", "/master/health"}) {
      b.route("GET", path, Access.PUBLIC, req -> CompletableFuture.completedFuture(HttpResponse.text(200, "ok")));
    }
    // Master detection, as Mesos does it: a 307 to the leading master (this one until HA arrives),
    // with a protocol-relative Location.
    b.route("GET", "/api/v1/scheduler", Access.VIEWER, req -> redirect(pid, "/api/v1/scheduler"));
    b.route("GET", "/master/api/v1/scheduler", Access.VIEWER, req -> redirect(pid, "/api/v1/scheduler"));
    b.route("POST", "/master/api/v1/scheduler", Access.FRAMEWORK, MesosEndpoint.scheduler(req -> scheduler(loop, req)));
    for (String path : new String[] {"/redirect", "/master/redirect"}) {
      b.route("GET", path, Access.VIEWER, req -> redirect(pid, ""));
    }
    b.route("GET", "/version", Access.VIEWER, req -> CompletableFuture.completedFuture(
        HttpResponse.json(200, Map.of("version", StateView.VERSION, "mezzo_version", VERSION))));
    return b;
  }

  private static CompletionStage<HttpResponse> redirect(java.util.function.Supplier<String> pid, String path) {
    String leader = pid.get().substring(pid.get().indexOf('@') + 1);
    return CompletableFuture.completedFuture(
        new HttpResponse(307, HttpResponse.TEXT, new byte[0], Map.of("Location", "//" + leader + path), null));
  }

  private static CompletionStage<HttpResponse> scheduler(MasterLoop loop, HttpRequest req) {
    Call call = readCall(req, Call.class, Call::type, Call.Type.values());
    Principal who = req.principal();
    if (call.type() == Call.Type.SUBSCRIBE) {
      FrameworkAccess.checkSubscribe(who, call);
      return loop.call(() -> {
        var info = call.subscribe() == null ? null : call.subscribe().frameworkInfo();
        var id = info != null && info.id() != null ? info.id() : call.frameworkId();
        FrameworkAccess.checkOwner(who, id == null ? null : loop.frameworks().get(id), call.type());
        return loop.subscribeFramework(call);
      });
    }
    String streamId = req.header("Mesos-Stream-Id");
    return loop.call(() -> {
      FrameworkAccess.checkOwner(who, call.frameworkId() == null ? null : loop.frameworks().get(call.frameworkId()),
          call.type());
      return loop.handle(call, streamId);
    });
  }

  private static CompletionStage<HttpResponse> agent(MasterLoop loop, HttpRequest req) {
    AgentCall call = readCall(req, AgentCall.class, AgentCall::type, AgentCall.Type.values());
    if (call.type() == AgentCall.Type.SUBSCRIBE) {
      return loop.call(() -> loop.subscribeAgent(call)).thenCompose(admission -> admission);
    }
    return loop.call(() -> loop.agentCall(call));
  }

  /** Parses a JSON call body; a missing {@code type} is a 400 that lists the expected types. */
  private static <T> T readCall(HttpRequest req, Class<T> kind, java.util.function.Function<T, ?> type, Object[] types) {
    requireJson(req);
    T call = Json.read(req.body(), kind);
    if (type.apply(call) == null) {
      throw HttpError.badRequest("type: missing (expected: one of " + java.util.Arrays.toString(types) + ")");
    }
    return call;
  }

  private static void requireJson(HttpRequest req) {
    String type = req.header("Content-Type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new HttpError(415, "Content-Type: '" + type + "' (expected: application/json)");
    }
  }

  public int port() {
    return http.port();
  }

  /** The ZooKeeper connect string the master uses (the embedded server's when it runs one). */
  public String zkConnect() {
    return zkConnect;
  }

  public String masterId() {
    return loop.masterId();
  }

  public MasterConfig config() {
    return config;
  }

  /** The HTTP route table (every endpoint and its access level). */
  public java.util.List<HttpServer.Route> routes() {
    return http.routes();
  }

  @Override
  public void close() {
    http.close();
    loopThread.shutdownNow();
    store.close();
    if (zk != null) {
      zk.close();
    }
  }
}
