package io.mezzo.balancer;

import io.mezzo.balancer.discovery.ServicesFeed;
import io.mezzo.balancer.proxy.LoadBalancer;
import java.time.Duration;

/**
 * A whole load balancer: the data plane ({@link LoadBalancer}) fed by discovery from the services API
 * ({@link ServicesFeed}), with draining instances reported idle back to the services scheduler.
 * {@link #close} stops both.
 */
public final class Balancer implements AutoCloseable {
  private final LoadBalancer lb;
  private final ServicesFeed feed;

  private Balancer(LoadBalancer lb, ServicesFeed feed) {
    this.lb = lb;
    this.feed = feed;
  }

  /**
   * Starts a balancer following the services API at {@code servicesHostPort}, listening on
   * {@code bindHost} with {@code sharedHttpPort} for vhost and path routes, exposing the apps of
   * {@code group} (null: every app).
   */
  public static Balancer start(String servicesHostPort, String bindHost, int sharedHttpPort, String group) {
    LoadBalancer.Config config = new LoadBalancer.Config(bindHost, sharedHttpPort, 0, Duration.ofSeconds(2));
    ServicesFeed[] feed = new ServicesFeed[1];
    LoadBalancer lb = LoadBalancer.start(config, id -> feed[0].reportDrained(id));
    feed[0] = new ServicesFeed(servicesHostPort, sharedHttpPort, group, lb::apply);
    feed[0].start();
    return new Balancer(lb, feed[0]);
  }

  public LoadBalancer loadBalancer() {
    return lb;
  }

  @Override
  public void close() {
    feed.close();
    lb.close();
  }
}
