package io.mezzo.balancer.bench;

import io.mezzo.balancer.discovery.BackendInstance;
import io.mezzo.balancer.discovery.Discovered;
import io.mezzo.balancer.proxy.LoadBalancer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * For {@code bench/lb}: Mezzo's load balancer with a fixed route (no master): listens on PORT and
 * balances round robin over the backend ports given, until killed.
 *
 * <pre>java ... StaticLb PORT BACKEND_PORT...</pre>
 */
public final class StaticLb {
  private StaticLb() {}

  public static void main(String[] args) throws InterruptedException {
    int port = Integer.parseInt(args[0]);
    List<BackendInstance> backends = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      backends.add(new BackendInstance("b" + i, "/bench", "127.0.0.1", List.of(Integer.parseInt(args[i])), true, false));
    }
    LoadBalancer lb = LoadBalancer.start(new LoadBalancer.Config("127.0.0.1", 1, 0, Duration.ofSeconds(2)), id -> { });
    lb.apply(Discovered.of(List.of(new Discovered.App("/bench", Map.of("MEZZO_LB_PORT_0", String.valueOf(port)),
        List.of(0), backends)), 1, null));
    System.out.println("static lb on " + port + " (" + (LoadBalancer.epoll() ? "epoll" : "nio") + ")");
    new CountDownLatch(1).await();
  }
}
