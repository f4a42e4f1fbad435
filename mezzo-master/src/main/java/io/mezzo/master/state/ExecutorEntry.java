package io.mezzo.master.state;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The executor of one task group (LAUNCH_GROUP). Mezzo plays Mesos's DEFAULT executor itself: the
 * group's tasks run as command tasks on one agent, {@link #resources} stay held while any task in
 * {@link #live} has not reached a terminal state. Soft state, owned by the master loop thread.
 */
public final class ExecutorEntry {
  public final String id;
  public final AgentId agentId;
  public final String role;
  public final Resources resources;
  /** Tasks of the group not yet in a terminal state. */
  public final Set<TaskId> live = new LinkedHashSet<>();

  public ExecutorEntry(String id, AgentId agentId, String role, Resources resources) {
    this.id = id;
    this.agentId = agentId;
    this.role = role;
    this.resources = resources;
  }
}
