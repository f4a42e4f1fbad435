package io.mezzo.core.agentapi;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;

/**
 * An event on an agent's subscription stream from the master (RecordIO-framed JSON).
 *
 * <ul>
 *   <li>{@code SUBSCRIBED}: the agent's id and the heartbeat interval it must keep.
 *   <li>{@code LAUNCH}: run {@code task} for {@code framework_id}; {@code framework_user} is the
 *       framework's {@code FrameworkInfo.user} (as Mesos's {@code RunTaskMessage} carries the
 *       framework), the user the task runs as when its command names none.
 *   <li>{@code KILL}: SIGTERM the task's process group, SIGKILL after {@code grace_period_seconds}.
 *   <li>{@code ACKNOWLEDGE}: the framework acknowledged the update with {@code uuid}; the agent drops
 *       it and sends the task's next pending update.
 *   <li>{@code HEARTBEAT}: sent every heartbeat interval so the agent can tell a silent master.
 *   <li>{@code ERROR}: the master refuses the agent; the message says why.
 * </ul>
 */
public record AgentEvent(
    Type type,
    Subscribed subscribed,
    Launch launch,
    Kill kill,
    Acknowledge acknowledge,
    Error error) {

  /** Agent event types. */
  public enum Type {
    SUBSCRIBED,
    LAUNCH,
    KILL,
    ACKNOWLEDGE,
    HEARTBEAT,
    ERROR
  }

  /** SUBSCRIBED body. */
  public record Subscribed(AgentId agentId, double heartbeatIntervalSeconds) {}

  /** LAUNCH body; {@code frameworkUser} may be null (no user asked). */
  public record Launch(FrameworkId frameworkId, TaskInfo task, String frameworkUser) {}

  /** KILL body. */
  public record Kill(FrameworkId frameworkId, TaskId taskId, double gracePeriodSeconds) {}

  /** ACKNOWLEDGE body. */
  public record Acknowledge(FrameworkId frameworkId, TaskId taskId, String uuid) {}

  /** ERROR body. */
  public record Error(String message) {}

  public static AgentEvent subscribed(AgentId id, double heartbeatSeconds) {
    return new AgentEvent(Type.SUBSCRIBED, new Subscribed(id, heartbeatSeconds), null, null, null, null);
  }

  public static AgentEvent launch(FrameworkId framework, TaskInfo task) {
    return launch(framework, task, null);
  }

  public static AgentEvent launch(FrameworkId framework, TaskInfo task, String frameworkUser) {
    return new AgentEvent(Type.LAUNCH, null, new Launch(framework, task, frameworkUser), null, null, null);
  }

  public static AgentEvent kill(FrameworkId framework, TaskId task, double graceSeconds) {
    return new AgentEvent(Type.KILL, null, null, new Kill(framework, task, graceSeconds), null, null);
  }

  public static AgentEvent acknowledge(FrameworkId framework, TaskId task, String uuid) {
    return new AgentEvent(Type.ACKNOWLEDGE, null, null, null, new Acknowledge(framework, task, uuid), null);
  }

  public static AgentEvent heartbeat() {
    return new AgentEvent(Type.HEARTBEAT, null, null, null, null, null);
  }

  public static AgentEvent error(String message) {
    return new AgentEvent(Type.ERROR, null, null, null, null, new Error(message));
  }
}
