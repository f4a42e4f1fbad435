package io.mezzo.agent;

import io.mezzo.agent.containerizer.ProcessGroups;
import io.mezzo.agent.gc.SandboxCollector;
import io.mezzo.agent.http.AgentHttp;
import io.mezzo.agent.http.AgentStateView;
import io.mezzo.agent.http.SandboxFiles;
import io.mezzo.agent.recovery.RecoveryMode;
import io.mezzo.agent.resources.ResourceDetector;
import io.mezzo.agent.task.TaskManager;
import io.mezzo.core.http.HttpServer;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Mezzo agent: runs the master's tasks as OS processes on this machine.
 *
 * <p>{@link #start} binds the HTTP API ({@code /health}, {@code /state}, {@code /files/read},
 * {@code /metrics}: see {@link AgentMeters}) and
 * begins subscribing to the master in the background; it returns at once, and the agent keeps trying
 * while the master is down. {@link #close} stops it: no more master events, every task's process group
 * gets SIGTERM, then SIGKILL after the kill grace period, and the HTTP server stops. No task process
 * outlives a closed agent.
 *
 * <p>Thread-safe. The agent's state lives on its loop thread (see {@link AgentLoop}); the methods here
 * only read published values or hand work over.
 */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  private final AgentConfig config;
  private final ScheduledExecutorService loopExecutor;
  private final ExecutorService fileReader;
  private final AgentLoop loop;
  private final HttpServer http;
  private final SandboxCollector gc;
  private final io.mezzo.core.metrics.ProcessMetrics metrics;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Agent(AgentConfig config, ScheduledExecutorService loopExecutor, ExecutorService fileReader,
      AgentLoop loop, HttpServer http, SandboxCollector gc, io.mezzo.core.metrics.ProcessMetrics metrics) {
    this.metrics = metrics;
    this.config = config;
    this.loopExecutor = loopExecutor;
    this.fileReader = fileReader;
    this.loop = loop;
    this.http = http;
    this.gc = gc;
  }

  /**
   * Starts an agent: creates the work directory, detects resources if none are given, binds HTTP and
   * starts connecting to the master.
   *
   * @throws IllegalArgumentException if the work directory holds an invalid {@code agent.id}
   * @throws IllegalStateException if the port cannot be bound
   * @throws UncheckedIOException if the work directory cannot be created
   */
  public static Agent start(AgentConfig config) {
    return start(config, io.mezzo.agent.isolation.IsolationConfig.defaults(), RecoveryMode.RECONNECT);
  }

  /** As {@link #start(AgentConfig)}, isolating tasks as {@code isolation} says. */
  public static Agent start(AgentConfig config, io.mezzo.agent.isolation.IsolationConfig isolation) {
    return start(config, isolation, RecoveryMode.RECONNECT);
  }

  /** As {@link #start(AgentConfig)}, recovering a previous run's tasks as {@code recovery} says. */
  public static Agent start(AgentConfig config, RecoveryMode recovery) {
    return start(config, io.mezzo.agent.isolation.IsolationConfig.defaults(), recovery);
  }

  /**
   * Starts an agent. Tasks are isolated as {@code isolation} says (the chosen isolator and the
   * reason are logged). First it recovers the tasks a previous run checkpointed in the work
   * directory: re-adopts the running ones ({@link RecoveryMode#RECONNECT}) or kills them
   * ({@link RecoveryMode#CLEANUP}), and reports those that ended meanwhile with their real exit status.
   *
   * @throws IllegalStateException also if {@code isolation} asks for cgroups this machine cannot give
   */
  public static Agent start(AgentConfig config, io.mezzo.agent.isolation.IsolationConfig isolation,
      RecoveryMode recovery) {
    return start(config, isolation, recovery, io.mezzo.agent.user.TaskUserConfig.defaults());
  }

  /**
   * As {@link #start(AgentConfig, io.mezzo.agent.isolation.IsolationConfig, RecoveryMode)}, running
   * tasks as the users {@code users} says (see {@link io.mezzo.agent.user.TaskUsers}; the other
   * overloads use {@link io.mezzo.agent.user.TaskUserConfig#defaults()}: as root, tasks run as their
   * user, {@code nobody} when they name none, and never as root).
   *
   * @throws IllegalArgumentException also if {@code users} names a task user this machine lacks
   */
  public static Agent start(AgentConfig config, io.mezzo.agent.isolation.IsolationConfig isolation,
      RecoveryMode recovery, io.mezzo.agent.user.TaskUserConfig users) {
    return start(config, isolation, recovery, users, io.mezzo.core.auth.Security.NONE, io.mezzo.core.auth.Caller.NONE);
  }

  /**
   * As {@link #start(AgentConfig, io.mezzo.agent.isolation.IsolationConfig, RecoveryMode)}, checking
   * callers of the agent's HTTP API against {@code security} and calling the master as {@code master}
   * (an {@code agent} principal's secret; TLS when the master speaks it).
   */
  public static Agent start(AgentConfig config, io.mezzo.agent.isolation.IsolationConfig isolation,
      RecoveryMode recovery, io.mezzo.core.auth.Security security, io.mezzo.core.auth.Caller master) {
    return start(config, isolation, recovery, io.mezzo.agent.user.TaskUserConfig.defaults(), security, master);
  }

  /** The agent with its task users, its HTTP API's security and its credentials towards the master. */
  public static Agent start(AgentConfig config, io.mezzo.agent.isolation.IsolationConfig isolation,
      RecoveryMode recovery, io.mezzo.agent.user.TaskUserConfig users, io.mezzo.core.auth.Security security,
      io.mezzo.core.auth.Caller master) {
    return start(config, isolation, recovery, users, security, master, io.mezzo.agent.image.AgentImageConfig.defaults());
  }

  /**
   * As the overload before, with the image store of container tasks reaching registries as
   * {@code images} says (insecure registries, credentials, timeout) and collected on its schedule
   * (see {@link io.mezzo.agent.image.ImageCollector}); the other overloads use
   * {@link io.mezzo.agent.image.AgentImageConfig#defaults()}.
   */
  public static Agent start(AgentConfig config, io.mezzo.agent.isolation.IsolationConfig isolation,
      RecoveryMode recovery, io.mezzo.agent.user.TaskUserConfig users, io.mezzo.core.auth.Security security,
      io.mezzo.core.auth.Caller master, io.mezzo.agent.image.AgentImageConfig images) {
    security.checkBind(config.bindHost(), config.port());
    try {
      Files.createDirectories(config.workDir());
    } catch (IOException e) {
      throw new UncheckedIOException("workDir: cannot create " + config.workDir() + ": " + e.getMessage(), e);
    }
    Optional<AgentId> savedId = AgentIdFile.read(config.workDir());
    Resources resources = config.resources() != null ? config.resources() : ResourceDetector.detect(config.workDir());
    SandboxFiles files;
    try {
      files = new SandboxFiles(config.workDir());
    } catch (IOException e) {
      throw new UncheckedIOException("workDir: cannot resolve " + config.workDir() + ": " + e.getMessage(), e);
    }
    ScheduledExecutorService loopExecutor = Executors.newSingleThreadScheduledExecutor(daemon("agent-loop"));
    ExecutorService fileReader = Executors.newSingleThreadExecutor(daemon("agent-files"));
    JsonClient client = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10), master);
    io.mezzo.agent.isolation.Isolators.Selection isolator =
        io.mezzo.agent.isolation.Isolators.select(isolation, java.time.Clock.systemUTC());
    LOG.info("isolation: {} ({})", isolator.isolator().name(), isolator.reason());
    AgentLoop loop = new AgentLoop(config, resources, savedId, loopExecutor, client,
        new io.mezzo.agent.task.TaskIsolation(isolator.isolator(), isolation), isolation.monitorInterval(), images);
    try {
      loop.taskUsers(io.mezzo.agent.user.TaskUsers.start(users, config.hostname(), config.workDir()));
    } catch (RuntimeException e) {
      loopExecutor.shutdownNow();
      fileReader.shutdownNow();
      throw e;
    }
    io.mezzo.core.metrics.ProcessMetrics metrics = io.mezzo.core.metrics.ProcessMetrics.create("agent");
    AgentMeters meters = new AgentMeters(metrics.registry());
    metrics.beforeScrape(() -> loop.meterSnapshot().thenAccept(meters::publish));
    loop.imageCollector().ifPresent(meters::imageGc);
    HttpServer http;
    try {
      http = AgentHttp.start(config.bindHost(), config.port(), security, loop::state, files, fileReader,
          loop::statistics, metrics, () -> loop.images(fileReader));
    } catch (RuntimeException e) {
      metrics.close();
      loopExecutor.shutdownNow();
      fileReader.shutdownNow();
      throw e;
    }
    try {
      loop.recover(recovery);
    } catch (RuntimeException e) {
      http.close();
      metrics.close();
      loopExecutor.shutdownNow();
      fileReader.shutdownNow();
      throw e;
    }
    loop.start(http.port());
    SandboxCollector gc = SandboxCollector.start(config.workDir(), config.gcDelay(),
        () -> loop.state().thenApply(s -> trackedSandboxes((AgentStateView) s)), loopExecutor, java.time.Clock.systemUTC());
    meters.sandboxGc(gc::runs, gc::removed);
    LOG.info("agent listening on {}:{} with {}; master {}{}", config.bindHost(), http.port(), resources,
        config.masterHostPort(), savedId.map(id -> ", id " + id).orElse(""));
    return new Agent(config, loopExecutor, fileReader, loop, http, gc, metrics);
  }

  /** The HTTP port actually bound. */
  public int port() {
    return http.port();
  }

  /** The HTTP route table (every endpoint and its access level). */
  public List<HttpServer.Route> routes() {
    return http.routes();
  }

  /** The id the master gave this agent, once it has subscribed. */
  public Optional<AgentId> agentId() {
    return loop.agentId();
  }

  /** Stops the agent and kills every task it runs (SIGTERM, SIGKILL after the grace period). Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    loop.link().close();
    gc.close();
    List<TaskManager.Running> running = List.of();
    try {
      running = loop.terminateAll();
    } catch (IllegalStateException e) {
      LOG.error("cannot stop tasks cleanly", e);
    }
    if (!running.isEmpty()) {
      LOG.info("stopping {} task(s): SIGTERM, SIGKILL after {} ms", running.size(), config.killGracePeriod().toMillis());
      awaitExits(running, config.killGracePeriod());
      // Whether or not the main processes are gone, nothing may be left in their groups.
      running.forEach(r -> ProcessGroups.signal(r.pgid(), "KILL"));
      awaitExits(running, Duration.ofSeconds(5));
    }
    loop.destroyContainers();
    http.close();
    metrics.close();
    loopExecutor.shutdownNow();
    fileReader.shutdownNow();
    try {
      loopExecutor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("agent stopped");
  }

  private static void awaitExits(List<TaskManager.Running> running, Duration timeout) {
    CompletableFuture<?>[] exits = running.stream().map(TaskManager.Running::exit).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(exits).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // SIGKILL follows, or the caller gives up
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static java.util.Set<java.nio.file.Path> trackedSandboxes(AgentStateView state) {
    java.util.Set<java.nio.file.Path> out = new java.util.HashSet<>();
    state.tasks().stream().filter(t -> t.sandbox() != null).forEach(t -> out.add(java.nio.file.Path.of(t.sandbox())));
    return out;
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
