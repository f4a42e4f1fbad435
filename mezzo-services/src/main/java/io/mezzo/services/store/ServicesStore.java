package io.mezzo.services.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.services.app.AppDefinition;
import io.mezzo.services.deploy.Deployment;
import io.mezzo.services.instance.Instance;
import io.mezzo.services.store.StoredFormat.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.retry.RetryUntilElapsed;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;

/**
 * The services scheduler's hard state in ZooKeeper: its framework id, every app's current definition
 * and its last {@value #MAX_VERSIONS} versions, the deployments in progress and the instances. Every
 * call blocks until ZooKeeper has the write (a ZooKeeper write returns once a quorum logged it), so a
 * caller may acknowledge a change as soon as the call returns; every failure is a {@link StoreException}
 * naming the path, and then nothing of that call may be assumed written.
 *
 * <p>Layout under {@code root} (node names are ids encoded by {@link NodeNames}: {@code /prod/web} is
 * {@code %2Fprod%2Fweb}; every node holds a {@link StoredFormat} envelope):
 * <pre>
 *   root/framework-id                      kind framework
 *   root/apps/&lt;app id&gt;                     kind app: the current definition and its version
 *   root/versions/&lt;app id&gt;/&lt;version&gt;       kind version: every stored definition, the newest 50
 *   root/deployments/&lt;deployment id&gt;        kind deployment
 *   root/instances/&lt;instance id&gt;            kind instance
 * </pre>
 * Writes that must happen together ({@link #putApp}, {@link #removeApp}, {@link #putInstances}) are one
 * ZooKeeper transaction: all of it or none. A transaction must stay under ZooKeeper's request limit
 * ({@code jute.maxbuffer}, 1 MB by default), some thousands of instances.
 *
 * <p>Thread: one owner thread calls it (the scheduler's loop). The store keeps no cache, but decides
 * between create and update by looking first, so a second writer on the same root (two schedulers
 * both believing they lead) makes writes fail with a {@link StoreException} rather than interleave
 * silently. Reading many nodes is pipelined (every request sent, then every answer awaited) rather
 * than one round trip after another; {@code bench/services-store} measures it.
 */
public final class ServicesStore implements AutoCloseable {
  /** How many versions of an app are kept; putting one more deletes the oldest. */
  public static final int MAX_VERSIONS = 50;

  private final CuratorFramework curator;
  private final Duration timeout;
  private final String frameworkIdPath;
  private final String apps;
  private final String versions;
  private final String deployments;
  private final String instances;

  private ServicesStore(CuratorFramework curator, String root, Duration timeout) {
    this.curator = curator;
    this.timeout = timeout;
    this.frameworkIdPath = root + "/framework-id";
    this.apps = root + "/apps";
    this.versions = root + "/versions";
    this.deployments = root + "/deployments";
    this.instances = root + "/instances";
  }

