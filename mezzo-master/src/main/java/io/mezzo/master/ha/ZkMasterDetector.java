package io.mezzo.master.ha;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;

/**
 * Reads the leading master's {@code HOST:PORT} from ZooKeeper, for clients given
 * {@code zk://HOST:PORT[,HOST:PORT...]/PATH} (Mesos's form; {@code PATH} is the chroot the masters'
 * {@code --zk} names, empty for none): the election's participant with the lowest sequence under
 * {@link LeaderElection#PATH}. One short-lived ZooKeeper session per call; creates nothing.
 */
public final class ZkMasterDetector {
  private ZkMasterDetector() {}

  /** Whether {@code spec} is a {@code zk://} address. */
  public static boolean isZk(String spec) {
    return spec != null && spec.startsWith("zk://");
  }

  /** The leader named in ZooKeeper at {@code zkUrl}; empty when none; throws when ZooKeeper cannot be reached. */
  public static Optional<String> leader(String zkUrl, Duration timeout) {
    if (!isZk(zkUrl) || zkUrl.length() <= "zk://".length()) {
      throw new IllegalArgumentException("master: '" + zkUrl + "' (expected: zk://HOST:PORT[,HOST:PORT...][/PATH])");
    }
    String rest = zkUrl.substring("zk://".length());
    int slash = rest.indexOf('/');
    String hosts = slash < 0 ? rest : rest.substring(0, slash);
    String chroot = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+$", "");
    CuratorFramework curator = CuratorFrameworkFactory.builder()
        .connectString(hosts)
        .namespace(chroot.isEmpty() ? null : chroot)
        .retryPolicy(new RetryOneTime(200))
        .connectionTimeoutMs((int) timeout.toMillis())
        .sessionTimeoutMs((int) Math.max(timeout.toMillis(), 4000))
        .build();
    curator.start();
    try {
      if (!curator.blockUntilConnected((int) timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("zk: cannot connect to " + hosts + " within " + timeout.toMillis()
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
}
