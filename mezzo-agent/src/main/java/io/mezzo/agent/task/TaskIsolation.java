package io.mezzo.agent.task;

import io.mezzo.agent.isolation.IsolationConfig;
import io.mezzo.agent.isolation.Isolator;
import io.mezzo.agent.isolation.Limits;
import io.mezzo.agent.isolation.Usage;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.TaskInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies an {@link Isolator} to the {@link TaskManager}'s tasks: a container per task run (named by
 * the run id of its sandbox) limited to the task's {@code cpus} and {@code mem} plus the configured
 * headroom; a usage sample per task every monitor interval, with the cpu rate since the previous one;
 * the memory limitation looked for while the task runs and once more when it exits, before its
 * container is destroyed.
 *
 * <p>Owner: the agent loop, like the tasks it reads and writes.
 */
public final class TaskIsolation {
  /** The Mesos reason of a task killed for exceeding its memory. */
  public static final String REASON_MEMORY = "REASON_CONTAINER_LIMITATION_MEMORY";

  private final Isolator isolator;
  private final long headroomBytes;
  private final boolean hardCpu;
  /** Containers that may still hold processes: container id to main pid. */
  private final Map<String, Long> live = new LinkedHashMap<>();

  public TaskIsolation(Isolator isolator, IsolationConfig config) {
    this.isolator = isolator;
    this.headroomBytes = config.memoryHeadroomBytes();
    this.hardCpu = config.enableCfs();
  }

  /** No isolation and no measurement, for agents built without one. */
  static TaskIsolation none() {
    return new TaskIsolation(null, IsolationConfig.defaults());
  }

  /** One task's latest usage: {@code cpusUsed} is its cpu rate (cpus) over the last interval. */
  public record Sample(FrameworkId frameworkId, TaskInfo task, Usage usage, double cpusUsed) {}

  public String isolatorName() {
    return isolator == null ? "none" : isolator.name();
  }

  /** Creates the task's container; returns the cgroup files its process joins. */
  List<Path> prepare(Task task) throws IOException {
    if (isolator == null) {
      return List.of();
    }
    adopt(task);
    return isolator.prepare(task.containerId, task.limits);
  }

  /**
   * Takes back a task that kept running while the agent was down (recovery): its container is the
   * one named by its sandbox's run id, which {@link #prepare} created before the restart; nothing is
   * created. Its {@code sandbox} and {@code pid} must be set.
   */
  void adopt(Task task) {
    if (isolator == null) {
      return;
    }
    task.containerId = task.sandbox.getFileName().toString();
    double mem = task.resources.scalar("mem");
    task.limits = new Limits(task.resources.scalar("cpus"),
        mem > 0 ? (long) (mem * 1024 * 1024) + headroomBytes : 0, hardCpu);
    live.put(task.containerId, task.pid);
  }

  /** Samples a live task; true if it is out of memory ({@code task.limitation} is then set). */
  boolean check(Task task) {
    if (isolator == null || task.containerId == null) {
      return false;
    }
    live.put(task.containerId, task.pid);
    Optional<Usage> usage = isolator.usage(task.containerId, task.pid, task.limits);
    usage.ifPresent(u -> {
      Usage prev = task.lastUsage;
      if (prev != null && u.timestamp() > prev.timestamp()) {
        task.cpusUsed = Math.max(0, (cpu(u) - cpu(prev)) / (u.timestamp() - prev.timestamp()));
      }
      task.lastUsage = u;
    });
    if (task.limitation == null) {
      isolator.limitation(task.containerId, task.pid, task.limits).ifPresent(m -> task.limitation = m);
    }
    return task.limitation != null;
  }

  /** The task's main process exited: looks for the limitation one last time, then destroys the container. */
  void exited(Task task) {
    if (isolator == null || task.containerId == null) {
      return;
    }
    if (task.limitation == null) {
      isolator.limitation(task.containerId, task.pid, task.limits).ifPresent(m -> task.limitation = m);
    }
    isolator.destroy(task.containerId, task.pid);
    live.remove(task.containerId);
  }

  /** Destroys every container still there, for the agent's shutdown after its tasks were killed. */
  public void destroyAll() {
    if (isolator != null) {
      live.forEach(isolator::destroy);
      live.clear();
    }
  }

  private static double cpu(Usage u) {
    return (u.cpusUserTimeSecs() == null ? 0 : u.cpusUserTimeSecs())
        + (u.cpusSystemTimeSecs() == null ? 0 : u.cpusSystemTimeSecs());
  }
}
