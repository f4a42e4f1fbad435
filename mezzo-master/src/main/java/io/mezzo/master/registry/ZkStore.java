package io.mezzo.master.registry;

import io.mezzo.core.json.Json;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.AgentInfo;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.model.Resource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;

/**
 * The master's hard state in ZooKeeper, through Curator: admitted agents under
 * {@code /mezzo/agents/<id>} and subscribed frameworks under {@code /mezzo/frameworks/<id>}, each
 * node holding the JSON it was admitted with. Writes are synchronous: a caller acknowledges an
 * admission only after the write returned. Thread-safe (Curator is).
 */
public final class ZkStore implements AutoCloseable {
  private static final String AGENTS = "/mezzo/agents";
  private static final String FRAMEWORKS = "/mezzo/frameworks";
  private static final String RESERVATIONS = "/mezzo/reservations";
  private static final String ROOT = "/mezzo";

  private final CuratorFramework curator;

  private ZkStore(CuratorFramework curator) {
    this.curator = curator;
  }

  /** Connects to {@code connectString}, waiting up to {@code timeoutMs} for the first connection. */
  public static ZkStore connect(String connectString, int timeoutMs) {
    return connect(connectString, timeoutMs, 30_000);
  }

  /**
   * Connects with a session of {@code sessionTimeoutMs} (the server bounds it to 2..20 ticks). A
   * chroot in the connect string ({@code zk1:2181,zk2:2181/mezzo}) becomes Curator's namespace, so
   * that it is created when missing. A suspended connection does not count as a lost session (the
   * leader election decides how long a suspension may last).
   */
  public static ZkStore connect(String connectString, int timeoutMs, int sessionTimeoutMs) {
    int slash = connectString.indexOf('/');
    String hosts = slash < 0 ? connectString : connectString.substring(0, slash);
    String chroot = slash < 0 ? "" : connectString.substring(slash + 1).replaceAll("/+$", "");
    CuratorFramework curator = CuratorFrameworkFactory.builder()
        .connectString(hosts)
        .namespace(chroot.isEmpty() ? null : chroot)
        .retryPolicy(new ExponentialBackoffRetry(200, 10, 5000))
        .sessionTimeoutMs(sessionTimeoutMs)
        .connectionTimeoutMs(timeoutMs)
        .connectionStateErrorPolicy(new org.apache.curator.framework.state.SessionConnectionStateErrorPolicy())
        .build();
    curator.start();
    try {
      if (!curator.blockUntilConnected(timeoutMs, TimeUnit.MILLISECONDS)) {
        curator.close();
        throw new IllegalStateException(
            "zk: cannot connect to " + connectString + " within " + timeoutMs + " ms (expected: a reachable ZooKeeper)");
      }
      for (String path : List.of(AGENTS, FRAMEWORKS, RESERVATIONS)) {
        try {
          curator.create().creatingParentsIfNeeded().forPath(path);
        } catch (KeeperException.NodeExistsException e) {
          // created earlier: nothing to do
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      curator.close();
      throw new IllegalStateException("interrupted while connecting to ZooKeeper", e);
    } catch (Exception e) {
      curator.close();
      throw new IllegalStateException("zk: cannot prepare " + connectString + ": " + e.getMessage(), e);
    }
    return new ZkStore(curator);
  }

  public void putAgent(AgentInfo info) {
    put(AGENTS + "/" + info.id().value(), Json.write(info));
  }

  /**
   * Writes an agent's admission without blocking the caller; the future completes once ZooKeeper
   * has it (or fails with a {@link StoreException}), on a Curator thread.
   */
  public CompletableFuture<Void> putAgentAsync(AgentInfo info) {
    String path = AGENTS + "/" + info.id().value();
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      curator.create().orSetData().inBackground((client, event) -> {
        if (event.getResultCode() == KeeperException.Code.OK.intValue()) {
          done.complete(null);
        } else {
          done.completeExceptionally(new StoreException("zk: cannot write " + path + ": "
              + KeeperException.Code.get(event.getResultCode()), null));
        }
      }).forPath(path, Json.write(info));
    } catch (Exception e) {
      done.completeExceptionally(new StoreException("zk: cannot write " + path + ": " + e, e));
    }
    return done;
  }

  /** Replaces the dynamic reservations recorded for {@code agent} (an empty list removes them). */
  public void putReservations(AgentId agent, List<Resource> reserved) {
    String path = RESERVATIONS + "/" + agent.value();
    if (reserved.isEmpty()) {
      delete(path);
    } else {
      put(path, Json.write(reserved));
    }
  }

  /** Every agent's dynamic reservations. */
  public Map<AgentId, List<Resource>> reservations() {
    Map<AgentId, List<Resource>> out = new HashMap<>();
    try {
      for (String child : curator.getChildren().forPath(RESERVATIONS)) {
        byte[] data = curator.getData().forPath(RESERVATIONS + "/" + child);
        out.put(new AgentId(child), List.of(Json.read(data, Resource[].class)));
      }
      return out;
    } catch (Exception e) {
      throw new StoreException("zk: cannot read " + RESERVATIONS + ": " + e, e);
    }
  }

  public List<AgentInfo> agents() {
    return readAll(AGENTS, AgentInfo.class);
  }

  public void removeAgent(AgentId id) {
    delete(AGENTS + "/" + id.value());
  }

  public void putFramework(FrameworkInfo info) {
    put(FRAMEWORKS + "/" + info.id().value(), Json.write(info));
  }

  public List<FrameworkInfo> frameworks() {
    return readAll(FRAMEWORKS, FrameworkInfo.class);
  }

  public void removeFramework(FrameworkId id) {
    delete(FRAMEWORKS + "/" + id.value());
  }

  /**
   * Writes {@code value} as JSON under {@code /mezzo/<section>/<key>}, creating the section: for hard
   * state owned by other parts of the master (operator maintenance orders, quotas, weights).
   */
  public void putRecord(String section, String key, Object value) {
    String path = ROOT + "/" + section + "/" + key;
    try {
      curator.create().orSetData().creatingParentsIfNeeded().forPath(path, Json.write(value));
    } catch (Exception e) {
      throw new StoreException("zk: cannot write " + path + ": " + e, e);
    }
  }

  public void removeRecord(String section, String key) {
    delete(ROOT + "/" + section + "/" + key);
  }

  /** Every record of {@code section} by key; empty when the section was never written. */
  public <T> java.util.Map<String, T> records(String section, Class<T> type) {
    String parent = ROOT + "/" + section;
    java.util.Map<String, T> out = new java.util.LinkedHashMap<>();
    try {
      if (curator.checkExists().forPath(parent) == null) {
        return out;
      }
      for (String child : curator.getChildren().forPath(parent)) {
        out.put(child, Json.read(curator.getData().forPath(parent + "/" + child), type));
      }
      return out;
    } catch (Exception e) {
      throw new StoreException("zk: cannot read " + parent + ": " + e, e);
    }
  }

  private void put(String path, byte[] data) {
    try {
      try {
        curator.create().forPath(path, data);
      } catch (KeeperException.NodeExistsException e) {
        curator.setData().forPath(path, data);
      }
    } catch (Exception e) {
      throw new StoreException("zk: cannot write " + path + ": " + e, e);
    }
  }

  private void delete(String path) {
    try {
      curator.delete().forPath(path);
    } catch (KeeperException.NoNodeException e) {
      // already gone
    } catch (Exception e) {
      throw new StoreException("zk: cannot delete " + path + ": " + e, e);
    }
  }

  private <T> List<T> readAll(String parent, Class<T> type) {
    try {
      List<T> out = new ArrayList<>();
      for (String child : curator.getChildren().forPath(parent)) {
        out.add(Json.read(curator.getData().forPath(parent + "/" + child), type));
      }
      return out;
    } catch (Exception e) {
      throw new StoreException("zk: cannot read " + parent + ": " + e, e);
    }
  }

  /** The Curator client (for the leader election, which shares the store's session). */
  public CuratorFramework curator() {
    return curator;
  }

  @Override
  public void close() {
    curator.close();
  }

  /** A ZooKeeper read or write failed; the caller must not acknowledge what it was writing. */
  public static final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
