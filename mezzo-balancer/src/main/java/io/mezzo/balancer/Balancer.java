package io.mezzo.balancer;

import io.mezzo.balancer.discovery.ServicesFeed;
import io.mezzo.balancer.proxy.AccessLog;
import io.mezzo.balancer.proxy.LoadBalancer;
import io.mezzo.core.auth.Access;
import io.mezzo.core.auth.Security;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A whole load balancer: the data plane ({@link LoadBalancer}) fed by discovery from the services API
 * ({@link ServicesFeed}), with draining instances reported idle back to the services scheduler.
 * {@link #close} stops both.
 */
public final class Balancer implements AutoCloseable {
  private final LoadBalancer lb;
  private final ServicesFeed feed;
  private final HttpServer admin;
  private final AccessLog accessLog;
  private final io.mezzo.core.metrics.ProcessMetrics metrics;

  private Balancer(LoadBalancer lb, ServicesFeed feed, HttpServer admin, AccessLog accessLog,
      io.mezzo.core.metrics.ProcessMetrics metrics) {
    this.metrics = metrics;
    this.lb = lb;
    this.feed = feed;
    this.admin = admin;
    this.accessLog = accessLog;
  }

  /**
   * Starts a balancer following the services API at {@code servicesHostPort}, listening on
   * {@code bindHost} with {@code sharedHttpPort} for vhost and path routes, exposing the apps of
   * {@code group} (null: every app).
   */
  public static Balancer start(String servicesHostPort, String bindHost, int sharedHttpPort, String group) {
    return start(servicesHostPort, bindHost, sharedHttpPort, group, -1);
  }

  /**
   * As {@link #start(String, String, int, String)}, with an admin HTTP server on {@code adminPort}
   * ({@code 0}: any free port; negative: none) serving {@code /metrics} (Prometheus text: the
   * {@code mezzo_lb_*} series, then the JVM's),
   * {@code /stats} (JSON, per route and backend) and {@code /health}.
   */
  public static Balancer start(String servicesHostPort, String bindHost, int sharedHttpPort, String group,
      int adminPort) {
    return start(servicesHostPort, bindHost, sharedHttpPort, group, adminPort, null);
  }

  /**
   * As {@link #start(String, String, int, String, int)}, writing an access log line per request to
   * {@code accessLog} (a file path, {@code -} for standard output, null for none; see {@link AccessLog}).
   *
   * @throws IllegalArgumentException naming the path when the access log cannot be opened
   */
  public static Balancer start(String servicesHostPort, String bindHost, int sharedHttpPort, String group,
      int adminPort, String accessLog) {
    return start(servicesHostPort, bindHost, sharedHttpPort, group, adminPort, accessLog, Security.NONE,
        io.mezzo.core.auth.Caller.NONE);
  }

  /**
   * As {@link #start(String, String, int, String, int, String)}, checking callers of the admin server
   * against {@code security} ({@code /health} stays open, {@code /metrics} and {@code /stats} need the
   * viewer level) and calling the services API as {@code services} (an operator principal's secret;
   * TLS if it speaks it).
   */
  public static Balancer start(String servicesHostPort, String bindHost, int sharedHttpPort, String group,
      int adminPort, String accessLog, Security security, io.mezzo.core.auth.Caller services) {
    if (adminPort >= 0) {
      security.checkBind(bindHost, adminPort);
    }
    LoadBalancer.Config config = new LoadBalancer.Config(bindHost, sharedHttpPort, 0, Duration.ofSeconds(2));
    AccessLog log = accessLog == null ? null : AccessLog.open(accessLog);
    ServicesFeed[] feed = new ServicesFeed[1];
    LoadBalancer lb = LoadBalancer.start(config, id -> feed[0].reportDrained(id), log);
    feed[0] = new ServicesFeed(servicesHostPort, services, sharedHttpPort, group, lb::apply);
    feed[0].start();
    HttpServer admin = null;
    io.mezzo.core.metrics.ProcessMetrics metrics = null;
    if (adminPort >= 0) {
      // /metrics: the per-route and per-backend series (LbMetrics), then the JVM's (tagged mezzo_component="lb")
      metrics = io.mezzo.core.metrics.ProcessMetrics.create("lb");
      metrics.appendText(lb.metrics()::prometheus);
      HttpServer.Builder b = HttpServer.builder();
      metrics.route(b);
      admin = b.bind(bindHost, adminPort).name("lb-admin").security(security)
          .route("GET", "/stats", Access.VIEWER, req -> CompletableFuture.completedFuture(HttpResponse.json(200, lb.metrics().stats())))
          .route("GET", "/health", Access.PUBLIC, req -> CompletableFuture.completedFuture(HttpResponse.text(200, "ok")))
          .start();
    }
    return new Balancer(lb, feed[0], admin, log, metrics);
  }

  /** The admin server's route table (empty without one). */
  public java.util.List<HttpServer.Route> adminRoutes() {
    return admin == null ? java.util.List.of() : admin.routes();
  }

  /** The admin server's port, or -1 without one. */
  public int adminPort() {
    return admin == null ? -1 : admin.port();
  }

  public LoadBalancer loadBalancer() {
    return lb;
  }

  @Override
  public void close() {
    if (admin != null) {
      admin.close();
    }
    if (metrics != null) {
      metrics.close();
    }
    feed.close();
    lb.close();
    if (accessLog != null) {
      accessLog.close();
    }
  }
}
