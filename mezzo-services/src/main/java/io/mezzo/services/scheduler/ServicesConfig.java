package io.mezzo.services.scheduler;

import java.time.Duration;
import java.util.Objects;

/**
 * How the services scheduler runs; validated when built.
 *
 * @param masterHostPort the master whose scheduler API it subscribes to ({@code host:port})
 * @param zkConnect the ZooKeeper ensemble holding its state
 * @param zkRoot the znode under which its state lives ({@code /mezzo/services})
 * @param frameworkName the framework's name (Marathon's is {@code marathon})
 * @param user the user tasks run as (the agents decide what that means)
 * @param role the role apps without their own {@code role} use
 * @param failoverTimeout how long the master keeps its tasks while it is away
 * @param tick how often instance counts, deployments and drains are re-evaluated
 * @param reconcileInterval how often it asks the master for the state of every instance
 * @param defaultDrain how long a removed instance drains before it is killed, unless the app's
 *     {@code mezzo.drain.seconds} label says otherwise
 */
public record ServicesConfig(
    String masterHostPort,
    String zkConnect,
    String zkRoot,
    String frameworkName,
    String user,
    String role,
    Duration failoverTimeout,
    Duration tick,
    Duration reconcileInterval,
    Duration defaultDrain) {

  public static final String DEFAULT_ROOT = "/mezzo/services";

  public ServicesConfig {
    Objects.requireNonNull(masterHostPort, "masterHostPort");
    Objects.requireNonNull(zkConnect, "zkConnect");
    if (!zkRoot.startsWith("/")) {
      throw new IllegalArgumentException("zk-root: '" + zkRoot + "' (expected: an absolute znode path)");
    }
    if (tick.isNegative() || tick.isZero()) {
      throw new IllegalArgumentException("tick: " + tick + " (expected: > 0)");
    }
  }

  /** The defaults for a master at {@code masterHostPort} with state in {@code zkConnect}. */
  public static ServicesConfig defaults(String masterHostPort, String zkConnect) {
    return new ServicesConfig(masterHostPort, zkConnect, DEFAULT_ROOT, "mezzo-services",
        System.getProperty("user.name", "root"), "*", Duration.ofDays(7), Duration.ofMillis(500),
        Duration.ofSeconds(30), Duration.ofSeconds(5));
  }
}
