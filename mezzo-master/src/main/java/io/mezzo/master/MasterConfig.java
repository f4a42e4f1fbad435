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
 * @param agentReregisterTimeout how long an agent known from ZooKeeper (admitted before this master
 *     was elected) may take to reregister before it is marked unreachable (Mesos:
 *     agent_reregister_timeout, 10 min): a failover must not turn into a mass kill
 * @param zkSessionTimeout the ZooKeeper session timeout: how soon a dead leader's election node goes
 *     away (Mesos: zk_session_timeout, 10 s)
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
    Duration offerTimeout,
    Duration agentReregisterTimeout,
    Duration zkSessionTimeout) {

  /** Mesos's default offer timeout is none; Mezzo rescinds unused offers after a minute. */
  public static final Duration DEFAULT_OFFER_TIMEOUT = Duration.ofSeconds(60);
  /** Mesos's agent_reregister_timeout. */
  public static final Duration DEFAULT_AGENT_REREGISTER_TIMEOUT = Duration.ofMinutes(10);
  /** Mesos's zk_session_timeout. */
  public static final Duration DEFAULT_ZK_SESSION_TIMEOUT = Duration.ofSeconds(10);

  public MasterConfig(String bindHost, int port, Path workDir, String zkConnect, String hostname,
      Duration agentHeartbeatInterval, int maxMissedHeartbeats, Duration frameworkHeartbeatInterval,
      Duration allocationInterval, Duration killGracePeriod, Duration offerTimeout) {
    this(bindHost, port, workDir, zkConnect, hostname, agentHeartbeatInterval, maxMissedHeartbeats,
        frameworkHeartbeatInterval, allocationInterval, killGracePeriod, offerTimeout,
        DEFAULT_AGENT_REREGISTER_TIMEOUT, DEFAULT_ZK_SESSION_TIMEOUT);
  }

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
    requirePositive("agent-reregister-timeout", agentReregisterTimeout);
    requirePositive("zk-session-timeout", zkSessionTimeout);
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
        frameworkHeartbeatInterval, allocationInterval, killGracePeriod, timeout, agentReregisterTimeout,
        zkSessionTimeout);
  }

  /** This config with the given agent reregistration timeout and ZooKeeper session timeout. */
  public MasterConfig withFailover(Duration reregisterTimeout, Duration sessionTimeout) {
    return new MasterConfig(bindHost, port, workDir, zkConnect, hostname, agentHeartbeatInterval, maxMissedHeartbeats,
        frameworkHeartbeatInterval, allocationInterval, killGracePeriod, offerTimeout, reregisterTimeout,
        sessionTimeout);
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
