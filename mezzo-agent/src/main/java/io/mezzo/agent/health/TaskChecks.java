package io.mezzo.agent.health;

import io.mezzo.core.model.CheckStatus;
import io.mezzo.core.model.TaskInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the health checks and checks of the agent's tasks, next to them on this machine (the Mesos
 * command executor's job). Per task and per probe: the first probe {@code delay} after
 * {@link #start}, then one {@code interval} after each result. Probes block, so they run on the
 * {@code agent-checks} threads; their results come back to the agent loop, where
 * {@link HealthPolicy} decides and the {@link Listener} is told. A stopped task's late results are
 * dropped.
 *
 * <p>Owner: the agent loop. {@link #start}, {@link Running#stop} and every {@link Listener} call happen
 * on {@code loop}; only the probes run elsewhere. {@link #close} stops the probe threads.
 */
public final class TaskChecks implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TaskChecks.class);

  /** What the task's owner hears, on the loop. */
  public interface Listener {
    /** The task's health changed (or was found for the first time). */
    void healthChanged(boolean healthy, String detail);

    /** {@code consecutive_failures} health checks in a row failed: the task must be killed. Probing has stopped. */
    void unhealthy(int failures, String detail);

    /** The task's check result changed (or was found for the first time). */
    void checkChanged(CheckStatus status, String detail);
  }

  private final ScheduledExecutorService loop;
  private final ExecutorService probes;
  private final LongSupplier nanoTime;

  public TaskChecks(ScheduledExecutorService loop, LongSupplier nanoTime) {
    this.loop = loop;
    this.nanoTime = nanoTime;
    this.probes = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "agent-checks");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Why {@code task}'s {@code health_check} or {@code check} cannot run ("health_check.http.port: 0
   * (expected: 1..65535)"), or null if both are absent or valid.
   */
  public static String problem(TaskInfo task) {
    try {
      if (task.healthCheck() != null) {
        ProbeSpec.of(task.healthCheck());
      }
      if (task.check() != null) {
        ProbeSpec.of(task.check());
      }
      return null;
    } catch (IllegalArgumentException e) {
      return "task." + e.getMessage();
    }
  }

  /**
   * Starts probing a task that has just started running; null if it has no health check or check.
   * {@code sandbox} and {@code env} are where and with what COMMAND probes run.
   *
   * @throws IllegalArgumentException if a check is invalid (see {@link #problem})
   */
  public Running start(TaskInfo task, Path sandbox, Map<String, String> env, Listener listener) {
    return start(task, sandbox, env, java.util.List.of(), listener);
  }

  /**
   * As {@link #start(TaskInfo, Path, Map, Listener)}, COMMAND probes run through {@code runAs}, the
   * task's user switch ({@link io.mezzo.agent.user.TaskUsers.Choice#argvPrefix}), so they run as the task does.
   */
  public Running start(TaskInfo task, Path sandbox, Map<String, String> env, java.util.List<String> runAs,
      Listener listener) {
    if (task.healthCheck() == null && task.check() == null) {
      return null;
    }
    Running r = new Running(task.taskId().value(), sandbox, Map.copyOf(env), java.util.List.copyOf(runAs), listener,
        nanoTime.getAsLong());
    if (task.healthCheck() != null) {
      r.health = ProbeSpec.of(task.healthCheck());
      r.schedule(r.health, r.health.delay());
    }
    if (task.check() != null) {
      r.check = ProbeSpec.of(task.check());
      r.schedule(r.check, r.check.delay());
    }
    return r;
  }

  @Override
  public void close() {
    probes.shutdownNow();
  }

  /** The probing of one task. Owner: the agent loop. */
  public final class Running {
    private final String taskId;
    private final Path sandbox;
    private final Map<String, String> env;
    private final java.util.List<String> runAs;
    private final Listener listener;
    private final long startedNanos;
    private ProbeSpec health;
    private ProbeSpec check;
    private HealthPolicy.State healthState = HealthPolicy.State.INITIAL;
    private CheckStatus lastCheck;
    private ScheduledFuture<?> nextHealth;
    private ScheduledFuture<?> nextCheck;
    private boolean stopped;

    private Running(String taskId, Path sandbox, Map<String, String> env, java.util.List<String> runAs,
        Listener listener, long startedNanos) {
      this.taskId = taskId;
      this.sandbox = sandbox;
      this.env = env;
      this.runAs = runAs;
      this.listener = listener;
      this.startedNanos = startedNanos;
    }

    /** Stops probing; results of probes in flight are dropped. Idempotent. */
    public void stop() {
      stopped = true;
      if (nextHealth != null) {
        nextHealth.cancel(false);
      }
      if (nextCheck != null) {
        nextCheck.cancel(false);
      }
    }

    private void schedule(ProbeSpec spec, Duration after) {
      if (stopped) {
        return;
      }
      ScheduledFuture<?> f;
      try {
        f = loop.schedule(() -> probe(spec), after.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        return; // the agent is stopping
      }
      if (spec == health) {
        nextHealth = f;
      } else {
        nextCheck = f;
      }
    }

    private void probe(ProbeSpec spec) {
      if (stopped) {
        return;
      }
      try {
        probes.execute(() -> {
          Probes.Result result = Probes.run(spec, sandbox, env, runAs);
          try {
            loop.execute(() -> completed(spec, result));
          } catch (RejectedExecutionException e) {
            // the agent is stopping
          }
        });
      } catch (RejectedExecutionException e) {
        // closed
      }
    }

    private void completed(ProbeSpec spec, Probes.Result result) {
      if (stopped) {
        return;
      }
      if (spec == health) {
        Duration since = Duration.ofNanos(Math.max(0, nanoTime.getAsLong() - startedNanos));
        HealthPolicy.Decision d = HealthPolicy.next(healthState, result.ok(), since, spec);
        healthState = d.next();
        LOG.debug("task {}: health check {}: {}", taskId, result.ok() ? "passed" : "failed", result.detail());
        if (d.report() != null) {
          LOG.info("task {} is {}: {}", taskId, d.report() ? "healthy" : "unhealthy", result.detail());
          listener.healthChanged(d.report(), result.detail());
        }
        if (d.kill()) {
          stop();
          listener.unhealthy(healthState.consecutiveFailures(), result.detail());
          return;
        }
        schedule(spec, spec.interval());
      } else {
        if (!result.status().equals(lastCheck)) {
          lastCheck = result.status();
          LOG.info("task {}: check result {}", taskId, result.detail());
          listener.checkChanged(result.status(), result.detail());
        }
        schedule(spec, spec.interval());
      }
    }
  }
}
