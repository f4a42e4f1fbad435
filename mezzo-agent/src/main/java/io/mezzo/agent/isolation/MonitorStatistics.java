package io.mezzo.agent.isolation;

import io.mezzo.agent.task.TaskIsolation;
import io.mezzo.core.agentapi.AgentCall;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON of {@code GET /monitor/statistics}, in the shape Mesos agents answer it: an array with one
 * entry per running task, whose command executor shares the task's id. Also the compact per-task
 * summary sent with heartbeats. Pure.
 */
public final class MonitorStatistics {
  private MonitorStatistics() {}

  /** One entry: {@code executor_id}, {@code executor_name}, {@code framework_id}, {@code source}, {@code statistics}. */
  public record Entry(String executorId, String executorName, String frameworkId, String source, Usage statistics) {}

  public static List<Entry> of(List<TaskIsolation.Sample> samples) {
    List<Entry> out = new ArrayList<>();
    for (TaskIsolation.Sample s : samples) {
      String id = s.task().taskId().value();
      String command = s.task().command() == null ? "" : s.task().command().value();
      out.add(new Entry(id, "Command Executor (Task: " + id + ") (Command: sh -c '" + command + "')",
          s.frameworkId().value(), id, s.usage()));
    }
    return out;
  }

  public static List<AgentCall.TaskUsage> summary(List<TaskIsolation.Sample> samples) {
    List<AgentCall.TaskUsage> out = new ArrayList<>();
    for (TaskIsolation.Sample s : samples) {
      Usage u = s.usage();
      out.add(new AgentCall.TaskUsage(s.frameworkId(), s.task().taskId(), round(s.cpusUsed()),
          orZero(u.cpusUserTimeSecs()), orZero(u.cpusSystemTimeSecs()),
          u.memRssBytes() == null ? 0 : u.memRssBytes(), u.memLimitBytes(), u.timestamp()));
    }
    return List.copyOf(out);
  }

  private static double orZero(Double d) {
    return d == null ? 0 : d;
  }

  private static double round(double cpus) {
    return Math.round(cpus * 1000) / 1000.0;
  }
}
