package io.mezzo.balancer.discovery;

import java.util.List;
import java.util.Objects;

/**
 * One instance of an app as the load balancer sees it: where it listens and whether it may get new
 * traffic. {@code serving} is true when it runs, is not draining and passes its health check (when
 * the app has one). Immutable.
 */
public record BackendInstance(String instanceId, String appId, String host, List<Integer> ports, boolean serving,
    boolean draining) {
  public BackendInstance {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(appId, "appId");
    ports = List.copyOf(ports);
  }
}
