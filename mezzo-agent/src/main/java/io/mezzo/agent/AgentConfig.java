package io.mezzo.agent;

import io.mezzo.core.model.Resources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one agent runs. Validated when built (every error names the field, the bad value and what was
 * expected) and immutable afterwards, so a running agent never sees its configuration change.
 *
 * @param masterHostPort the master's {@code HOST:PORT}, such as {@code 127.0.0.1:5050}, or several masters'
 *     {@code HOST:PORT,HOST:PORT,...} (the agent finds the leader among them), or {@code zk://HOST:PORT,.../PATH}
 *     (the leader read from ZooKeeper, by the detector the {@code mezzo} jar carries; see
 *     {@link io.mezzo.core.ha.MasterDetector})
 * @param bindHost the address the agent's HTTP server listens on
 * @param port the agent's HTTP port; 0 picks a free one (see {@link Agent#port()})
 * @param workDir where sandboxes and the agent id live; made absolute and normalized here
 * @param resources what the agent offers; {@code null} means detect them at start
 * @param hostname the host name advertised to the master and given to tasks as {@code HOST};
 *     {@code null} means the bind address (or {@code 127.0.0.1} when binding to every address)
 * @param statusRetryInterval how often an unacknowledged status update is sent again; {@code null}
 *     means {@link #DEFAULT_STATUS_RETRY_INTERVAL}
 * @param killGracePeriod SIGTERM to SIGKILL delay when a KILL carries none, and on {@link Agent#close()};
 *     {@code null} means {@link #DEFAULT_KILL_GRACE_PERIOD}
 * @param gcDelay how long the sandbox of a task the agent no longer tracks is kept (shortened under
 *     disk pressure, see {@link io.mezzo.agent.gc.SandboxGc}); {@code null} means {@link #DEFAULT_GC_DELAY}
 */
public record AgentConfig(
    String masterHostPort,
    String bindHost,
    int port,
    Path workDir,
    Resources resources,
    String hostname,
    Duration statusRetryInterval,
    Duration killGracePeriod,
    Duration gcDelay) {

  public static final Duration DEFAULT_STATUS_RETRY_INTERVAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_KILL_GRACE_PERIOD = Duration.ofSeconds(3);
  /** One week, as Mesos's {@code --gc_delay}. */
  public static final Duration DEFAULT_GC_DELAY = Duration.ofDays(7);

  private static final Pattern HOST_PORT = Pattern.compile("([^:/\\s]+|\\[[0-9a-fA-F:.]+\\]):(\\d{1,5})");

  public AgentConfig {
    if (masterHostPort == null) {
      throw new IllegalArgumentException("masterHostPort: missing (expected: HOST:PORT, such as 127.0.0.1:5050)");
    }
    if (masterHostPort.contains("://")) { // zk://...: checked by the detector that reads it
      try (io.mezzo.core.ha.MasterDetector d = io.mezzo.core.ha.MasterDetector.of(masterHostPort)) {
        // a well-formed spec: its session opens only when the link first asks who leads
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("masterHostPort: " + e.getMessage().replaceFirst("^master: ", ""), e);
      }
    }
    for (String one : masterHostPort.contains("://") ? new String[0] : masterHostPort.split(",", -1)) {
      Matcher m = HOST_PORT.matcher(one);
      if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
        throw new IllegalArgumentException("masterHostPort: '" + masterHostPort
            + "' (expected: HOST:PORT[,HOST:PORT...] with PORT in 1..65535, such as 127.0.0.1:5050)");
      }
    }
    if (bindHost == null || bindHost.isBlank()) {
      throw new IllegalArgumentException("bindHost: '" + bindHost + "' (expected: an address to listen on, such as 127.0.0.1)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    if (workDir == null) {
      throw new IllegalArgumentException("workDir: missing (expected: a directory for sandboxes)");
    }
    workDir = workDir.toAbsolutePath().normalize();
    if (hostname == null) {
      hostname = bindHost.equals("0.0.0.0") || bindHost.equals("::") ? "127.0.0.1" : bindHost;
    } else if (hostname.isBlank()) {
      throw new IllegalArgumentException("hostname: '" + hostname + "' (expected: a host name or address, or null for the bind address)");
    }
    if (statusRetryInterval == null) {
      statusRetryInterval = DEFAULT_STATUS_RETRY_INTERVAL;
    } else if (statusRetryInterval.isNegative() || statusRetryInterval.toMillis() < 1) {
      throw new IllegalArgumentException("statusRetryInterval: " + statusRetryInterval + " (expected: >= 1 ms)");
    }
    if (killGracePeriod == null) {
      killGracePeriod = DEFAULT_KILL_GRACE_PERIOD;
    } else if (killGracePeriod.isNegative()) {
      throw new IllegalArgumentException("killGracePeriod: " + killGracePeriod + " (expected: >= 0)");
    }
    if (gcDelay == null) {
      gcDelay = DEFAULT_GC_DELAY;
    } else if (gcDelay.isNegative()) {
      throw new IllegalArgumentException("gcDelay: " + gcDelay + " (expected: >= 0)");
    }
  }

  /**
   * An agent on {@code 127.0.0.1} with an ephemeral port, detected resources and the default retry
   * and grace periods.
   */
  public static AgentConfig defaults(String masterHostPort, Path workDir) {
    return new AgentConfig(masterHostPort, "127.0.0.1", 0, workDir, null, "127.0.0.1",
        DEFAULT_STATUS_RETRY_INTERVAL, DEFAULT_KILL_GRACE_PERIOD, DEFAULT_GC_DELAY);
  }

  public AgentConfig withPort(int newPort) {
    return new AgentConfig(masterHostPort, bindHost, newPort, workDir, resources, hostname, statusRetryInterval, killGracePeriod, gcDelay);
  }

  public AgentConfig withResources(Resources newResources) {
    return new AgentConfig(masterHostPort, bindHost, port, workDir, newResources, hostname, statusRetryInterval, killGracePeriod, gcDelay);
  }

  public AgentConfig withStatusRetryInterval(Duration interval) {
    return new AgentConfig(masterHostPort, bindHost, port, workDir, resources, hostname, interval, killGracePeriod, gcDelay);
  }

  public AgentConfig withKillGracePeriod(Duration grace) {
    return new AgentConfig(masterHostPort, bindHost, port, workDir, resources, hostname, statusRetryInterval, grace, gcDelay);
  }

  public AgentConfig withGcDelay(Duration delay) {
    return new AgentConfig(masterHostPort, bindHost, port, workDir, resources, hostname, statusRetryInterval, killGracePeriod, delay);
  }
}
