package io.mezzo.master;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a master runs; validated when built, fixed once the master starts.
 *
 * @param bindHost address the HTTP API listens on
 * @param port HTTP port (0 picks a free one)
 * @param workDir where the master keeps local files (the embedded ZooKeeper's data)
 * @param zkConnect a ZooKeeper connect string, or null to run an embedded ZooKeeper in {@code workDir}
 * @param hostname the name put in offers' and state's {@code hostname}
 * @param agentHeartbeatInterval how often agents must heartbeat (Mesos: agent_ping_timeout, 15 s)
 * @param maxMissedHeartbeats heartbeats an agent may miss before it is unreachable (Mesos: 5)
 * @param frameworkHeartbeatInterval how often frameworks get a HEARTBEAT event (Mesos: 15 s)
 * @param allocationInterval how often a batch allocation runs (Mesos: 1 s)
 * @param killGracePeriod time between SIGTERM and SIGKILL when a task is killed (unless the task or the
 *     KILL call carries a kill policy)
 * @param offerTimeout how long an offer may stay unused before it is rescinded
 */
public record MasterConfig(
    String bindHost,
    int port,
    Path workDir,
    String zkConnect,
    String hostname,
    Duration agentHeartbeatInterval,
    int maxMissedHeartbeats,
    Duration frameworkHeartbeatInterval,
    Duration allocationInterval,
    Duration killGracePeriod,
    Duration offerTimeout) {

  /** Mesos's default offer timeout is none; Mezzo rescinds unused offers after a minute. */
  public static final Duration DEFAULT_OFFER_TIMEOUT = Duration.ofSeconds(60);

  public MasterConfig(String bindHost, int port, Path workDir, String zkConnect, String hostname,
      Duration agentHeartbeatInterval, int maxMissedHeartbeats, Duration frameworkHeartbeatInterval,
      Duration allocationInterval, Duration killGracePeriod) {
    this(bindHost, port, workDir, zkConnect, hostname, agentHeartbeatInterval, maxMissedHeartbeats,
        frameworkHeartbeatInterval, allocationInterval, killGracePeriod, DEFAULT_OFFER_TIMEOUT);
  }

  public MasterConfig {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    if (workDir == null) {
      throw new IllegalArgumentException("work-dir: missing (expected: a directory)");
    }
    requirePositive("agent-heartbeat-interval", agentHeartbeatInterval);
    requirePositive("framework-heartbeat-interval", frameworkHeartbeatInterval);
    requirePositive("allocation-interval", allocationInterval);
    requirePositive("kill-grace-period", killGracePeriod);
    requirePositive("offer-timeout", offerTimeout);
    if (maxMissedHeartbeats < 1) {
      throw new IllegalArgumentException("max-missed-heartbeats: " + maxMissedHeartbeats + " (expected: >= 1)");
    }
    if (hostname == null || hostname.isBlank()) {
      hostname = bindHost;
    }
  }

  /** Mesos-like defaults: port 5050, 15 s heartbeats, 5 misses, 1 s allocation, 3 s kill grace. */
  public static MasterConfig defaults(Path workDir) {
    return new MasterConfig("127.0.0.1", 5050, workDir, null, "127.0.0.1", Duration.ofSeconds(15), 5,
        Duration.ofSeconds(15), Duration.ofSeconds(1), Duration.ofSeconds(3));
  }

  public MasterConfig withOfferTimeout(Duration timeout) {
    return new MasterConfig(bindHost, port, workDir, zkConnect, hostname, agentHeartbeatInterval, maxMissedHeartbeats,
        frameworkHeartbeatInterval, allocationInterval, killGracePeriod, timeout);
  }

  /** How long an agent may be silent before it is marked unreachable. */
  public Duration agentTimeout() {
    return agentHeartbeatInterval.multipliedBy(maxMissedHeartbeats);
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
    }
  }
}
