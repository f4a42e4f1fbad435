package io.mezzo.master.operator;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.master.state.AgentEntry;
import io.mezzo.master.state.FrameworkEntry;
import io.mezzo.master.state.TaskEntry;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the operator API adds to the master's state: role configuration (weights, quotas) and agent
 * maintenance orders, both hard state mirrored in ZooKeeper by the caller; the event subscribers;
 * and the metrics. The master loop calls the {@code on*} hooks as its state changes. Owned by the
 * master loop thread.
 */
public final class OperatorState {
  private final RoleConfigs roles = new RoleConfigs();
  private final Map<AgentId, AgentMaintenance> maintenance = new LinkedHashMap<>();
  private final OperatorEvents events = new OperatorEvents();
  private final MasterMetrics metrics = new MasterMetrics();

  public RoleConfigs roles() {
    return roles;
  }

  public Map<AgentId, AgentMaintenance> maintenance() {
    return maintenance;
  }

  public OperatorEvents events() {
    return events;
  }

  public MasterMetrics metrics() {
    return metrics;
  }

  /** False while an operator keeps the agent out of service (deactivated, draining, drained, gone). */
  public boolean mayOffer(AgentId agent) {
    return !maintenance.containsKey(agent);
  }

  public AgentMaintenance.Mode mode(AgentId agent) {
    AgentMaintenance m = maintenance.get(agent);
    return m == null ? null : m.mode();
  }

  // ---------------------------------------------------------------- hooks

  public void onTaskAdded(TaskEntry t) {
    events.publish("TASK_ADDED", "task_added", Map.of("task", OperatorViews.task(t)));
  }

  public void onTaskUpdated(TaskEntry t, TaskStatus status) {
    if (status.state().isTerminal()) {
      metrics.taskTerminal(status.state());
    }
    if (!events.isEmpty()) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("framework_id", t.frameworkId);
      body.put("status", status);
      body.put("state", t.state().name());
      events.publish("TASK_UPDATED", "task_updated", body);
    }
  }

  public void onAgentAdded(AgentEntry a) {
    if (!events.isEmpty()) {
      events.publish("AGENT_ADDED", "agent_added", Map.of("agent", OperatorViews.agent(a, maintenance.get(a.id))));
    }
  }

  public void onAgentRemoved(AgentId id) {
    events.publish("AGENT_REMOVED", "agent_removed", Map.of("agent_id", id));
  }

  public void onFrameworkAdded(FrameworkEntry f) {
    if (!events.isEmpty()) {
      events.publish("FRAMEWORK_ADDED", "framework_added", Map.of("framework", OperatorViews.framework(f, null)));
    }
  }

  public void onFrameworkUpdated(FrameworkEntry f) {
    if (!events.isEmpty()) {
      events.publish("FRAMEWORK_UPDATED", "framework_updated", Map.of("framework", OperatorViews.framework(f, null)));
    }
  }

  public void onFrameworkRemoved(FrameworkEntry f) {
    events.publish("FRAMEWORK_REMOVED", "framework_removed", Map.of("framework_info", f.info));
  }

  public void onAllocationRun(long nanos) {
    metrics.allocationRun(nanos);
  }
}
