package io.mezzo.cli;

import io.mezzo.autoscaler.runtime.AutoscalerLoop;
import io.mezzo.autoscaler.runtime.MetricsGatherer;
import io.mezzo.core.http.HttpServer;
import io.mezzo.services.api.EventBus;
import io.mezzo.services.api.V2Api;
import io.mezzo.services.scheduler.ServicesConfig;
import io.mezzo.services.scheduler.ServicesScheduler;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The services scheduler as a part of a process: its {@code /v2} routes go onto an HTTP server
 * first ({@link #routes}), answering 503 until {@link #start} has recovered the stored state and
 * begun subscribing to the master. Used by {@code mezzo up}, {@code mezzo master} and
 * {@code mezzo services}. Given load balancer stats addresses, it also runs the autoscaler
 * ({@link AutoscalerLoop}, {@code /v1/autoscaler}) with the scheduler, so that it moves with it, and
 * serves those balancers' {@code /stats} for the dashboard ({@link BalancersApi}, {@code /v1/balancers}).
 * Given the process's meters ({@link #metrics}), both bind theirs there (the process serves {@code /metrics}).
 */
final class ServicesHost implements AutoCloseable {
  private final Clock clock = Clock.systemUTC();
  private final EventBus events = new EventBus(clock);
  private final V2Api api = new V2Api(events, clock, new PolicyValidator());
  private final ScheduledExecutorService keepAlive = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "services-events-keepalive");
    t.setDaemon(true);
    return t;
  });
  private ServicesScheduler scheduler;
  private final List<String> lbStats;
  private volatile AutoscalerLoop autoscaler;
  /** The process's meters the scheduler's and the autoscaler's are bound to at {@link #start}; null: none. */
  private volatile io.mezzo.core.metrics.ProcessMetrics metrics;
  /** The client {@code GET /v1/balancers} reads the load balancers with; set by {@link #start}. */
  private volatile io.mezzo.core.http.JsonClient balancers;

  ServicesHost() {
    this(List.of());
  }

  /** A host whose autoscaler reads the load balancers' {@code /stats} at {@code lbStats} (empty: no autoscaler). */
  ServicesHost(List<String> lbStats) {
    for (String a : lbStats) {
      int colon = a.lastIndexOf(':');
      if (colon <= 0 || !a.substring(colon + 1).matches("[0-9]{1,5}")) {
        throw new IllegalArgumentException("--lb-stats: \"" + a + "\" (expected: HOST:PORT[,HOST:PORT...])");
      }
    }
    this.lbStats = List.copyOf(lbStats);
  }

  /** Binds the scheduler's and the autoscaler's meters to {@code m} when they start; before {@link #start}. */
  void metrics(io.mezzo.core.metrics.ProcessMetrics m) {
    metrics = m;
  }

  void routes(HttpServer.Builder b) {
    api.routes(b);
    AutoscalerLoop.routes(b, () -> autoscaler);
    BalancersApi.routes(b, lbStats, () -> balancers);
  }

  /**
   * Starts the scheduler against the master at {@code masterHostPort} with its state in
   * {@code zkConnect}; {@code leader} is the address the API reports as its own.
   */
  void start(String masterHostPort, String zkConnect, String leader) {
    start(masterHostPort, zkConnect, leader, null, io.mezzo.core.auth.Caller.NONE);
  }

  /**
   * As {@link #start(String, String, String)}, the scheduler subscribing as {@code principal} (null:
   * none) and the scheduler and autoscaler calling the master, the services API and the load
   * balancers as {@code caller}.
   */
  void start(String masterHostPort, String zkConnect, String leader, String principal,
      io.mezzo.core.auth.Caller caller) {
    scheduler = ServicesScheduler.start(ServicesConfig.defaults(masterHostPort, zkConnect), events, clock, principal,
        caller);
    api.bind(scheduler, leader);
    io.mezzo.core.metrics.ProcessMetrics m = metrics;
    if (m != null) {
      io.mezzo.services.scheduler.ServicesMeters.bind(scheduler, m);
    }
    keepAlive.scheduleWithFixedDelay(events::keepAlive, 15, 15, TimeUnit.SECONDS);
    balancers = BalancersApi.client(caller);
    if (!lbStats.isEmpty()) {
      // The master's task usage is read from the leading master: the one given, or the one leading
      // now among several or in ZooKeeper (detected at each gathering).
      boolean oneMaster = !masterHostPort.contains(",") && !masterHostPort.contains("://");
      java.util.function.Supplier<String> masterNow;
      if (oneMaster) {
        masterNow = () -> masterHostPort;
      } else {
        detector = io.mezzo.core.ha.MasterDetector.of(masterHostPort);
        io.mezzo.core.ha.MasterDetector d = detector;
        masterNow = () -> {
          try {
            return d.detect().orElse(null);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
          }
        };
      }
      AutoscalerLoop loop = new AutoscalerLoop(caller.uri(leader, ""), caller,
          new MetricsGatherer(lbStats, masterNow, Duration.ofSeconds(2), caller),
          fields -> events.publish(AutoscalerLoop.EVENT_TYPE, fields), clock);
      if (m != null) {
        loop.bindMetrics(m.registry());
      }
      loop.start();
      autoscaler = loop;
    }
  }

  /** Finds the leading master for the autoscaler's usage metrics, given several masters; else null. */
  private io.mezzo.core.ha.MasterDetector detector;

  @Override
  public void close() {
    if (autoscaler != null) {
      autoscaler.close();
    }
    if (detector != null) {
      detector.close();
    }
    keepAlive.shutdownNow();
    if (scheduler != null) {
      scheduler.close();
    }
  }

  /** The address to reach a server bound to {@code ip}:{@code port} from this machine. */
  static String local(String ip, int port) {
    return (ip.equals("0.0.0.0") || ip.equals("::") ? "127.0.0.1" : ip) + ":" + port;
  }
}
