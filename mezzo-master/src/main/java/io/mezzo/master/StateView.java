package io.mezzo.master;

import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.master.state.AgentEntry;
import io.mezzo.master.state.FrameworkEntry;
import io.mezzo.master.state.OfferEntry;
import io.mezzo.master.state.TaskEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds {@code /master/state} in the JSON shape Mesos serves (agents under {@code slaves}, resource
 * maps such as {@code {"cpus":4.0,"ports":"[31000-32000]"}}), so that tools written for Mesos read
 * it. Runs on the master loop, which owns what it reads.
 */
final class StateView {
  static final String VERSION = "1.11.0";

  private StateView() {}

  static Map<String, Object> build(MasterLoop m, String pid, double startTime) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("version", VERSION);
    out.put("mezzo_version", Master.VERSION);
    out.put("id", m.masterId());
    out.put("pid", pid);
    out.put("leader", pid);
    out.put("hostname", pid.substring(pid.indexOf('@') + 1, pid.lastIndexOf(':')));
    out.put("start_time", startTime);
    out.put("elected_time", startTime);
    int active = 0;
    int deactivated = 0;
    int unreachable = 0;
    List<Object> slaves = new ArrayList<>();
    for (AgentEntry a : m.agents().values()) {
      switch (a.status) {
        case ACTIVE -> active++;
        case DISCONNECTED -> deactivated++;
        case UNREACHABLE -> unreachable++;
        default -> { }
      }
      if (a.status == AgentEntry.Status.UNREACHABLE) {
        continue;
      }
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("id", a.id.value());
      s.put("pid", "slave(1)@" + a.info.hostname() + ":" + a.info.port());
      s.put("hostname", a.info.hostname());
      s.put("port", a.info.port());
      s.put("registered_time", a.registeredTime);
      if (a.reregisteredTime > 0) {
        s.put("reregistered_time", a.reregisteredTime);
      }
      s.put("resources", a.total.toStateMap());
      s.put("used_resources", a.used.toStateMap());
      s.put("offered_resources", a.offered.toStateMap());
      if (!a.usage.isEmpty()) {
        s.put("task_usage", a.usage); // the last HEARTBEAT's per-task usage, at most one heartbeat old
      }
      Map<String, Object> reserved = new LinkedHashMap<>();
      for (String role : a.total.reservationRoles()) {
        reserved.put(role, a.total.reservedTo(role).toStateMap());
      }
      s.put("reserved_resources", reserved);
      s.put("unreserved_resources", a.total.unreserved().toStateMap());
      s.put("attributes", Map.of());
      io.mezzo.master.operator.AgentMaintenance maintenance = m.operator().maintenance().get(a.id);
      s.put("active", a.isActive() && maintenance == null);
      s.put("deactivated", !a.isActive() || maintenance != null);
      if (maintenance != null && maintenance.inDrain()) {
        s.put("drain_info", Map.of("state", maintenance.mode().name()));
      }
      s.put("version", VERSION);
      slaves.add(s);
    }
    out.put("activated_slaves", active);
    out.put("deactivated_slaves", deactivated);
    out.put("unreachable_slaves", unreachable);
    out.put("slaves", slaves);
    List<Object> frameworks = new ArrayList<>();
    for (FrameworkEntry f : m.frameworks().values()) {
      frameworks.add(framework(f, m));
    }
    out.put("frameworks", frameworks);
    List<Object> completed = new ArrayList<>();
    for (FrameworkEntry f : m.completedFrameworks()) {
      completed.add(framework(f, m));
    }
    out.put("completed_frameworks", completed);
    out.put("orphan_tasks", List.of());
    out.put("unregistered_frameworks", List.of());
    return out;
  }

  static Map<String, Object> framework(FrameworkEntry f, MasterLoop m) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", f.id.value());
    out.put("name", f.info.name());
    out.put("user", f.info.user());
    out.put("hostname", f.info.hostname() == null ? "" : f.info.hostname());
    out.put("webui_url", f.info.webuiUrl() == null ? "" : f.info.webuiUrl());
    out.put("role", f.roles().get(0));
    out.put("roles", f.roles());
    out.put("principal", f.info.principal());
    out.put("failover_timeout", f.info.failoverTimeout() == null ? 0.0 : f.info.failoverTimeout());
    out.put("checkpoint", Boolean.TRUE.equals(f.info.checkpoint()));
    out.put("capabilities", f.info.capabilities() == null ? List.of()
        : f.info.capabilities().stream().map(c -> c.type()).toList());
    out.put("active", f.isConnected() && !f.suppressed());
    out.put("connected", f.isConnected());
    out.put("recovered", false);
    out.put("registered_time", f.registeredTime);
    out.put("unregistered_time", f.unregisteredTime);
    Resources used = Resources.EMPTY;
    List<Object> tasks = new ArrayList<>();
    List<Object> unreachable = new ArrayList<>();
    for (TaskEntry t : f.tasks.values()) {
      if (t.holdsResources) {
        used = used.plus(t.resources);
      }
      (t.state() == io.mezzo.core.model.TaskState.TASK_UNREACHABLE ? unreachable : tasks).add(task(t, f));
    }
    Resources offered = Resources.EMPTY;
    List<Object> offers = new ArrayList<>();
    for (io.mezzo.core.model.OfferId id : f.offers) {
      OfferEntry o = m.offers().get(id);
      if (o != null) {
        offered = offered.plus(o.resources());
        Map<String, Object> offer = new LinkedHashMap<>();
        offer.put("id", o.id().value());
        offer.put("framework_id", f.id.value());
        offer.put("slave_id", o.agentId().value());
        offer.put("resources", o.resources().toStateMap());
        offers.add(offer);
      }
    }
    out.put("resources", used.plus(offered).toStateMap());
    out.put("used_resources", used.toStateMap());
    out.put("offered_resources", offered.toStateMap());
    out.put("tasks", tasks);
    out.put("unreachable_tasks", unreachable);
    List<Object> completed = new ArrayList<>();
    for (TaskEntry t : f.completed) {
      completed.add(task(t, f));
    }
    out.put("completed_tasks", completed);
    out.put("offers", offers);
    out.put("executors", List.of());
    return out;
  }

  private static Map<String, Object> task(TaskEntry t, FrameworkEntry f) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", t.info.taskId().value());
    out.put("name", t.info.name());
    out.put("framework_id", f.id.value());
    out.put("executor_id", t.executorId == null ? "" : t.executorId);
    out.put("slave_id", t.agentId.value());
    out.put("state", t.state().name());
    out.put("resources", t.resources.toStateMap());
    out.put("role", t.role);
    List<Object> statuses = new ArrayList<>();
    for (TaskStatus s : t.statuses) {
      Map<String, Object> st = new LinkedHashMap<>();
      st.put("state", s.state().name());
      st.put("timestamp", s.timestamp());
      if (s.message() != null) {
        st.put("message", s.message());
      }
      statuses.add(st);
    }
    out.put("statuses", statuses);
    return out;
  }
}
