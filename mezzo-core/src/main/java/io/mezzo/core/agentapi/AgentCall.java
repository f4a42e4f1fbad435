package io.mezzo.core.agentapi;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.AgentInfo;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskStatus;
import java.util.List;

/**
 * A call from an agent to the master on {@code POST /api/v1/agent} (Mezzo's own agent protocol,
 * JSON in the same conventions as the Mesos v1 APIs).
 *
 * <ul>
 *   <li>{@code SUBSCRIBE}: answered with a RecordIO stream of {@link AgentEvent}s, the first being
 *       {@code SUBSCRIBED} with the agent's id. An agent that has an id sends it in
 *       {@code agent_info.id} together with every task it still tracks ({@code tasks}), so that the
 *       master can readmit it and rebuild its task state.
 *   <li>{@code HEARTBEAT}: proof of life, every {@code heartbeat_interval_seconds}; 202, or 404 when
 *       the master does not know the agent (it must subscribe again). Carries in {@code heartbeat.usage}
 *       the latest usage sample of each running task (omitted by agents that measure nothing).
 *   <li>{@code UPDATE}: a task status update carrying a uuid; the agent resends it until the master
 *       relays the framework's {@code ACKNOWLEDGE} event.
 * </ul>
 */
public record AgentCall(Type type, AgentId agentId, Subscribe subscribe, Update update, Heartbeat heartbeat) {

  /** Agent call types. */
  public enum Type {
    SUBSCRIBE,
    HEARTBEAT,
    UPDATE
  }

  /** SUBSCRIBE body. */
  public record Subscribe(AgentInfo agentInfo, List<AgentTask> tasks) {}

  /** UPDATE body. */
  public record Update(FrameworkId frameworkId, TaskStatus status) {}

  /** HEARTBEAT body: the running tasks' usage, sampled at most one monitor interval ago. */
  public record Heartbeat(List<TaskUsage> usage) {}

  /**
   * One running task's usage, compact: {@code cpus_used} is its cpu rate over the agent's last sampling
   * interval; the times are cumulative seconds of its whole process tree; {@code timestamp} is when it
   * was sampled (seconds since the epoch).
   */
  public record TaskUsage(FrameworkId frameworkId, TaskId taskId, double cpusUsed, double cpusUserTimeSecs,
      double cpusSystemTimeSecs, long memRssBytes, Long memLimitBytes, double timestamp) {}

  /** A task the agent tracks, with its latest status. */
  public record AgentTask(FrameworkId frameworkId, TaskInfo task, TaskStatus status) {}

  public static AgentCall subscribe(AgentInfo info, List<AgentTask> tasks) {
    return new AgentCall(Type.SUBSCRIBE, info.id(), new Subscribe(info, tasks), null, null);
  }

  public static AgentCall heartbeat(AgentId id) {
    return new AgentCall(Type.HEARTBEAT, id, null, null, null);
  }

  /** A HEARTBEAT carrying the running tasks' usage; a plain one when {@code usage} is empty. */
  public static AgentCall heartbeat(AgentId id, List<TaskUsage> usage) {
    return new AgentCall(Type.HEARTBEAT, id, null, null, usage.isEmpty() ? null : new Heartbeat(List.copyOf(usage)));
  }

  public static AgentCall update(AgentId id, FrameworkId framework, TaskStatus status) {
    return new AgentCall(Type.UPDATE, id, null, new Update(framework, status), null);
  }
}
