package io.mezzo.agent;

import io.mezzo.agent.containerizer.Containerizer;
import io.mezzo.agent.http.AgentStateView;
import io.mezzo.agent.link.MasterLink;
import io.mezzo.agent.recovery.RecoveryMode;
import io.mezzo.agent.recovery.TaskCheckpoint;
import io.mezzo.agent.status.StatusUpdateManager;
import io.mezzo.agent.task.TaskManager;
import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.agentapi.AgentEvent;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.AgentInfo;
import io.mezzo.core.model.Resources;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's event loop: takes the master's events, process exits and timers one at a time on the
 * single thread {@code agent-loop}, which owns the agent's id, its tasks ({@link TaskManager}) and
 * its pending updates ({@link StatusUpdateManager}). Nothing else changes that state, so none of it
 * is locked (the Kafka {@code QuorumController} way).
 *
 * <p>Other threads only hand work over: the {@link MasterLink} calls the {@link MasterLink.Listener}
 * methods from its own threads, HTTP handlers ask for {@link #state()} through the loop. The id is
 * also published in an {@link AtomicReference} for {@link Agent#agentId()}.
 */
final class AgentLoop implements MasterLink.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(AgentLoop.class);
  /** How often a re-adopted task's supervisor, not the agent's child, is checked for its exit. */
  static final long RECOVERED_PROBE_MILLIS = 250;

  private final AgentConfig config;
  private final Resources resources;
  private final ScheduledExecutorService loop;
  private final MasterLink link;
  private final StatusUpdateManager updates;
  private final TaskManager tasks;
  private final AtomicReference<AgentId> published = new AtomicReference<>();
  private AgentId agentId;
  private boolean subscribed;
  private int port;
  private final io.mezzo.agent.task.TaskIsolation isolation;
  private final java.time.Duration monitorInterval;
  private final AtomicReference<java.util.List<AgentCall.TaskUsage>> usage = new AtomicReference<>(java.util.List.of());

  AgentLoop(AgentConfig config, Resources resources, Optional<AgentId> savedId, ScheduledExecutorService loop,
      JsonClient client, io.mezzo.agent.task.TaskIsolation isolation, java.time.Duration monitorInterval,
      io.mezzo.agent.image.AgentImageConfig images) {
    this.isolation = isolation;
    this.monitorInterval = monitorInterval;
    this.config = config;
    this.resources = resources;
    this.loop = loop;
    this.agentId = savedId.orElse(null);
    this.link = new MasterLink(config.masterHostPort(), client, this, System::nanoTime);
    this.updates = new StatusUpdateManager(loop, config.statusRetryInterval(),
        (framework, status) -> link.post(AgentCall.update(agentId, framework, status)), Clock.systemUTC());
    this.tasks = new TaskManager(loop, new Containerizer(config.workDir()), updates, config.hostname(),
        config.killGracePeriod(), io.mezzo.agent.containerizer.TaskEnvironment.withMezzoRuntime(System.getenv()), isolation);
    this.tasks.portCheck(new io.mezzo.agent.ports.PortCheck(resources));
    // Container tasks run with runc when it is installed, with images from the store in <work>/images
    // (or unpacked by hand in <work>/local-images), collected on the store's own schedule.
    AtomicReference<io.mezzo.agent.image.ImageStore> store = new AtomicReference<>();
    this.containers = io.mezzo.agent.containerizer.oci.OciRuntime.detect(config.workDir(), () -> {
      store.set(io.mezzo.agent.image.ImageStore.open(config.workDir().resolve("images"), images.registry(), Clock.systemUTC()));
      return new io.mezzo.agent.containerizer.oci.StoreImages(store.get(), config.workDir().resolve("local-images"));
    }).orElse(null);
    if (containers != null) {
      this.tasks.containers(containers);
    }
    this.imageStore = store.get();
    this.imageGc = store.get() != null && images.collects()
        ? new io.mezzo.agent.image.ImageCollector(store.get(), images.gcInterval()) : null;
  }

  private final io.mezzo.agent.containerizer.oci.OciRuntime containers;
  /** The periodic GC of the image store; null without runc or without thresholds. Its own thread. */
  private final io.mezzo.agent.image.ImageCollector imageGc;

  private final io.mezzo.agent.image.ImageStore imageStore;

  /**
   * {@code GET /images}: the store's images, each with the tasks whose containers use it ({@code tasks})
   * besides its raw holders ({@code users}: container ids, pull leases); an empty list without runc.
   * The task map is read on the loop, the store (which guards itself) on {@code reader}. Any thread.
   */
  CompletableFuture<Object> images(java.util.concurrent.Executor reader) {
    if (imageStore == null) {
      return CompletableFuture.completedFuture(java.util.List.of());
    }
    return CompletableFuture.supplyAsync(tasks::containerTasks, loop).thenApplyAsync(byContainer -> {
      java.util.List<java.util.Map<String, Object>> out = new java.util.ArrayList<>();
      for (io.mezzo.agent.image.ImageInfo i : imageStore.list()) {
        java.util.Map<String, Object> m = i.fields();
        m.put("tasks", i.users().stream().map(byContainer::get).filter(java.util.Objects::nonNull).sorted().toList());
        m.put("users", i.users());
        out.add(m);
      }
      return out;
    }, reader);
  }

  /** The image store's collector, when the agent runs containers and collects images. */
  Optional<io.mezzo.agent.image.ImageCollector> imageCollector() {
    return Optional.ofNullable(imageGc);
  }

  /** Runs tasks as {@code users} chooses (see {@link io.mezzo.agent.user.TaskUsers}); before {@link #recover}. */
  void taskUsers(io.mezzo.agent.user.TaskUsers users) {
    CompletableFuture.runAsync(() -> tasks.users(users), loop).join();
  }

  /** Starts talking to the master, advertising {@code httpPort}. Any thread; once. */
  void start(int httpPort) {
    loop.execute(() -> this.port = httpPort);
    loop.scheduleWithFixedDelay(this::monitor, monitorInterval.toMillis(), monitorInterval.toMillis(), TimeUnit.MILLISECONDS);
    if (imageGc != null) {
      imageGc.start(); // after recovery: re-adopted containers retain their images by now
    }
    link.start();
  }

  /** {@code GET /monitor/statistics}, sampled now on the loop. Any thread. */
  CompletableFuture<Object> statistics() {
    return CompletableFuture.supplyAsync(() -> {
      monitor();
      return io.mezzo.agent.isolation.MonitorStatistics.of(tasks.usage());
    }, loop);
  }

  /** The tasks' states and last usage samples for the meters, taken on the loop. Any thread. */
  CompletableFuture<AgentMeters.Snapshot> meterSnapshot() {
    return CompletableFuture.supplyAsync(() -> AgentMeters.snapshot(tasks.view(), tasks.usage()), loop);
  }

  /** Destroys the containers of tasks that were killed; for the agent's shutdown. Any thread but the loop. */
  void destroyContainers() {
    try {
      CompletableFuture.runAsync(isolation::destroyAll, loop).get(10, TimeUnit.SECONDS);
      if (imageGc != null) {
        imageGc.close(); // before the store closes
      }
      if (containers != null) {
        containers.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      LOG.warn("cannot destroy task containers: {}", e.toString());
    }
  }

  @Override
  public java.util.List<AgentCall.TaskUsage> heartbeatUsage() {
    return usage.get();
  }

  private void monitor() {
    try {
      tasks.monitor();
      usage.set(io.mezzo.agent.isolation.MonitorStatistics.summary(tasks.usage()));
    } catch (RuntimeException e) {
      LOG.error("BUG: sampling task usage failed", e);
    }
  }

  /**
   * Checkpoints tasks from now on and re-adopts those a previous run left (see {@link TaskManager#recover});
   * before {@link #start}, so that the first SUBSCRIBE reports them. Blocks for the loop.
   */
  void recover(RecoveryMode mode) {
    try {
      CompletableFuture.runAsync(() -> {
        tasks.agentId(agentId);
        tasks.checkpointTo(config.workDir());
        tasks.recover(TaskCheckpoint.readAll(config.workDir()), mode, RECOVERED_PROBE_MILLIS);
      }, loop).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while recovering tasks", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot recover the tasks checkpointed in " + config.workDir() + ": "
          + (e.getCause() == null ? e : e.getCause()), e);
    }
  }

  Optional<AgentId> agentId() {
    return Optional.ofNullable(published.get());
  }

  MasterLink link() {
    return link;
  }

  /** The state view, computed on the loop. Any thread. */
  CompletableFuture<Object> state() {
    return CompletableFuture.supplyAsync(() -> new AgentStateView(
        agentId == null ? null : agentId.value(), config.hostname(), port, config.masterHostPort(), subscribed,
        resources.toStateMap(), tasks.used().toStateMap(), tasks.view()), loop);
  }

  /** Stops every task (see {@link TaskManager#terminateAll}); blocks for the loop's answer. Any thread but the loop. */
  java.util.List<TaskManager.Running> terminateAll() {
    try {
      return CompletableFuture.supplyAsync(tasks::terminateAll, loop).get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping tasks", e);
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      throw new IllegalStateException("cannot stop tasks on the agent loop: " + e, e);
    }
  }

  // ---------------------------------------------------------------- MasterLink.Listener (link threads)

  @Override
  public AgentCall subscribeCall() throws InterruptedException {
    try {
      return CompletableFuture.supplyAsync(this::subscribeCallOnLoop, loop).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot build SUBSCRIBE on the agent loop: " + e, e);
    }
  }

  @Override
  public void onEvent(AgentEvent event) {
    post(() -> handle(event));
  }

  @Override
  public void onDisconnected() {
    post(() -> {
      subscribed = false;
      updates.disconnected();
    });
  }

  // ---------------------------------------------------------------- on the loop

  private AgentCall subscribeCallOnLoop() {
    AgentInfo info = new AgentInfo(agentId, config.hostname(), port, resources.toList());
    return AgentCall.subscribe(info, tasks.tracked());
  }

  private void handle(AgentEvent event) {
    try {
      if (event.type() == null) {
        LOG.warn("ignoring an event without type from the master");
        return;
      }
      switch (event.type()) {
        case SUBSCRIBED -> onSubscribed(event.subscribed());
        case LAUNCH -> tasks.launch(event.launch().frameworkId(), event.launch().task(), event.launch().frameworkUser());
        case KILL -> tasks.kill(event.kill().frameworkId(), event.kill().taskId(), event.kill().gracePeriodSeconds());
        case ACKNOWLEDGE -> tasks.acknowledge(
            event.acknowledge().frameworkId(), event.acknowledge().taskId(), event.acknowledge().uuid());
        case HEARTBEAT, ERROR -> { } // the link watches for silence and logs errors
        default -> LOG.warn("ignoring event {}", event.type());
      }
    } catch (NullPointerException e) {
      LOG.warn("ignoring malformed {} event: a required field is missing", event.type(), e);
    } catch (RuntimeException e) {
      LOG.error("BUG: handling {} failed", event.type(), e);
    }
  }

  private void onSubscribed(AgentEvent.Subscribed s) {
    if (s == null || s.agentId() == null) {
      LOG.warn("ignoring SUBSCRIBED without agent_id");
      return;
    }
    if (agentId != null && !agentId.equals(s.agentId())) {
      LOG.warn("master gave this agent a new id {} (was {})", s.agentId(), agentId);
    }
    if (!s.agentId().equals(agentId) || published.get() == null) {
      try {
        AgentIdFile.write(config.workDir(), s.agentId());
      } catch (IOException e) {
        LOG.error("cannot persist agent id {} in {}: a restart will register a new agent", s.agentId(), config.workDir(), e);
      }
    }
    agentId = s.agentId();
    published.set(agentId);
    subscribed = true;
    tasks.agentId(agentId);
    updates.connected();
  }

  private void post(Runnable r) {
    try {
      loop.execute(r);
    } catch (RejectedExecutionException e) {
      LOG.debug("agent loop stopped; dropping an event");
    }
  }
}
