package io.mezzo.agent;

import io.mezzo.agent.task.TaskIsolation;
import io.mezzo.agent.task.TaskView;
import io.mezzo.core.model.TaskState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The agent's Prometheus meters: tasks per state ({@code mezzo_agent_tasks{state}}), each live task's
 * usage ({@code mezzo_task_cpu_seconds_total}, user and system time of its process tree;
 * {@code mezzo_task_memory_rss_bytes}; labelled {@code task_id} and {@code framework_id}) and the
 * sandbox collector's work ({@code mezzo_agent_sandbox_gc_runs_total},
 * {@code mezzo_agent_sandbox_gc_removed_total}) and, when the agent collects images, the image store's
 * ({@code mezzo_agent_image_store_bytes}, {@code mezzo_agent_image_gc_runs_total},
 * {@code mezzo_agent_images_removed_total}).
 *
 * <p>A task's series exist while it is live and sampled: {@link #publish} drops the series of tasks
 * that ended, so the label set stays as large as the running tasks, not as every task ever run.
 *
 * <p>{@link #publish} runs on the agent loop (the owner of the tasks) and takes an immutable
 * {@link Snapshot}; gauges and counters read that snapshot through a volatile field. Thread-safe.
 */
final class AgentMeters {
  /** One live task's last usage sample. */
  record TaskUsage(String taskId, String frameworkId, double cpuSeconds, double rssBytes) {}

  /** Task counts per state and the live tasks' usage. Immutable. */
  record Snapshot(Map<TaskState, Integer> tasks, Map<String, TaskUsage> usage) {
    static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of());
  }

  private final MeterRegistry registry;
  private volatile Snapshot snapshot = Snapshot.EMPTY;
  /** The meters of each task with series, by task id; changed by {@link #publish} only (synchronized). */
  private final Map<String, List<Meter>> taskMeters = new HashMap<>();

  AgentMeters(MeterRegistry registry) {
    this.registry = registry;
    for (TaskState s : TaskState.values()) {
      Gauge.builder("mezzo_agent_tasks", this, m -> m.snapshot.tasks().getOrDefault(s, 0))
          .description("tasks this agent tracks, per state").tag("state", s.name()).register(registry);
    }
  }

  /** Counts the sandbox collector's rounds and removals (read at scrape time). */
  void sandboxGc(LongSupplier runs, LongSupplier removed) {
    FunctionCounter.builder("mezzo_agent_sandbox_gc_runs", runs, LongSupplier::getAsLong)
        .description("rounds of sandbox garbage collection").register(registry);
    FunctionCounter.builder("mezzo_agent_sandbox_gc_removed", removed, LongSupplier::getAsLong)
        .description("sandboxes of finished tasks deleted").register(registry);
  }

  /** The image store's size and its collector's removals (read at scrape time). */
  void imageGc(io.mezzo.agent.image.ImageCollector gc) {
    Gauge.builder("mezzo_agent_image_store", gc, io.mezzo.agent.image.ImageCollector::storeBytes)
        .description("bytes of the images in the agent's image store").baseUnit("bytes").register(registry);
    FunctionCounter.builder("mezzo_agent_image_gc_runs", gc, io.mezzo.agent.image.ImageCollector::runs)
        .description("rounds of image garbage collection").register(registry);
    FunctionCounter.builder("mezzo_agent_images_removed", gc, io.mezzo.agent.image.ImageCollector::removedImages)
        .description("images removed by the image store's garbage collection").register(registry);
  }

  /** The snapshot of the loop's tasks ({@code views}) and their last samples ({@code samples}). Pure. */
  static Snapshot snapshot(List<TaskView> views, List<TaskIsolation.Sample> samples) {
    Map<TaskState, Integer> tasks = new EnumMap<>(TaskState.class);
    for (TaskView v : views) {
      tasks.merge(TaskState.valueOf(v.state()), 1, Integer::sum);
    }
    Map<String, TaskUsage> usage = new HashMap<>();
    for (TaskIsolation.Sample s : samples) {
      var u = s.usage();
      double cpu = (u.cpusUserTimeSecs() == null ? 0 : u.cpusUserTimeSecs())
          + (u.cpusSystemTimeSecs() == null ? 0 : u.cpusSystemTimeSecs());
      String id = s.task().taskId().value();
      usage.put(id, new TaskUsage(id, s.frameworkId().value(), cpu,
          u.memRssBytes() == null ? 0 : u.memRssBytes()));
    }
    return new Snapshot(Map.copyOf(tasks), Map.copyOf(usage));
  }

  /** Publishes {@code s}: registers the series of new live tasks, removes those of ended ones. */
  synchronized void publish(Snapshot s) {
    snapshot = s;
    for (var it = taskMeters.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!s.usage().containsKey(e.getKey())) {
        e.getValue().forEach(registry::remove);
        it.remove();
      }
    }
    for (TaskUsage u : s.usage().values()) {
      taskMeters.computeIfAbsent(u.taskId(), id -> {
        Tags tags = Tags.of("task_id", id, "framework_id", u.frameworkId());
        return List.of(
            FunctionCounter.builder("mezzo_task_cpu_seconds", this, m -> m.usage(id).cpuSeconds())
                .description("cpu time of a live task's processes, user and system").baseUnit("seconds")
                .tags(tags).register(registry),
            Gauge.builder("mezzo_task_memory_rss", this, m -> m.usage(id).rssBytes())
                .description("resident memory of a live task's processes").baseUnit("bytes").tags(tags)
                .register(registry));
      });
    }
  }

  private TaskUsage usage(String taskId) {
    TaskUsage u = snapshot.usage().get(taskId);
    return u != null ? u : new TaskUsage(taskId, "", 0, 0);
  }
}
