package io.mezzo.balancer.proxy;

import io.mezzo.balancer.algorithm.Algorithm;
import io.mezzo.balancer.algorithm.AlgorithmOptions;
import io.mezzo.balancer.algorithm.Algorithms;
import io.mezzo.balancer.algorithm.Backend;
import io.mezzo.balancer.algorithm.BackendSet;
import io.mezzo.balancer.algorithm.BackendStats;
import io.mezzo.balancer.algorithm.PickContext;
import io.mezzo.balancer.algorithm.Picker;
import io.mezzo.balancer.algorithm.SlowStart;
import io.mezzo.balancer.discovery.BackendInstance;
import io.mezzo.balancer.health.OutlierDetector;
import io.mezzo.balancer.discovery.Discovered;
import io.mezzo.balancer.route.RouteSpec;
import io.mezzo.balancer.route.RouteTable;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mezzo's load balancer data plane: HTTP listeners on Netty (epoll where available) that proxy each
 * request to a backend of the route its port, {@code Host} and path select, following what
 * {@link #apply} is told (from {@code ServicesFeed}). Listeners for new routes are bound and those of
 * removed routes closed without a restart; connections already open on a removed listener finish
 * their exchanges.
 *
 * <p>Draining: a backend that leaves a route's serving set gets no new requests; its in-flight ones
 * finish; once none is in flight and discovery says it is draining, {@code drainedReporter} is told
 * its instance id (once), so the services scheduler can kill it without dropping a request.
 *
 * <p>Threading: {@link #apply} runs on the caller's thread (discovery's) under this object's lock and
 * swaps an immutable {@link State} in; the event loops read the current state lock-free.
 */
public final class LoadBalancer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LoadBalancer.class);

  /**
   * How a load balancer runs.
   *
   * @param bindHost the address listeners bind to
   * @param sharedHttpPort the port of vhost and path routes
   * @param threads event loop threads (0: one per core)
   * @param connectTimeout how long a backend connect may take before another backend is tried
   */
  public record Config(String bindHost, int sharedHttpPort, int threads, Duration connectTimeout) {
    public Config {
      Objects.requireNonNull(bindHost, "bindHost");
      if (sharedHttpPort < 1 || sharedHttpPort > 65535) {
        throw new IllegalArgumentException("http-port: " + sharedHttpPort + " (expected: 1..65535)");
      }
    }
  }

  /**
   * A route as the data plane serves it: its serving backends and the picker of its algorithm over
   * them. Immutable (the picker's own state is its business and thread-safe).
   */
  static final class Route {
    private final RouteSpec spec;
    private final Algorithm algorithm;
    private final Picker picker;
    private final Map<String, BackendRef> byId;
    /** Excludes the backends the outlier detector has ejected now; built once per route. */
    private final Predicate<Backend> ejected;

    Route(RouteSpec spec, Algorithm algorithm, Picker picker, Map<String, BackendRef> byId, OutlierDetector outliers) {
      this.spec = spec;
      this.algorithm = algorithm;
      this.picker = picker;
      this.byId = byId;
      this.ejected = x -> outliers.isEjected(x.id(), System.nanoTime());
    }

    RouteSpec spec() {
      return spec;
    }

    int size() {
      return byId.size();
    }

    boolean hashesClient() {
      return algorithm.keySource() != Algorithm.KeySource.NONE;
    }

    /**
     * The algorithm's choice among the serving backends not in {@code exclude} and not ejected as
     * outliers; when every one left is ejected, among those (panic: better an outlier than nothing).
     * Null when none is left at all.
     */
    BackendRef pick(Set<BackendRef> exclude, long clientKey) {
      long now = System.nanoTime();
      PickContext base = hashesClient() ? PickContext.hashed(clientKey, now) : PickContext.at(now);
      Backend b;
      if (exclude.isEmpty()) {
        b = picker.pick(base.excludingIf(ejected));
        if (b == null) {
          b = picker.pick(base);
        }
      } else {
        Predicate<Backend> tried = x -> isTried(exclude, x);
        b = picker.pick(base.excludingIf(tried.or(ejected)));
        if (b == null) {
          b = picker.pick(base.excludingIf(tried));
        }
      }
      return b == null ? null : byId.get(b.id());
    }

    private boolean isTried(Set<BackendRef> exclude, Backend x) {
      BackendRef ref = byId.get(x.id());
      return ref != null && exclude.contains(ref);
    }

    /** Any serving backend (for a fresh connection to one already tried), or null when there is none. */
    BackendRef pickAny(long clientKey) {
      return pick(Set.of(), clientKey);
    }

    /** Sticky token to serving backend; built at the first sticky request (routes are immutable). */
    private volatile Map<String, BackendRef> byStickyToken;

    /**
     * The serving backend whose {@link StickyCookie} token is {@code token}, when it may take a request
     * now (serving and not ejected); null otherwise, and the request is balanced as usual.
     */
    BackendRef sticky(String token) {
      Map<String, BackendRef> tokens = byStickyToken;
      if (tokens == null) {
        Map<String, BackendRef> m = new HashMap<>();
        for (BackendRef b : byId.values()) {
          m.put(StickyCookie.token(b), b);
        }
        byStickyToken = tokens = Map.copyOf(m);
      }
      BackendRef b = tokens.get(token);
      if (b == null) {
        return null;
      }
      Backend x = picker.backends().byId(b.key);
      return x == null || ejected.test(x) ? null : b;
    }
  }

  /** What the event loops read: the table and each route's backends. */
  private record State(RouteTable table, Map<String, Route> routes) {}

  private final Config config;
  private final EventLoopGroup group;
  private final Consumer<String> drainedReporter;
  private final AtomicReference<State> state;
  private final Map<Integer, Channel> listeners = new LinkedHashMap<>();
  private final Map<String, BackendRef> backends = new HashMap<>(); // by instance id + address
  private final Map<String, BackendRef> draining = new ConcurrentHashMap<>();
  private final Map<String, BackendSet> sets = new HashMap<>(); // by route key, for the next snapshot
  private final OutlierDetector outliers = OutlierDetector.create(OutlierDetector.Config.defaults());
  private final LbMetrics metrics = new LbMetrics();
  private final LongAdder requests = new LongAdder();
  private final LongAdder localAnswers = new LongAdder();
  private final LongAdder connectFailures = new LongAdder();

  private LoadBalancer(Config config, EventLoopGroup group, Consumer<String> drainedReporter) {
    this.config = config;
    this.group = group;
    this.drainedReporter = drainedReporter;
    this.state = new AtomicReference<>(new State(RouteTable.build(List.of(), config.sharedHttpPort(), null).table(),
        Map.of()));
    this.poolsByLoop = new ConcurrentHashMap<>();
    this.connectTimeoutMillis = (int) config.connectTimeout().toMillis();
  }

  /** One pool per event loop, used only on its loop. */
  private final Map<EventLoop, BackendPool> poolsByLoop;
  private final int connectTimeoutMillis;

  /** Starts the event loops; listeners come with the first {@link #apply}. */
  public static LoadBalancer start(Config config, Consumer<String> drainedReporter) {
    int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
    return new LoadBalancer(config, Transport.group(threads, "lb"), drainedReporter);
  }

  /**
   * As {@link #start(Config, Consumer)}, writing one line per request to {@code accessLog} (null: no access
   * log). The caller owns and closes the access log, after this load balancer.
   */
  public static LoadBalancer start(Config config, Consumer<String> drainedReporter, AccessLog accessLog) {
    LoadBalancer lb = start(config, drainedReporter);
    lb.accessLog = accessLog; // before any listener is bound: the event loops see it
    return lb;
  }

  /** Set once by {@link #start(Config, Consumer, AccessLog)}, before any connection; null: none. */
  AccessLog accessLog;

  /** Whether the native epoll transport is in use. */
  public static boolean epoll() {
    return Transport.EPOLL;
  }

  /** Makes {@code d} the routing state: binds and closes listeners, swaps backends and pickers in. */
  public synchronized void apply(Discovered d) {
    long now = System.nanoTime();
    Map<String, BackendRef> seen = new HashMap<>();
    Map<String, Route> routes = new HashMap<>();
    Map<String, BackendSet> nextSets = new HashMap<>();
    for (RouteSpec r : d.table().routes()) {
      Map<String, BackendRef> byId = new HashMap<>();
      List<Backend> desired = new ArrayList<>();
      for (BackendInstance i : d.serving().getOrDefault(r.key(), List.of())) {
        BackendRef b = backend(i, r, seen);
        b.draining = false;
        byId.put(b.key, b);
        desired.add(Backend.of(b.key, b.host, b.port, 1));
      }
      for (BackendInstance i : d.draining().getOrDefault(r.key(), List.of())) {
        BackendRef b = backend(i, r, seen);
        b.draining = true;
        draining.putIfAbsent(b.key, b);
      }
      BackendSet previous = sets.get(r.key());
      BackendSet set = previous == null ? BackendSet.of(desired) : previous.next(desired, now);
      for (Backend b : set.asList()) {
        byId.get(b.id()).stats = b.stats();
      }
      nextSets.put(r.key(), set);
      Algorithm algorithm = algorithm(r);
      routes.put(r.key(), new Route(r, algorithm, algorithm.newPicker(set), Map.copyOf(byId), outliers));
    }
    sets.clear();
    sets.putAll(nextSets);
    // Backends gone from discovery altogether (killed, lost) are forgotten.
    for (String gone : new ArrayList<>(backends.keySet())) {
      if (!seen.containsKey(gone)) {
        metrics.remove(gone);
      }
    }
    backends.keySet().retainAll(seen.keySet());
    outliers.retain(Set.copyOf(seen.keySet()));
    draining.keySet().retainAll(seen.keySet());
    state.set(new State(d.table(), Map.copyOf(routes)));
    for (String p : d.problems()) {
      LOG.warn("lb: {}", p);
    }
    syncListeners(d.table().listeners());
    for (BackendRef b : List.copyOf(draining.values())) {
      maybeReportIdle(b);
    }
  }

  /**
   * The route's algorithm with its slow start window; a sticky TCP route hashes the client address
   * (consistent hashing cannot ramp a new backend up without moving keys: it gets its share at once).
   */
  private static Algorithm algorithm(RouteSpec r) {
    try {
      String balance = r.sticky() && r.mode() == RouteSpec.Mode.TCP ? "source" : r.balance();
      return Algorithms.of(balance, r.slowStart().isZero() ? AlgorithmOptions.defaults()
          : AlgorithmOptions.defaults().withSlowStart(SlowStart.linear(r.slowStart())));
    } catch (IllegalArgumentException e) {
      LOG.warn("lb: {}: {}; using round_robin", r.key(), e.getMessage());
      return Algorithms.of("round_robin");
    }
  }

  private BackendRef backend(BackendInstance i, RouteSpec r, Map<String, BackendRef> seen) {
    int port = i.ports().get(r.portIndex());
    String key = i.instanceId() + "@" + i.host() + ":" + port;
    BackendRef b = backends.computeIfAbsent(key, k -> {
      BackendRef ref = new BackendRef(i.instanceId(), i.host(), port, r.key());
      metrics.add(ref);
      return ref;
    });
    seen.put(key, b);
    return b;
  }

  private void syncListeners(Map<Integer, RouteSpec.Mode> wanted) {
    for (var it = listeners.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!wanted.containsKey(e.getKey())) {
        e.getValue().close(); // stops accepting; open connections go on
        it.remove();
        LOG.info("lb: listener :{} closed", e.getKey());
      }
    }
    for (var e : wanted.entrySet()) {
      if (listeners.containsKey(e.getKey())) {
        continue;
      }
      RouteSpec.Mode mode = e.getValue();
      try {
        Channel ch = new ServerBootstrap()
            .group(group)
            .channel(Transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel c) {
                if (mode == RouteSpec.Mode.TCP) {
                  c.pipeline().addLast(new TcpFrontendHandler(LoadBalancer.this));
                } else {
                  c.pipeline().addLast(new Http2Frontend.Sniffer(LoadBalancer.this)) // h2c: see Http2Frontend
                      .addLast(new HttpServerCodec(8192, 32 * 1024, 16 * 1024))
                      .addLast(new FrontendHandler(LoadBalancer.this));
                }
              }
            })
            .bind(config.bindHost(), e.getKey()).syncUninterruptibly().channel();
        listeners.put(e.getKey(), ch);
        LOG.info("lb: listening on {}:{} ({}, {})", config.bindHost(), e.getKey(), mode, Transport.EPOLL ? "epoll" : "nio");
      } catch (RuntimeException ex) {
        LOG.error("lb: cannot listen on {}:{}: {}", config.bindHost(), e.getKey(), ex.toString());
      }
    }
  }

  /** The ports listened on now. */
  public synchronized Set<Integer> listening() {
    return Set.copyOf(listeners.keySet());
  }

  // ---------------------------------------------------------------- called from the event loops

  Route httpRoute(int port, String host, String path) {
    requests.increment();
    State s = state.get();
    RouteSpec spec = s.table().http(port, host, path);
    return spec == null ? null : s.routes().get(spec.key());
  }

  Route tcpRoute(int port) {
    requests.increment();
    State s = state.get();
    RouteSpec spec = s.table().tcp(port);
    return spec == null ? null : s.routes().get(spec.key());
  }

  BackendPool pool(EventLoop loop) {
    return poolsByLoop.computeIfAbsent(loop, l -> new BackendPool(l, connectTimeoutMillis));
  }

  void onComplete(BackendRef b, long nanos) {
    BackendStats stats = b.stats;
    if (stats != null) {
      stats.onComplete(nanos, System.nanoTime());
    }
    if (b.draining) {
      maybeReportIdle(b);
    }
  }

  /** A backend's answer (its status) or failure, for outlier detection. */
  void onResult(BackendRef b, OutlierDetector.Result result) {
    outliers.onResult(b.key, result, System.nanoTime()).ifPresent(e -> {
      metrics.ejection(b);
      LOG.warn("lb: {} ejected for {} ms ({}, ejection {})", b, e.duration().toMillis(), e.reason(), e.totalEjections());
    });
  }

  /** A backend answered {@code status} after {@code nanos}. */
  void onResponse(BackendRef b, int status, long nanos) {
    metrics.response(b, status, nanos);
    onResult(b, OutlierDetector.Result.ofStatus(status));
  }

  /** The meters, for {@code /metrics} and {@code /stats}. */
  public LbMetrics metrics() {
    return metrics;
  }

  void onConnectFailure(BackendRef b) {
    connectFailures.increment();
    metrics.connectFailure(b);
    onResult(b, OutlierDetector.Result.CONNECT_FAILURE);
    BackendStats stats = b.stats;
    if (stats != null) {
      stats.onCancel();
    }
  }

  /** A picked backend that got no request after all (the client left first). */
  void onAbandon(BackendRef b) {
    BackendStats stats = b.stats;
    if (stats != null) {
      stats.onCancel();
    }
  }

  /** A WebSocket tunnel on {@code b} closed (its in-flight count already taken back). */
  void onTunnelClosed(BackendRef b) {
    onAbandon(b);
    if (b.draining) {
      maybeReportIdle(b);
    }
  }

  void onLocalAnswer(int status) {
    localAnswers.increment();
  }

  private void maybeReportIdle(BackendRef b) {
    if (b.draining && b.inFlight.get() == 0 && b.idleReported.compareAndSet(false, true)) {
      LOG.info("lb: {} is draining and idle", b);
      drainedReporter.accept(b.instanceId);
    }
  }

  /** Counters: requests seen, answered by the LB itself (404/502/503), backend connect failures. */
  public Map<String, Long> counters() {
    return Map.of("requests", requests.sum(), "local_answers", localAnswers.sum(),
        "connect_failures", connectFailures.sum());
  }

  @Override
  public synchronized void close() {
    for (Channel ch : listeners.values()) {
      ch.close().syncUninterruptibly();
    }
    listeners.clear();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
