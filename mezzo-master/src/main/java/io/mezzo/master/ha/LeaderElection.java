package io.mezzo.master.ha;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One master's part in electing the leading master, on Curator's {@link LeaderLatch} under
 * {@link #PATH}. The latch id is the master's advertised {@code HOST:PORT}, so anyone can read the
 * leader's address from ZooKeeper ({@link #readLeader}): the participant with the lowest sequence.
 *
 * <p>The {@link Listener} hears {@link Listener#elected} once, and {@link Listener#lost} at most once
 * after it: when the latch gives leadership up, when the ZooKeeper session is lost, or when the
 * connection stays suspended longer than a quarter of the session timeout. (The ZooKeeper client
 * notices a silent connection after two thirds of the session timeout; giving up a quarter later still
 * comes before the server expires the session and lets a standby win.) A master that lost leadership
 * must stop acting as leader at once; the master process exits (see {@link #exitProcess}), as Mesos
 * does, and its supervisor restarts it as a standby.
 *
 * <p>Before joining, a stale participant carrying this master's own id (a previous incarnation of this
 * {@code HOST:PORT}, killed before its session expired) is deleted: two live masters cannot share one
 * address, so it can only be dead, and a restarted single master need not wait for its old session.
 *
 * <p>Threads: callbacks run on this election's own thread ({@code master-election}); {@link #close}
 * may be called from any thread and silences them.
 */
public final class LeaderElection implements AutoCloseable {
  /** The latch's ZooKeeper path (under the connect string's chroot, if any). */
  public static final String PATH = "/mezzo/leader";
  /** The exit status of a master process that lost leadership. */
  public static final int EXIT_LOST_LEADERSHIP = 3;
  private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

  /** What a master does with the election's outcome; runs on the election's thread. */
  public interface Listener {
    /** This master leads now: recover state and serve. */
    void elected();

    /** This master led and must stop at once; {@code why} says what happened. */
    void lost(String why);
  }

  private final CuratorFramework curator;
  private final String id;
  private final LeaderLatch latch;
  private final Listener listener;
  private final ScheduledExecutorService thread;
  private final long suspendedLimitMs;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean leading;
  private volatile boolean lostReported;
  private long suspension;

  private LeaderElection(CuratorFramework curator, String id, Listener listener, Duration sessionTimeout) {
    this.curator = curator;
    this.id = id;
    this.listener = listener;
    this.latch = new LeaderLatch(curator, PATH, id, LeaderLatch.CloseMode.SILENT);
    this.suspendedLimitMs = Math.max(1, sessionTimeout.toMillis() / 4);
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "master-election");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Joins the election as {@code id} ({@code HOST:PORT}) through {@code curator}, whose session
   * timeout is {@code sessionTimeout}; {@code listener} hears the outcome.
   */
  public static LeaderElection start(CuratorFramework curator, String id, Duration sessionTimeout, Listener listener) {
    if (id == null || !id.matches("[^:/\\s]+:\\d{1,5}")) {
      throw new IllegalArgumentException("id: '" + id + "' (expected: the master's HOST:PORT)");
    }
    LeaderElection e = new LeaderElection(curator, id, listener, sessionTimeout);
    e.removeStaleSelf();
    e.latch.addListener(new LeaderLatchListener() {
      @Override
      public void isLeader() {
        e.onLeader();
      }

      @Override
      public void notLeader() {
        e.onLost("the leader latch gave leadership up");
      }
    }, e.thread);
    curator.getConnectionStateListenable().addListener((client, state) -> e.onConnection(state), e.thread);
    try {
      e.latch.start();
    } catch (Exception ex) {
      e.thread.shutdownNow();
      throw new IllegalStateException("cannot join the leader election at " + PATH + ": " + ex.getMessage(), ex);
    }
    return e;
  }

  /** This master's id in the election ({@code HOST:PORT}). */
  public String id() {
    return id;
  }

  /** Whether this master holds leadership now. */
  public boolean isLeader() {
    return leading && !lostReported;
  }

  /** The current leader's id, read from ZooKeeper off the caller's thread; empty when there is none. */
  public CompletableFuture<Optional<String>> leader() {
    return CompletableFuture.supplyAsync(() -> readLeader(curator), thread);
  }

  /**
   * The leader's {@code HOST:PORT} as ZooKeeper shows it through {@code curator}: the data of the
   * participant under {@link #PATH} with the lowest sequence number. Empty when nobody takes part.
   * Blocks on ZooKeeper.
   */
  public static Optional<String> readLeader(CuratorFramework curator) {
    try {
      List<String> children = curator.getChildren().forPath(PATH);
      for (String node : children.stream().sorted(Comparator.comparing(LeaderElection::sequence)).toList()) {
        try {
          return Optional.of(new String(curator.getData().forPath(PATH + "/" + node), StandardCharsets.UTF_8));
        } catch (KeeperException.NoNodeException gone) {
          // it left between the listing and the read: the next one leads
        }
      }
      return Optional.empty();
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    } catch (Exception e) {
      throw new IllegalStateException("zk: cannot read the leader under " + PATH + ": " + e, e);
    }
  }

  private static String sequence(String node) {
    int dash = node.lastIndexOf('-');
    return dash < 0 ? node : node.substring(dash + 1);
  }

  private void removeStaleSelf() {
    try {
      if (curator.checkExists().creatingParentContainersIfNeeded().forPath(PATH) == null) {
        return;
      }
      for (String node : curator.getChildren().forPath(PATH)) {
        try {
          byte[] data = curator.getData().forPath(PATH + "/" + node);
          if (id.equals(new String(data, StandardCharsets.UTF_8))) {
            curator.delete().forPath(PATH + "/" + node);
            LOG.info("removed a stale election node {} of a previous master at {}", node, id);
          }
        } catch (KeeperException.NoNodeException gone) {
          // expired meanwhile
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("zk: cannot read " + PATH + ": " + e.getMessage(), e);
    }
  }

  private void onLeader() {
    if (closed.get() || leading) {
      return;
    }
    leading = true;
    LOG.info("elected leading master as {}", id);
    listener.elected();
  }

  private void onConnection(ConnectionState state) {
    if (closed.get()) {
      return;
    }
    switch (state) {
      case LOST -> onLost("the ZooKeeper session was lost");
      case SUSPENDED -> {
        long mine = ++suspension;
        thread.schedule(() -> {
          if (suspension == mine && !curator.getZookeeperClient().isConnected()) {
            onLost("the ZooKeeper connection stayed suspended for more than " + suspendedLimitMs + " ms");
          }
        }, suspendedLimitMs, TimeUnit.MILLISECONDS);
      }
      case RECONNECTED, CONNECTED -> suspension++;
      default -> { }
    }
  }

  private void onLost(String why) {
    if (closed.get() || !leading || lostReported) {
      return;
    }
    lostReported = true;
    LOG.error("lost leadership as {}: {}", id, why);
    listener.lost(why);
  }

  /**
   * What a master process does when it lost leadership: it exits with {@link #EXIT_LOST_LEADERSHIP}
   * at once (no shutdown hooks, which would still act for it), so that its supervisor restarts it as
   * a standby. Agents and their tasks are untouched; the new leader rebuilds state from them.
   */
  public static void exitProcess(String why) {
    System.err.println("mezzo master: lost leadership (" + why + "); exiting so that a supervisor restarts it"
        + " as a standby");
    System.err.flush();
    Runtime.getRuntime().halt(EXIT_LOST_LEADERSHIP);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      latch.close();
    } catch (Exception e) {
      LOG.debug("closing the leader latch: {}", e.toString());
    }
    thread.shutdownNow();
  }
}
