package io.mezzo.master.ha;

import io.mezzo.core.ha.MasterDetector;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryOneTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the leading master's {@code HOST:PORT} from ZooKeeper, for clients given
 * {@code zk://HOST:PORT[,HOST:PORT...]/PATH} (Mesos's form; {@code PATH} is the chroot the masters'
 * {@code --zk} names, empty for none): the election's participant with the lowest sequence under
 * {@link LeaderElection#PATH}. Creates nothing in ZooKeeper.
 *
 * <p>As a {@link MasterDetector} (what agents, the load balancer and {@code mezzo services} get through
 * {@link Factory}, registered for {@link java.util.ServiceLoader}) it keeps one ZooKeeper session,
 * opened at the first {@link #detect} and reconnected by Curator across server failures, and answers
 * empty while ZooKeeper cannot be read; {@link #leader} is the one-shot form of the CLI's client
 * commands, with a session of its own. Thread-safe: {@link #detect} calls are serialized; {@link #close}
 * does not wait for them.
 */
public final class ZkMasterDetector implements MasterDetector {
  private static final Logger LOG = LoggerFactory.getLogger(ZkMasterDetector.class);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

  private final String url;
  private final String hosts;
  private final String chroot;
  private volatile CuratorFramework curator;
  private volatile boolean closed;

  private ZkMasterDetector(String url) {
    if (!isZk(url) || url.length() <= "zk://".length()) {
      throw new IllegalArgumentException("master: '" + url + "' (expected: zk://HOST:PORT[,HOST:PORT...][/PATH])");
    }
    String rest = url.substring("zk://".length());
    int slash = rest.indexOf('/');
    this.url = url;
    this.hosts = slash < 0 ? rest : rest.substring(0, slash);
    this.chroot = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+$", "");
    if (hosts.isBlank()) {
      throw new IllegalArgumentException("master: '" + url + "' (expected: zk://HOST:PORT[,HOST:PORT...][/PATH])");
    }
  }

  /** A detector reading {@code zkUrl}; throws naming the value when it is not {@code zk://HOST:PORT...}. */
  public static ZkMasterDetector of(String zkUrl) {
    return new ZkMasterDetector(zkUrl);
  }

  /** Whether {@code spec} is a {@code zk://} address. */
  public static boolean isZk(String spec) {
    return spec != null && spec.startsWith("zk://");
  }

  /** The leader named in ZooKeeper at {@code zkUrl}; empty when none; throws when ZooKeeper cannot be reached. */
  public static Optional<String> leader(String zkUrl, Duration timeout) {
    ZkMasterDetector d = new ZkMasterDetector(zkUrl);
    CuratorFramework curator = d.client(new RetryOneTime(200), timeout,
        Duration.ofMillis(Math.max(timeout.toMillis(), 4000)));
    curator.start();
    try {
      if (!curator.blockUntilConnected((int) timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("zk: cannot connect to " + d.hosts + " within " + timeout.toMillis()
            + " ms (expected: a reachable ZooKeeper)");
      }
      return LeaderElection.readLeader(curator);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the leader from " + zkUrl, e);
    } finally {
      curator.close();
    }
  }

  private CuratorFramework client(org.apache.curator.RetryPolicy retry, Duration connect, Duration session) {
    return CuratorFrameworkFactory.builder()
        .connectString(hosts)
        .namespace(chroot.isEmpty() ? null : chroot)
        .retryPolicy(retry)
        .connectionTimeoutMs((int) connect.toMillis())
        .sessionTimeoutMs((int) session.toMillis())
        .build();
  }

  /** The leader ZooKeeper names now; empty when none does or ZooKeeper cannot be read within a few seconds. */
  @Override
  public synchronized Optional<String> detect() throws InterruptedException {
    if (curator == null && !closed) {
      curator = client(new ExponentialBackoffRetry(100, 2), CONNECT_TIMEOUT, SESSION_TIMEOUT);
      curator.start();
    }
    if (closed) {
      close();
      return Optional.empty();
    }
    if (!curator.blockUntilConnected((int) CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      LOG.info("zk: no connection to {} within {} ms; no leader known", hosts, CONNECT_TIMEOUT.toMillis());
      return Optional.empty();
    }
    try {
      return LeaderElection.readLeader(curator);
    } catch (IllegalStateException e) {
      LOG.info("zk: cannot read the leader from {}: {}", url, e.getMessage());
      return Optional.empty();
    }
  }

  /** Always empty: the leader is read from ZooKeeper. */
  @Override
  public Optional<String> only() {
    return Optional.empty();
  }

  /** Closes the session; a {@link #detect} under way ends soon with an empty answer. Any thread. */
  @Override
  public void close() {
    closed = true;
    CuratorFramework c = curator;
    if (c != null) {
      c.close();
    }
  }

  @Override
  public String toString() {
    return url;
  }

  /** The {@link MasterDetector.Factory} for {@code zk://} specs. */
  public static final class Factory implements MasterDetector.Factory {
    @Override
    public boolean accepts(String spec) {
      return isZk(spec);
    }

    @Override
    public MasterDetector create(String spec) {
      return of(spec);
    }
  }
}
