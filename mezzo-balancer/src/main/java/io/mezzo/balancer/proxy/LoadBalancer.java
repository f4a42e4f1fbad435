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
import io.mezzo.balancer.health.ActiveHealth;
import io.mezzo.balancer.health.OutlierDetector;
import io.mezzo.balancer.health.Panic;
import io.mezzo.balancer.route.HealthCheckSpec;
import io.mezzo.balancer.discovery.Discovered;
import io.mezzo.balancer.route.HashKey;
import io.mezzo.balancer.route.RouteSpec;
import io.mezzo.balancer.algorithm.HashKeys;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
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
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>Health: a backend gets no new requests while it is DOWN in the LB's own checks ({@link HealthProber})
 * or ejected as an outlier, unless its route panics (fewer than its threshold of backends healthy: then
 * all of them are picked, {@link Panic}). Each route's {@link RouteGuard} holds its retry budget and the
 * admission queue of its backends, and parks requests while the route has no backend.
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
   * them. Immutable (the picker's own state is its business and thread-safe), apart from a cached view
   * of how many of its backends are healthy, recomputed when any backend's health changes (the
   * load balancer's health epoch moves) or an ejection ends.
   */
  static final class Route {
    private final RouteSpec spec;
    private final Algorithm algorithm;
    private final Picker picker;
    private final Map<String, BackendRef> byId;
    /** Excludes the backends DOWN in active checks or ejected as outliers now; built once per route. */
    private final Predicate<Backend> unhealthy;
    private final OutlierDetector outliers;
    private final RouteGuard guard;
    private final Panic panic;
    private final AtomicLong healthEpoch;
    private volatile HealthView view;

    /** Health counts as of {@code epoch}, good until {@code recheckAtNanos} (the end of an ejection). */
    private record HealthView(long epoch, long recheckAtNanos, int total, int healthy, boolean panic) {}

    Route(RouteSpec spec, Algorithm algorithm, Picker picker, Map<String, BackendRef> byId, OutlierDetector outliers,
        RouteGuard guard, AtomicLong healthEpoch) {
      this.spec = spec;
      this.algorithm = algorithm;
      this.picker = picker;
      this.byId = byId;
      this.outliers = outliers;
      this.guard = guard;
      this.panic = Panic.threshold(spec.policy().panicThresholdPercent());
      this.healthEpoch = healthEpoch;
      this.unhealthy = x -> {
        BackendRef r = byId.get(x.id());
        return r != null && r.down || outliers.isEjected(x.id(), System.nanoTime());
      };
    }

    RouteGuard guard() {
      return guard;
    }

    /** Whether a pick can find a backend now: it has one, and one is healthy or the route panics. */
    boolean routable() {
      HealthView v = view(System.nanoTime());
      return v.total() > 0 && (v.panic() || v.healthy() > 0);
    }

    private HealthView view(long now) {
      HealthView v = view;
      long epoch = healthEpoch.get(); // read before the backends: a change after it moves it again
      if (v != null && v.epoch() == epoch && now - v.recheckAtNanos() < 0) {
        return v;
      }
      int healthy = 0;
      long recheck = now + TimeUnit.MINUTES.toNanos(1);
      for (BackendRef r : byId.values()) {
        boolean ejected = outliers.isEjected(r.key, now);
        if (ejected) {
          long until = outliers.ejectedUntilNanos(r.key, now);
          recheck = until - recheck < 0 ? until : recheck;
        } else if (!r.down) {
          healthy++;
        }
      }
      Panic.Decision d = panic.decide(byId.size(), healthy);
      v = new HealthView(epoch, recheck, d.total(), d.healthy(), d.panic());
      view = v;
      if (guard.meters().panic.compareAndSet(!d.panic(), d.panic())) {
        if (d.panic()) {
          LOG.warn("lb: {} panics: {} of {} backends healthy (threshold {}%): routing to all of them", spec.key(),
              d.healthy(), d.total(), panic.thresholdPercent());
        } else {
          LOG.info("lb: {} leaves panic: {} of {} backends healthy", spec.key(), d.healthy(), d.total());
        }
      }
      return v;
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
     * The algorithm's choice among the serving backends not in {@code exclude} and healthy (UP in
     * active checks, not ejected as an outlier); in panic (fewer than the route's threshold healthy),
     * among all those not in {@code exclude}. A retry (something excluded) that finds no healthy backend
     * left takes an unhealthy one rather than none: a failing request has nothing to lose. Null when
     * none is left.
     */
    BackendRef pick(Set<BackendRef> exclude, long clientKey) {
      return pick(exclude, clientKey, System.nanoTime());
    }

    /** As {@link #pick(Set, long)}, at {@code now} (the caller's clock read for the request). */
    BackendRef pick(Set<BackendRef> exclude, long clientKey, long now) {
      PickContext base = hashesClient() ? PickContext.hashed(clientKey, now) : PickContext.at(now);
      HealthView v = view(now);
      boolean filter = v.healthy() < v.total() && !v.panic(); // when all are healthy, the fast path
      if (v.panic()) {
        guard.meters().panics.increment();
      }
      Backend b;
      if (exclude.isEmpty()) {
        b = picker.pick(filter ? base.excludingIf(unhealthy) : base);
      } else {
        Predicate<Backend> tried = x -> isTried(exclude, x);
        b = picker.pick(base.excludingIf(filter ? tried.or(unhealthy) : tried));
        if (b == null && filter) {
          b = picker.pick(base.excludingIf(tried)); // a retry: better an unhealthy backend than a sure 502
        }
      }
      return b == null ? null : byId.get(b.id());
    }

    /**
     * {@code first} when it has a free slot ({@code MEZZO_LB_MAX_CONN_n}); else another backend that has
     * one, healthy unless the route panics and not in {@code exclude}, by the algorithm's choice; else
     * {@code first}. So a request waits in a full backend's queue only when no other backend has room. Hash
     * routes keep {@code first} (a key stays on its backend). Costs one read when {@code first} has room.
     */
    BackendRef withRoom(BackendRef first, Set<BackendRef> exclude, long clientKey) {
      int max = spec.policy().maxConnections();
      if (first.inFlight.get() < max || hashesClient()) {
        return first;
      }
      long now = System.nanoTime();
      HealthView v = view(now);
      Predicate<Backend> fullOrTried = x -> {
        BackendRef r = byId.get(x.id());
        return r == null || r == first || r.inFlight.get() >= max || exclude.contains(r);
      };
      boolean filter = v.healthy() < v.total() && !v.panic();
      Backend b = picker.pick(PickContext.at(now).excludingIf(filter ? fullOrTried.or(unhealthy) : fullOrTried));
      return b == null ? first : byId.get(b.id());
    }

    private boolean isTried(Set<BackendRef> exclude, Backend x) {
      BackendRef ref = byId.get(x.id());
      return ref != null && exclude.contains(ref);
    }

    /**
     * The key a request with {@code headers} hashes to: the header or cookie its route hashes when the
     * request has it, else its client address's {@code addressKey}.
     */
    long requestKey(HttpHeaders headers, long addressKey) {
      HashKey key = spec.hashKey();
      if (key.kind() == HashKey.Kind.SOURCE || algorithm.keySource() != Algorithm.KeySource.ROUTE) {
        return addressKey;
      }
      String value = null;
      if (key.kind() == HashKey.Kind.HEADER) {
        value = headers.get(key.name());
      } else {
        for (String h : headers.getAll(HttpHeaderNames.COOKIE)) {
          for (Cookie c : ServerCookieDecoder.LAX.decode(h)) {
            if (c.name().equals(key.name())) {
              value = c.value();
            }
          }
        }
      }
      return value == null ? addressKey : HashKeys.of(value);
    }

    /** Any serving backend (for a fresh connection to one already tried), or null when there is none. */
    BackendRef pickAny(long clientKey) {
      return pick(Set.of(), clientKey);
    }

    /** Sticky token to serving backend; built at the first sticky request (routes are immutable). */
    private volatile Map<String, BackendRef> byStickyToken;

    /**
     * The serving backend whose {@link StickyCookie} token is {@code token}, when it may take a request
     * now (serving, not DOWN, not ejected); null otherwise, and the request is balanced as usual.
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
      return x == null || unhealthy.test(x) ? null : b;
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
  /** Moves on every change of a backend's health (active checks, ejections): routes recount then. */
  private final AtomicLong healthEpoch = new AtomicLong();
  private final Map<String, RouteGuard> guards = new HashMap<>(); // by route key; control thread
  private final List<RouteGuard> retired = new ArrayList<>(); // replaced in this apply; control thread
  private final HealthProber prober;
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
    this.prober = new HealthProber(group, this::onHealthTransition);
    group.next().scheduleAtFixedRate(() -> metrics.sample(System.nanoTime()), 0, 1, TimeUnit.SECONDS);
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
      routes.put(r.key(), new Route(r, algorithm, algorithm.newPicker(set), Map.copyOf(byId), outliers, guard(r),
          healthEpoch));
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
    afterSwap(routes);
    for (String p : d.problems()) {
      LOG.warn("lb: {}", p);
    }
    syncListeners(d.table().listeners());
    for (BackendRef b : List.copyOf(draining.values())) {
      maybeReportIdle(b);
    }
  }

  /** The guard of {@code r}: the one it had while its policy stays, else a new one. */
  private RouteGuard guard(RouteSpec r) {
    RouteGuard g = guards.get(r.key());
    if (g == null || !g.policy().equals(r.policy())) {
      if (g != null) {
        retired.add(g); // its parked requests route again once the new state is in
      }
      g = new RouteGuard(r.key(), r.policy(), metrics.route(r.key()));
      guards.put(r.key(), g);
    }
    return g;
  }

  /**
   * After a routing-state swap: forgets the guards of routes that left (their parked requests route
   * again, and find no route), hands waiters of backends that stopped serving back to route again, wakes
   * parked requests of routes that have a backend now, and makes the prober check the serving backends.
   */
  private void afterSwap(Map<String, Route> routes) {
    retired.forEach(RouteGuard::wakeParked);
    retired.clear();
    for (var it = guards.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!routes.containsKey(e.getKey())) {
        it.remove();
        e.getValue().wakeParked();
      }
    }
    metrics.retainRoutes(routes.keySet());
    Map<BackendRef, HealthCheckSpec> checked = new HashMap<>();
    for (Route r : routes.values()) {
      Set<String> known = new java.util.HashSet<>(r.byId.keySet());
      List<String> notServing = new ArrayList<>();
      for (BackendRef b : draining.values()) {
        if (b.draining && b.routeKey.equals(r.spec().key())) {
          known.add(b.key);
          notServing.add(b.key);
        }
      }
      r.guard().retain(known, notServing);
      HealthCheckSpec check = r.spec().policy().healthCheck();
      for (BackendRef b : r.byId.values()) {
        if (check != null) {
          checked.put(b, check);
        } else if (b.down) {
          b.down = false; // checks turned off: nothing says it is down any more
          b.healthReason = "not checked by the load balancer";
          healthEpoch.incrementAndGet();
        }
      }
      if (r.routable()) {
        r.guard().wakeParked();
      }
    }
    prober.sync(checked);
  }

  /** A backend's active health changed (on the prober's event loop). */
  private void onHealthTransition(BackendRef b, ActiveHealth.State health) {
    b.healthReason = health.reason();
    b.down = !health.isUp();
    healthEpoch.incrementAndGet();
    metrics.healthTransition(b, health.isUp());
    if (health.isUp()) {
      LOG.info("lb: {} is UP: {}", b, health.reason());
      Route r = state.get().routes().get(b.routeKey);
      if (r != null && r.routable()) {
        r.guard().wakeParked();
      }
    } else {
      LOG.warn("lb: {} is DOWN: {}", b, health.reason());
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

  /** The route now in force with the key of {@code r} (after a wait: backends may have changed), or null. */
  Route currentRoute(Route r) {
    return state.get().routes().get(r.spec().key());
  }

  /**
   * Whether a request parked on {@code r} can be routed again: the route now in force with its key has a
   * routable backend, or is gone (the request then learns so when it routes again).
   */
  boolean routableOrGone(Route r) {
    Route now = currentRoute(r);
    return now == null || now.routable();
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
    onComplete(b, nanos, System.nanoTime());
  }

  /** An exchange on {@code b} that took {@code nanos} ended at {@code now}. */
  void onComplete(BackendRef b, long nanos, long now) {
    BackendStats stats = b.stats;
    if (stats != null) {
      stats.onComplete(nanos, now);
    }
    if (b.draining) {
      maybeReportIdle(b);
    }
  }

  /** A backend's answer (its status) or failure, for outlier detection. */
  void onResult(BackendRef b, OutlierDetector.Result result) {
    onResult(b, result, System.nanoTime());
  }

  private void onResult(BackendRef b, OutlierDetector.Result result, long now) {
    var ejection = outliers.onResult(b.key, result, now); // no capturing lambda: this runs per request
    if (ejection.isPresent()) {
      var e = ejection.get();
      healthEpoch.incrementAndGet();
      metrics.ejection(b);
      LOG.warn("lb: {} ejected for {} ms ({}, ejection {})", b, e.duration().toMillis(), e.reason(), e.totalEjections());
    }
  }

  /** A backend answered {@code status} after {@code nanos}. */
  void onResponse(BackendRef b, int status, long nanos) {
    onResponse(b, status, nanos, System.nanoTime());
  }

  /** As {@link #onResponse(BackendRef, int, long)}, answered at {@code now}. */
  void onResponse(BackendRef b, int status, long nanos, long now) {
    metrics.response(b, status, nanos);
    onResult(b, OutlierDetector.Result.ofStatus(status), now);
  }

  /** The meters, for {@code /metrics} and {@code /stats}. */
  public LbMetrics metrics() {
    return metrics;
  }

  /** An attempt on {@code b} got no response head within the route's per-try timeout, after {@code nanos}. */
  void onTryTimeout(BackendRef b, long nanos) {
    onResult(b, OutlierDetector.Result.TIMEOUT);
    onComplete(b, nanos);
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
    prober.close();
    for (Channel ch : listeners.values()) {
      ch.close().syncUninterruptibly();
    }
    listeners.clear();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