  /**
   * Connects to {@code zkConnect} and prepares the layout under {@code root} (e.g.
   * {@code /mezzo/services}). {@code timeout} bounds the first connection and, afterwards, how long
   * each call keeps retrying while ZooKeeper is unreachable before it throws.
   *
   * @throws IllegalArgumentException when {@code root} or {@code timeout} is malformed
   * @throws StoreException when ZooKeeper cannot be reached within {@code timeout}
   */
  public static ServicesStore connect(String zkConnect, String root, Duration timeout) {
    Objects.requireNonNull(zkConnect, "zkConnect");
    if (root == null || !root.startsWith("/") || root.endsWith("/") || root.contains("//")) {
      throw new IllegalArgumentException("root: " + (root == null ? "null" : "\"" + root + "\"")
          + " (expected: an absolute ZooKeeper path without a trailing '/', such as /mezzo/services)");
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: a positive duration)");
    }
    int ms = (int) timeout.toMillis();
    CuratorFramework curator = CuratorFrameworkFactory.builder()
        .connectString(zkConnect)
        .retryPolicy(new RetryUntilElapsed(ms, Math.max(10, Math.min(250, ms / 4))))
        .connectionTimeoutMs(ms)
        .sessionTimeoutMs(Math.max(30_000, ms))
        .build();
    curator.start();
    ServicesStore store = new ServicesStore(curator, root, timeout);
    try {
      if (!curator.blockUntilConnected(ms, TimeUnit.MILLISECONDS)) {
        throw new StoreException("zk: cannot connect to " + zkConnect + " within " + timeout
            + " (expected: a reachable ZooKeeper)");
      }
      for (String path : List.of(store.apps, store.versions, store.deployments, store.instances)) {
        store.call("create", path, () -> {
          if (curator.checkExists().forPath(path) == null) {
            try {
              curator.create().creatingParentsIfNeeded().forPath(path);
            } catch (KeeperException.NodeExistsException raced) {
              // created meanwhile by another store on the same root: fine
            }
          }
          return null;
        });
      }
      return store;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      curator.close();
      throw new StoreException("zk: interrupted while connecting to " + zkConnect, e);
    } catch (RuntimeException e) {
      curator.close();
      throw e;
    }
  }

  public Optional<String> frameworkId() {
    byte[] data = read(frameworkIdPath);
    return data == null ? Optional.empty()
        : Optional.of(StoredFormat.readFramework(frameworkIdPath,
            StoredFormat.unwrap(frameworkIdPath, data, Kind.FRAMEWORK)));
  }

  public void putFrameworkId(String id) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("framework id: " + id + " (expected: a non-empty id)");
    }
    put(frameworkIdPath, StoredFormat.wrap(Kind.FRAMEWORK, StoredFormat.framework(id)));
  }

  /**
   * Makes {@code app} the current definition and records it as {@code version}, in one transaction
   * that also deletes the oldest versions beyond {@value #MAX_VERSIONS}. Putting a version that is
   * already stored replaces its definition and keeps its place in the order.
   */
  public void putApp(AppDefinition app, String version) {
    putApp(app, version, version);
  }

  /** {@link #putApp(AppDefinition, String)} with the version of the app's last configuration change. */
  public void putApp(AppDefinition app, String version, String configVersion) {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(configVersion, "configVersion");
    if (version == null || version.isEmpty()) {
      throw new IllegalArgumentException("version: " + version + " (expected: a version such as 2026-11-27T05:30:00.123Z)");
    }
    String appPath = apps + "/" + NodeNames.encode(app.id());
    String versionParent = versions + "/" + NodeNames.encode(app.id());
    String versionName = NodeNames.encode(version);
    JsonNode data = StoredFormat.app(app, version, configVersion);
    Transaction tx = new Transaction();
    tx.put(appPath, StoredFormat.wrap(Kind.APP, data), exists(appPath));
    List<String> existing = exists(versionParent) ? children(versionParent) : null;
    if (existing == null) {
      tx.create(versionParent, new byte[0]);
    }
    boolean known = existing != null && existing.contains(versionName);
    tx.put(versionParent + "/" + versionName, StoredFormat.wrap(Kind.VERSION, data), known);
    if (existing != null && !known && existing.size() >= MAX_VERSIONS) {
      List<String> oldestFirst = byCreation(versionParent, existing);
      for (String old : oldestFirst.subList(0, existing.size() - MAX_VERSIONS + 1)) {
        tx.delete(versionParent + "/" + old);
      }
    }
    commit("write app " + app.id() + " version " + version, appPath, tx);
  }

  /** Deletes the app's current definition and every stored version; nothing happens when it is unknown. */
  public void removeApp(String appId) {
    String appPath = apps + "/" + NodeNames.encode(appId);
    String versionParent = versions + "/" + NodeNames.encode(appId);
    Transaction tx = new Transaction();
    if (exists(appPath)) {
      tx.delete(appPath);
    }
    if (exists(versionParent)) {
      for (String name : children(versionParent)) {
        tx.delete(versionParent + "/" + name);
      }
      tx.delete(versionParent);
    }
    if (!tx.isEmpty()) {
      commit("remove app " + appId, appPath, tx);
    }
  }

  /** Every app's current definition, by app id. */
  public List<StoredApp> apps() {
    List<StoredApp> out = new ArrayList<>(readChildren(apps, Kind.APP, StoredFormat::readApp).values());
    out.sort(Comparator.comparing(a -> a.app().id()));
    return out;
  }

  /** The app's stored versions, oldest (first stored) first; empty when the app is unknown. */
  public List<String> versions(String appId) {
    String versionParent = versions + "/" + NodeNames.encode(appId);
    if (!exists(versionParent)) {
      return List.of();
    }
    return byCreation(versionParent, children(versionParent)).stream().map(NodeNames::decode).toList();
  }

  /** The app as it was stored as {@code version}, if that version is still kept. */
  public Optional<AppDefinition> version(String appId, String version) {
    String path = versions + "/" + NodeNames.encode(appId) + "/" + NodeNames.encode(version);
    byte[] data = read(path);
    return data == null ? Optional.empty()
        : Optional.of(StoredFormat.readApp(path, StoredFormat.unwrap(path, data, Kind.VERSION)).app());
  }

  public void putDeployment(Deployment d) {
    put(deployments + "/" + NodeNames.encode(d.id()), StoredFormat.wrap(Kind.DEPLOYMENT, StoredFormat.deployment(d)));
  }

  public void removeDeployment(String id) {
    delete(deployments + "/" + NodeNames.encode(id));
  }

  /** Every stored deployment, by id. */
  public List<Deployment> deployments() {
    return List.copyOf(readChildren(deployments, Kind.DEPLOYMENT, StoredFormat::readDeployment).values());
  }

  public void putInstance(Instance i) {
    put(instances + "/" + NodeNames.encode(i.instanceId()), StoredFormat.wrap(Kind.INSTANCE, StoredFormat.instance(i)));
  }

  /**
   * Writes every instance of {@code batch} in one transaction: afterwards all of them are stored, or,
   * when this throws, none of the batch's writes happened.
   *
   * @throws IllegalArgumentException when an instance id appears twice
   */
  public void putInstances(List<Instance> batch) {
    if (batch.isEmpty()) {
      return;
    }
    Set<String> seen = new HashSet<>();
    List<String> paths = new ArrayList<>(batch.size());
    for (Instance i : batch) {
      if (!seen.add(i.instanceId())) {
        throw new IllegalArgumentException("batch: instance " + i.instanceId() + " twice (expected: distinct ids)");
      }
      paths.add(instances + "/" + NodeNames.encode(i.instanceId()));
    }
    List<byte[]> data = batch.stream().map(i -> StoredFormat.wrap(Kind.INSTANCE, StoredFormat.instance(i))).toList();
    // A batch is mostly new instances (a launch): try creating them all, which needs no look-up; when
    // one exists ZooKeeper refuses the whole transaction, and it is redone with updates where needed.
    Transaction creates = new Transaction();
    for (int n = 0; n < batch.size(); n++) {
      creates.create(paths.get(n), data.get(n));
    }
    String what = "write " + batch.size() + " instances";
    try {
      curator.transaction().forOperations(creates.ops);
      return;
    } catch (KeeperException.NodeExistsException e) {
      // some exist: look them up below
    } catch (Exception e) {
      throw failed(what, instances, creates, e);
    }
    List<Boolean> exist = pipelined(paths, "check", (path, event) -> event.getStat() != null);
    Transaction tx = new Transaction();
    for (int n = 0; n < batch.size(); n++) {
      tx.put(paths.get(n), data.get(n), exist.get(n));
    }
    commit(what, instances, tx);
  }

  public void removeInstance(String instanceId) {
    delete(instances + "/" + NodeNames.encode(instanceId));
  }

  /** Every stored instance, by instance id. */
  public List<Instance> instances() {
    return List.copyOf(readChildren(instances, Kind.INSTANCE, StoredFormat::readInstance).values());
  }

  @Override
  public void close() {
    curator.close();
  }

  // --- ZooKeeper plumbing ---

  /** A ZooKeeper call that may throw anything Curator throws. */
  private interface ZkCall<T> {
    T run() throws Exception;
  }

  private <T> T call(String what, String path, ZkCall<T> zk) {
    try {
      return zk.run();
    } catch (StoreException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("zk: interrupted while trying to " + what + " " + path, e);
    } catch (KeeperException e) {
      throw new StoreException("zk: cannot " + what + " " + path + ": " + e.code(), e);
    } catch (Exception e) {
      throw new StoreException("zk: cannot " + what + " " + path + ": " + e, e);
    }
  }

  private boolean exists(String path) {
    return call("check", path, () -> curator.checkExists().forPath(path) != null);
  }

  private List<String> children(String path) {
    return call("list", path, () -> curator.getChildren().forPath(path));
  }

  /** The node's bytes, or null when there is no such node. */
  private byte[] read(String path) {
    return call("read", path, () -> {
      try {
        return curator.getData().forPath(path);
      } catch (KeeperException.NoNodeException e) {
        return null;
      }
    });
  }

  /** Updates the node, or creates it when it does not exist yet. */
  private void put(String path, byte[] data) {
    call("write", path, () -> {
      try {
        curator.setData().forPath(path, data);
      } catch (KeeperException.NoNodeException e) {
        curator.create().forPath(path, data);
      }
      return null;
    });
  }

  private void delete(String path) {
    call("delete", path, () -> {
      try {
        curator.delete().forPath(path);
      } catch (KeeperException.NoNodeException e) {
        // already gone
      }
      return null;
    });
  }

  /** Reads every child of {@code parent}, pipelined, decoded by {@code decode}; keyed and ordered by node name. */
  private <T> Map<String, T> readChildren(String parent, Kind kind, BiFunction<String, JsonNode, T> decode) {
    List<String> names = children(parent).stream().sorted().toList();
    List<String> paths = names.stream().map(n -> parent + "/" + n).toList();
    List<byte[]> data = pipelined(paths, "read", (path, event) -> event.getData());
    Map<String, T> out = new LinkedHashMap<>();
    for (int n = 0; n < names.size(); n++) {
      if (data.get(n) != null) { // null: deleted between the listing and the read
        String path = paths.get(n);
        out.put(names.get(n), decode.apply(path, StoredFormat.unwrap(path, data.get(n), kind)));
      }
    }
    return out;
  }

  /** Children of {@code parent} in the order they were created (ZooKeeper's creation zxid). */
  private List<String> byCreation(String parent, List<String> names) {
    List<String> paths = names.stream().map(n -> parent + "/" + n).toList();
    List<Stat> stats = pipelined(paths, "check", (path, event) -> event.getStat());
    List<Integer> order = new ArrayList<>();
    for (int n = 0; n < names.size(); n++) {
      if (stats.get(n) != null) {
        order.add(n);
      }
    }
    order.sort(Comparator.<Integer>comparingLong(n -> stats.get(n).getCzxid()).thenComparing(names::get));
    return order.stream().map(names::get).toList();
  }

  /**
   * Sends one background read ({@code getData} for "read", {@code checkExists} for "check") per path
   * and waits for all answers: a missing node yields null (or false); any other error throws.
   */
  private <T> List<T> pipelined(List<String> paths, String what,
      BiFunction<String, org.apache.curator.framework.api.CuratorEvent, T> result) {
    List<CompletableFuture<T>> futures = new ArrayList<>(paths.size());
    for (String path : paths) {
      CompletableFuture<T> f = new CompletableFuture<>();
      futures.add(f);
      call(what, path, () -> {
        org.apache.curator.framework.api.BackgroundCallback done = (client, event) -> {
          int rc = event.getResultCode();
          if (rc == KeeperException.Code.OK.intValue() || rc == KeeperException.Code.NONODE.intValue()) {
            f.complete(result.apply(path, event));
          } else {
            f.completeExceptionally(new StoreException("zk: cannot " + what + " " + path + ": "
                + KeeperException.Code.get(rc)));
          }
        };
        if (what.equals("read")) {
          curator.getData().inBackground(done).forPath(path);
        } else {
          curator.checkExists().inBackground(done).forPath(path);
        }
        return null;
      });
    }
    String where = paths.isEmpty() ? "" : paths.get(0) + (paths.size() > 1 ? " and " + (paths.size() - 1) + " more" : "");
    try {
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
          .get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("zk: interrupted while trying to " + what + " " + where, e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof StoreException s ? s
          : new StoreException("zk: cannot " + what + " " + where + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new StoreException("zk: cannot " + what + " " + where + ": no answer within " + timeout.multipliedBy(2), e);
    }
    return futures.stream().map(CompletableFuture::join).toList();
  }

  /** The operations of one ZooKeeper multi, with their paths for error messages. */
  private final class Transaction {
    private final List<CuratorOp> ops = new ArrayList<>();
    private final List<String> paths = new ArrayList<>();

    void create(String path, byte[] data) {
      add(path, () -> curator.transactionOp().create().forPath(path, data));
    }

    void put(String path, byte[] data, boolean exists) {
      if (exists) {
        add(path, () -> curator.transactionOp().setData().forPath(path, data));
      } else {
        create(path, data);
      }
    }

    void delete(String path) {
      add(path, () -> curator.transactionOp().delete().forPath(path));
    }

    boolean isEmpty() {
      return ops.isEmpty();
    }

    private void add(String path, ZkCall<CuratorOp> op) {
      ops.add(call("prepare", path, op));
      paths.add(path);
    }
  }

  private void commit(String what, String path, Transaction tx) {
    try {
      curator.transaction().forOperations(tx.ops);
    } catch (Exception e) {
      throw failed(what, path, tx, e);
    }
  }

  private static StoreException failed(String what, String path, Transaction tx, Exception e) {
    if (e instanceof KeeperException k) {
      boolean unknown = k.code() == KeeperException.Code.CONNECTIONLOSS
          || k.code() == KeeperException.Code.OPERATIONTIMEOUT || k.code() == KeeperException.Code.SESSIONEXPIRED;
      return new StoreException("zk: cannot " + what + " (" + failedOp(k, tx) + "); "
          + (unknown ? "it may or may not have been written" : "nothing of it was written"), e);
    }
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new StoreException("zk: interrupted while trying to " + what + " at " + path
          + "; it may or may not have been written", e);
    }
    return new StoreException("zk: cannot " + what + " at " + path + ": " + e, e);
  }

  /** The path and error of the operation that failed the transaction, when ZooKeeper says which. */
  private static String failedOp(KeeperException e, Transaction tx) {
    List<OpResult> results = e.getResults();
    if (results != null) {
      for (int n = 0; n < results.size() && n < tx.paths.size(); n++) {
        if (results.get(n) instanceof OpResult.ErrorResult err
            && err.getErr() != KeeperException.Code.OK.intValue()
            && err.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
          return tx.paths.get(n) + ": " + KeeperException.Code.get(err.getErr());
        }
      }
    }
    return (e.getPath() != null ? e.getPath() : tx.paths.get(0)) + ": " + e.code();
  }
}
