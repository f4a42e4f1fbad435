package io.mezzo.master.state;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * The master's record of one task: what was launched and every state it was reported in. Soft
 * state, rebuilt from agents when they resubscribe. Owned by the master loop thread.
 */
public final class TaskEntry {
  public final TaskInfo info;
  public final FrameworkId frameworkId;
  public final AgentId agentId;
  public final Resources resources;
  /** The role the task's resources are allocated to (the offer's allocation role). */
  public final String role;
  public TaskStatus latest;
  public final List<TaskStatus> statuses = new ArrayList<>();
  /** The executor of the task group this task belongs to, or null for a command task. */
  public String executorId;
  /** Whether the resources still count as used on the agent. */
  public boolean holdsResources;

  public TaskEntry(TaskInfo info, FrameworkId frameworkId, AgentId agentId, Resources resources, String role,
      TaskStatus initial) {
    this.info = info;
    this.role = role;
    this.frameworkId = frameworkId;
    this.agentId = agentId;
    this.resources = resources;
    record(initial);
  }

  public TaskState state() {
    return latest.state();
  }

  public void record(TaskStatus status) {
    latest = status;
    statuses.add(status);
    if (statuses.size() > 32) {
      statuses.remove(1);
    }
  }
}
