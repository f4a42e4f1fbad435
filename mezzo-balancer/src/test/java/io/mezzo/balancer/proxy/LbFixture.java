package io.mezzo.balancer.proxy;

import io.mezzo.balancer.discovery.BackendInstance;
import io.mezzo.balancer.discovery.Discovered;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real load balancer on loopback for the proxy tests, fed routing state directly, with what to close
 * after the test; the instances it is given are the tests' own servers.
 */
final class LbFixture implements AutoCloseable {
  final List<AutoCloseable> closing = new ArrayList<>();
  final List<String> drained = new CopyOnWriteArrayList<>();
  final int sharedPort;
  final LoadBalancer lb;

  LbFixture() throws IOException {
    this(null);
  }

  LbFixture(AccessLog accessLog) throws IOException {
    sharedPort = freePort();
    lb = LoadBalancer.start(new LoadBalancer.Config("127.0.0.1", sharedPort, 2, Duration.ofSeconds(1)), drained::add,
        accessLog);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  <T extends AutoCloseable> T closeLater(T c) {
    closing.add(c);
    return c;
  }

  static BackendInstance instance(String id, int port, boolean serving, boolean draining) {
    return new BackendInstance(id, "/web", "127.0.0.1", List.of(port), serving, draining);
  }

  /** Routes app {@code /web} by {@code labels} to {@code instances}. */
  void route(Map<String, String> labels, BackendInstance... instances) {
    lb.apply(Discovered.of(List.of(new Discovered.App("/web", labels, List.of(0), Arrays.asList(instances))),
        sharedPort, null));
  }

  @Override
  public void close() throws Exception {
    lb.close();
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }
}
