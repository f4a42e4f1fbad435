package io.mezzo.master;

import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.auth.Access;
import io.mezzo.core.auth.Caller;
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
import io.mezzo.master.ha.LeaderElection;
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
 * A running master: its ZooKeeper store (embedded or external), its part in the leader election,
 * the loop that owns its state, and the HTTP APIs in front of it ({@code /api/v1/scheduler},
 * {@code /api/v1/agent}, {@code /master/state}, {@code /health}). Start with {@link #start};
 * {@link #close} stops all of it.
 *
 * <p>A master starts as a standby ({@link Standby}): its HTTP server answers every API with a 307 to
 * the leader (503 while none is known). Once elected ({@link LeaderElection}) it recovers its state
 * from ZooKeeper, as a restarted master does, and swaps the standby's route table for the leader's on
 * the same server ({@link HttpServer#replaceRoutes}): the port never closes, so no client sees a refused
 * connection during the handover. Losing leadership afterwards ends the process (see
 * {@link LeaderElection#exitProcess}). The election's thread swaps the routes; {@link #close} may come
 * from any thread.
 *
 * <p>HTTP handlers only parse and validate the shape of a request, then hand it to the loop.
 *
 * <p>Access levels (see {@link Access}; checked by the HTTP server when the master has credentials):
 * the scheduler API needs {@code framework} (and {@link FrameworkAccess} keeps each framework principal
 * to its own frameworks and roles), the agent API {@code agent}, state, redirects, the version and
 * {@code /metrics} (Prometheus text: {@link MasterMeters} and the JVM's; a standby serves its JVM's)
 * {@code viewer}; {@code /health} and {@code /master/health} stay open for load balancers' and
 * supervisors' pings.
 */
public final class Master implements AutoCloseable {
  public static final String VERSION = "0.1.0";
  private static final Logger LOG = LoggerFactory.getLogger(Master.class);
  static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;
  /** How long {@link #start} waits to learn whether this master leads. */
  private static final long DECIDE_MS = 15_000;

  private final MasterConfig config;
  private final EmbeddedZooKeeper zk;
  private final ZkStore store;
  private final String zkConnect;
  private final String masterId;
  private final int port;
  private final Clock clock = Clock.systemUTC();
  private final java.util.function.Consumer<HttpServer.Builder> extraRoutes;
  private final Security security;
  /** {@code GET /metrics}: the JVM's and {@link MasterMeters} once leading; see {@link #metrics()}. */
  private final io.mezzo.core.metrics.ProcessMetrics metrics;
  /** How this master calls its agents; set once by {@link #start}, before the election begins. */
  private Caller agentCaller = Caller.NONE;
  private final CompletableFuture<Void> elected = new CompletableFuture<>();
  private LeaderElection election;
  private ScheduledExecutorService loopThread;
  private MasterLoop loop;
  private HttpServer http;
  private volatile boolean closed;

  private Master(MasterConfig config, EmbeddedZooKeeper zk, ZkStore store, String zkConnect, String masterId,
      HttpServer standby, java.util.function.Consumer<HttpServer.Builder> extraRoutes, Security security,
      io.mezzo.core.metrics.ProcessMetrics metrics) {
    this.security = security;
    this.metrics = metrics;
    this.zkConnect = zkConnect;
    this.config = config;
    this.zk = zk;
    this.store = store;
    this.masterId = masterId;
    this.http = standby;
    this.port = standby.port();
    this.extraRoutes = extraRoutes;
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
   * scheduler's {@code /v2} API when it runs in the master's process) once it leads, checking callers
   * against {@code security}; refuses a non-loopback bind without credentials before starting anything.
   * Losing leadership exits the process ({@link LeaderElection#exitProcess}).
   */
  public static Master start(MasterConfig config, Security security,
      java.util.function.Consumer<HttpServer.Builder> extraRoutes) {
    return start(config, security, extraRoutes, LeaderElection::exitProcess);
  }

  /** As {@link #start(MasterConfig, Security, java.util.function.Consumer, java.util.function.Consumer)} without credentials. */
  public static Master start(MasterConfig config, java.util.function.Consumer<HttpServer.Builder> extraRoutes,
      java.util.function.Consumer<String> onLostLeadership) {
    return start(config, Security.NONE, extraRoutes, onLostLeadership);
  }

  /** As {@link #start(MasterConfig, Security, Caller, java.util.function.Consumer, java.util.function.Consumer)}, calling agents without credentials. */
  public static Master start(MasterConfig config, Security security,
      java.util.function.Consumer<HttpServer.Builder> extraRoutes, java.util.function.Consumer<String> onLostLeadership) {
    return start(config, security, Caller.NONE, extraRoutes, onLostLeadership);
  }

  /**
   * Starts a master that joins the leader election; returns once it leads, or once it knows another
   * master leads (it is then a standby: see {@link #elected}). {@code onLostLeadership} runs, with the
   * reason, if it loses leadership after leading; it must stop the master acting as leader at once.
   * The master calls agents (the dashboard's files proxy and usage) as {@code agentCaller}.
   */
  public static Master start(MasterConfig config, Security security, Caller agentCaller,
      java.util.function.Consumer<HttpServer.Builder> extraRoutes, java.util.function.Consumer<String> onLostLeadership) {
    // Refuse an open non-loopback bind before ZooKeeper starts (the server checks again when it binds).
    security.checkBind(config.bindHost(), config.port());
    EmbeddedZooKeeper zk = null;
    ZkStore store = null;
    HttpServer standby = null;
    io.mezzo.core.metrics.ProcessMetrics metrics = io.mezzo.core.metrics.ProcessMetrics.create("master");
    try {
      String connect = config.zkConnect();
      if (connect == null) {
        zk = EmbeddedZooKeeper.start(config.workDir().resolve("zookeeper"), 0);
        connect = zk.connectString();
      }
      store = ZkStore.connect(connect, 15_000, (int) Math.min(Integer.MAX_VALUE, config.zkSessionTimeout().toMillis()));
      String masterId = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)
          .withZone(ZoneOffset.UTC).format(java.time.Instant.now())
          + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
      java.util.concurrent.atomic.AtomicReference<LeaderElection> electionRef =
          new java.util.concurrent.atomic.AtomicReference<>();
      standby = Standby.server(config, masterId, () -> electionRef.get(), Clock.systemUTC().millis() / 1000.0,
          security, metrics);
      Master m = new Master(config, zk, store, connect, masterId, standby, extraRoutes, security, metrics);
      m.agentCaller = agentCaller; // before the election may call lead()
      io.micrometer.core.instrument.Gauge.builder("mezzo_master_leading", m, x -> x.isLeader() ? 1 : 0)
          .description("1 while this master leads, 0 while it stands by").register(metrics.registry());
      String self = config.hostname() + ":" + standby.port();
      LeaderElection election = LeaderElection.start(store.curator(), self, config.zkSessionTimeout(),
          new LeaderElection.Listener() {
            @Override
            public void elected() {
              m.lead();
            }

            @Override
            public void lost(String why) {
              onLostLeadership.accept(why);
            }
          });
      electionRef.set(election);
      synchronized (m) {
        m.election = election;
      }
      m.awaitDecision();
      LOG.info("master {} {} on http://{}:{} (ZooKeeper {})", masterId, m.elected.isDone() ? "leading" : "standing by",
          config.bindHost(), m.port, connect);
      return m;
    } catch (Exception e) {
      metrics.close();
      if (standby != null) {
        standby.close();
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

  /** Waits until this master leads or another master is known to lead (a single master elects itself). */
  private void awaitDecision() throws Exception {
    long deadline = System.nanoTime() + DECIDE_MS * 1_000_000;
    while (System.nanoTime() - deadline < 0) {
      if (elected.isDone()) {
        elected.get(); // a failed takeover throws here
        return;
      }
      java.util.Optional<String> leader;
      try {
        leader = election.leader().get(5, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException busy) {
        continue; // the election's thread is taking over: elected soon
      }
      if (leader.isPresent() && !leader.get().equals(election.id())) {
        return;
      }
      try {
        elected.get(50, TimeUnit.MILLISECONDS);
        return;
      } catch (java.util.concurrent.TimeoutException notYet) {
        // poll again
      }
    }
    LOG.warn("no leading master known after {} ms; standing by", DECIDE_MS);
  }

  /** Takes over as leader: recovers state, starts the loop and the real HTTP server. On the election's thread. */
  private void lead() {
    try {
      synchronized (this) {
        if (closed) {
          return;
        }
        loopThread = Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "master-loop");
          t.setDaemon(true);
          return t;
        });
        loop = new MasterLoop(config, loopThread, store, Allocator.drf(), clock, System::nanoTime, masterId);
        MasterLoop l = loop;
        MasterMeters meters = new MasterMeters(metrics.registry());
        l.meters(meters);
        metrics.beforeScrape(() -> l.call(() -> {
          meters.publish(l.clusterView());
          return null;
        }));
        l.call(() -> {
          l.start();
          return null;
        }).get(30, TimeUnit.SECONDS);
        String pid = "master@" + config.hostname() + ":" + port;
        double electedTime = clock.millis() / 1000.0;
        var builder = routes(l, () -> pid, clock.millis() / 1000.0, electedTime);
        OperatorApi.routes(builder, l, store, clock, clock.millis() / 1000.0);
        metrics.route(builder);
        DashboardApi.routes(builder, l, new io.mezzo.master.dashboard.AgentFiles(agentCaller, System::nanoTime));
        extraRoutes.accept(builder);
        http.replaceRoutes(builder); // the standby's server, port and connections: leader routes from now on
      }
      LOG.info("master {} leading on http://{}:{}", masterId, config.bindHost(), port);
      elected.complete(null);
    } catch (Exception e) {
      LOG.error("cannot take over as leading master", e);
      elected.completeExceptionally(e);
      if (!closed) {
        LeaderElection.exitProcess("the takeover failed: " + e);
      }
    }
  }

  private static HttpServer.Builder routes(MasterLoop loop, java.util.function.Supplier<String> pid, double startTime,
      double electedTime) {
    var b = HttpServer.builder();
    b.route("POST", "/api/v1/scheduler", Access.FRAMEWORK, MesosEndpoint.scheduler(req -> scheduler(loop, req)));
    b.route("POST", "/api/v1/agent", Access.AGENT, req -> agent(loop, req));
    for (String path : new String[] {"/master/state", "/state", "/master/state.json", "/state.json"}) {
      b.route("GET", path, Access.VIEWER, req -> loop.call(() -> HttpResponse.json(200,
          Standby.asLeader(loop.state(pid.get(), startTime), pid.get(), electedTime))));
    }
    for (String path : new String[] {"/health", "/master/health"}) {
      b.route("GET", path, Access.PUBLIC, req -> CompletableFuture.completedFuture(HttpResponse.text(200, "ok")));
    }
    // Master detection, as Mesos does it: a 307 to the leading master (this one: standbys redirect
    // every API, see Standby), with a protocol-relative Location; open to anyone, as a standby's are.
    b.route("GET", "/api/v1/scheduler", Access.PUBLIC, req -> redirect(pid, "/api/v1/scheduler"));
    b.route("GET", "/master/api/v1/scheduler", Access.PUBLIC, req -> redirect(pid, "/api/v1/scheduler"));
    b.route("POST", "/master/api/v1/scheduler", Access.FRAMEWORK, MesosEndpoint.scheduler(req -> scheduler(loop, req)));
    for (String path : new String[] {"/redirect", "/master/redirect"}) {
      b.route("GET", path, Access.PUBLIC, req -> redirect(pid, ""));
    }
    b.route("GET", "/version", Access.VIEWER, req -> CompletableFuture.completedFuture(
        HttpResponse.json(200, Map.of("version", StateView.VERSION, "mezzo_version", VERSION))));
    UiRoutes.add(b); // the web dashboard at /ui/
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
    return port;
  }

  /** Completes once this master leads and serves; fails if its takeover failed. */
  public CompletableFuture<Void> elected() {
    return elected;
  }

  /** Whether this master leads now. */
  public boolean isLeader() {
    return elected.isDone() && !elected.isCompletedExceptionally() && election.isLeader();
  }

  /** The ZooKeeper connect string the master uses (the embedded server's when it runs one). */
  public String zkConnect() {
    return zkConnect;
  }

  public String masterId() {
    return masterId;
  }

  public MasterConfig config() {
    return config;
  }

  /**
   * This process's meters, served at {@code /metrics}: components running in the master's process
   * (the services scheduler, the autoscaler) bind theirs to its registry.
   */
  public io.mezzo.core.metrics.ProcessMetrics metrics() {
    return metrics;
  }

  /** The HTTP route table (every endpoint and its access level). */
  public java.util.List<HttpServer.Route> routes() {
    return http.routes();
  }

  @Override
  public void close() {
    LeaderElection e;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      e = election;
    }
    if (e != null) {
      e.close(); // silences it first: leaving is not losing
    }
    synchronized (this) {
      http.close();
      if (loopThread != null) {
        loopThread.shutdownNow();
      }
    }
    store.close();
    if (zk != null) {
      zk.close();
    }
    metrics.close();
  }
}
