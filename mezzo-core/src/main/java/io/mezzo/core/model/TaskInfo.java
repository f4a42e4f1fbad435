package io.mezzo.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A task description as frameworks send it in a LAUNCH operation (Mesos v1 shape). Mezzo runs
 * command tasks; {@code executor} and {@code container} are kept so that validation can refuse
 * what is not supported yet with a clear reason instead of ignoring it. {@code health_check} and
 * {@code check} are run by the agent next to the task.
 */
public record TaskInfo(
    String name,
    TaskId taskId,
    AgentId agentId,
    List<Resource> resources,
    CommandInfo command,
    JsonNode executor,
    JsonNode container,
    Labels labels,
    KillPolicy killPolicy,
    HealthCheck healthCheck,
    CheckInfo check) {

  public TaskInfo(String name, TaskId taskId, AgentId agentId, List<Resource> resources, CommandInfo command,
      JsonNode executor, JsonNode container, Labels labels, KillPolicy killPolicy) {
    this(name, taskId, agentId, resources, command, executor, container, labels, killPolicy, null, null);
  }

  public TaskInfo(String name, TaskId taskId, AgentId agentId, List<Resource> resources, CommandInfo command,
      JsonNode executor, JsonNode container, Labels labels) {
    this(name, taskId, agentId, resources, command, executor, container, labels, null, null, null);
  }

  /** How a task is killed: {@code grace_period} between SIGTERM and SIGKILL. */
  public record KillPolicy(DurationInfo gracePeriod) {
    /** The grace period in seconds, or null when not given. */
    public Double gracePeriodSeconds() {
      return gracePeriod == null ? null : gracePeriod.nanoseconds() / 1e9;
    }
  }

  /** A duration in the Mesos shape ({@code {"nanoseconds": ...}}). */
  public record DurationInfo(long nanoseconds) {}

  /** Free-form key/value labels. */
  public record Labels(List<Label> labels) {}

  /** One label. */
  public record Label(String key, String value) {}

  public TaskInfo withAgentId(AgentId id) {
    return new TaskInfo(name, taskId, id, resources, command, executor, container, labels, killPolicy, healthCheck, check);
  }
}
