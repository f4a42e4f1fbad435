package io.mezzo.master.operator;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskState;
import io.mezzo.master.state.AgentEntry;
import io.mezzo.master.state.FrameworkEntry;
import io.mezzo.master.state.OfferEntry;
import io.mezzo.master.state.TaskEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the bodies of {@code mesos.v1.master.Response} and {@code Event} messages as JSON-ready
 * maps with the protobuf field names ({@code get_agents.agents[].agent_info}, times as
 * {@code {"nanoseconds": n}}), so that {@code JsonFormat} parses them into the Mesos classes.
 * Pure functions of what they are given; call them on the loop thread, which owns the entries.
 */
public final class OperatorViews {
  public static final String MESOS_VERSION = "1.11.0";

  private OperatorViews() {}

  public static Map<String, Object> response(String type, String field, Object body) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("type", type);
    if (body != null) {
      out.put(field, body);
    }
    return out;
  }

  // ---------------------------------------------------------------- agents

  public static Map<String, Object> getAgents(ClusterView c, Map<AgentId, AgentMaintenance> maintenance) {
    List<Object> agents = new ArrayList<>();
    List<Object> recovered = new ArrayList<>();
    for (AgentEntry a : c.agents().values()) {
      if (a.status == AgentEntry.Status.UNREACHABLE) {
        continue;
      }
      agents.add(agent(a, maintenance.get(a.id)));
    }
    return Map.of("agents", agents, "recovered_agents", recovered);
  }

  public static Map<String, Object> agent(AgentEntry a, AgentMaintenance m) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("agent_info", a.info);
    boolean active = a.isActive() && m == null;
    out.put("active", active);
    out.put("deactivated", !active);
    out.put("version", MESOS_VERSION);
    out.put("pid", "slave(1)@" + a.info.hostname() + ":" + a.info.port());
    out.put("registered_time", time(a.registeredTime));
    if (a.reregisteredTime > 0) {
      out.put("reregistered_time", time(a.reregisteredTime));
    }
    out.put("total_resources", a.total.toList());
    out.put("allocated_resources", a.used.toList());
    out.put("offered_resources", a.offered.toList());
    out.put("capabilities", List.of());
    if (m != null && m.inDrain()) {
      Map<String, Object> config = new LinkedHashMap<>();
      if (m.maxGracePeriodNanos() != null) {
        config.put("max_grace_period", Map.of("nanoseconds", m.maxGracePeriodNanos()));
      }
      config.put("mark_gone", m.markGone());
      out.put("drain_info", Map.of("state", m.mode().name(), "config", config));
    }
    return out;
  }

  // ---------------------------------------------------------------- frameworks

  public static Map<String, Object> getFrameworks(ClusterView c) {
    List<Object> active = new ArrayList<>();
    for (FrameworkEntry f : c.frameworks()) {
      active.add(framework(f, c));
    }
    List<Object> completed = new ArrayList<>();
    for (FrameworkEntry f : c.completedFrameworks()) {
      completed.add(framework(f, c));
    }
    return Map.of("frameworks", active, "completed_frameworks", completed, "recovered_frameworks", List.of());
  }

  public static Map<String, Object> framework(FrameworkEntry f, ClusterView c) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("framework_info", f.info);
    out.put("active", f.isConnected() && !f.suppressed());
    out.put("connected", f.isConnected());
    out.put("recovered", false);
    out.put("registered_time", time(f.registeredTime));
    if (f.unregisteredTime > 0) {
      out.put("unregistered_time", time(f.unregisteredTime));
    }
    List<Object> offers = new ArrayList<>();
    Resources offered = Resources.EMPTY;
    if (c != null) {
      for (OfferEntry o : c.offers()) {
        if (o.frameworkId().equals(f.id)) {
          offered = offered.plus(o.resources());
          AgentEntry agent = c.agents().get(o.agentId());
          offers.add(new Offer(o.id(), f.id, o.agentId(), agent == null ? "" : agent.info.hostname(),
              o.resources().toList(), new Offer.AllocationInfo(f.info.effectiveRole())));
        }
      }
    }
    out.put("offers", offers);
    out.put("allocated_resources", allocated(f).toList());
    out.put("offered_resources", offered.toList());
    return out;
  }

  static Resources allocated(FrameworkEntry f) {
    Resources used = Resources.EMPTY;
    for (TaskEntry t : f.tasks.values()) {
      if (t.holdsResources) {
        used = used.plus(t.resources);
      }
    }
    return used;
  }

  // ---------------------------------------------------------------- tasks

  public static Map<String, Object> getTasks(ClusterView c) {
    List<Object> tasks = new ArrayList<>();
    List<Object> unreachable = new ArrayList<>();
    List<Object> completed = new ArrayList<>();
    for (FrameworkEntry f : c.frameworks()) {
      for (TaskEntry t : f.tasks.values()) {
        (t.state() == TaskState.TASK_UNREACHABLE ? unreachable : tasks).add(task(t));
      }
      for (TaskEntry t : f.completed) {
        completed.add(task(t));
      }
    }
    for (FrameworkEntry f : c.completedFrameworks()) {
      for (TaskEntry t : f.completed) {
        completed.add(task(t));
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("pending_tasks", List.of());
    out.put("tasks", tasks);
    out.put("unreachable_tasks", unreachable);
    out.put("completed_tasks", completed);
    out.put("orphan_tasks", List.of());
    return out;
  }

  public static Map<String, Object> task(TaskEntry t) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", t.info.name());
    out.put("task_id", t.info.taskId());
    out.put("framework_id", t.frameworkId);
    out.put("agent_id", t.agentId);
    out.put("state", t.state().name());
    out.put("resources", t.resources.toList());
    out.put("statuses", List.copyOf(t.statuses));
    out.put("status_update_state", t.state().name());
    if (t.latest.uuid() != null) {
      out.put("status_update_uuid", t.latest.uuid());
    }
    if (t.info.labels() != null) {
      out.put("labels", t.info.labels());
    }
    return out;
  }

  // ---------------------------------------------------------------- state, roles, quota, weights

  public static Map<String, Object> getState(ClusterView c, Map<AgentId, AgentMaintenance> maintenance) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("get_tasks", getTasks(c));
    out.put("get_executors", Map.of("executors", List.of(), "orphan_executors", List.of()));
    out.put("get_frameworks", getFrameworks(c));
    out.put("get_agents", getAgents(c, maintenance));
    return out;
  }

  /** What each known role holds; a role is known when it has frameworks, a weight or a quota. */
  public record RoleUsage(String name, double weight, List<String> frameworks, Resources allocated, Resources offered,
      RoleConfig config) {}

  public static List<RoleUsage> roleUsage(ClusterView c, RoleConfigs configs) {
    Map<String, List<String>> frameworks = new TreeMap<>();
    Map<String, Resources> allocated = new TreeMap<>();
    Map<String, Resources> offered = new TreeMap<>();
    for (String role : configs.all().keySet()) {
      frameworks.put(role, new ArrayList<>());
    }
    for (FrameworkEntry f : c.frameworks()) {
      String role = f.info.effectiveRole();
      frameworks.computeIfAbsent(role, r -> new ArrayList<>()).add(f.id.value());
      allocated.merge(role, allocated(f), Resources::plus);
    }
    Map<io.mezzo.core.model.FrameworkId, String> roleOf = new LinkedHashMap<>();
    c.frameworks().forEach(f -> roleOf.put(f.id, f.info.effectiveRole()));
    for (OfferEntry o : c.offers()) {
      String role = roleOf.get(o.frameworkId());
      if (role != null) {
        offered.merge(role, o.resources(), Resources::plus);
      }
    }
    List<RoleUsage> out = new ArrayList<>();
    frameworks.forEach((role, ids) -> out.add(new RoleUsage(role, configs.weight(role), ids,
        allocated.getOrDefault(role, Resources.EMPTY), offered.getOrDefault(role, Resources.EMPTY), configs.get(role))));
    return out;
  }

  public static Map<String, Object> getRoles(ClusterView c, RoleConfigs configs) {
    List<Object> roles = new ArrayList<>();
    for (RoleUsage r : roleUsage(c, configs)) {
      Map<String, Object> role = new LinkedHashMap<>();
      role.put("name", r.name());
      role.put("weight", r.weight());
      role.put("frameworks", r.frameworks().stream().map(id -> Map.of("value", id)).toList());
      role.put("resources", r.allocated().plus(r.offered()).toList());
      roles.add(role);
    }
    return Map.of("roles", roles);
  }

  public static Map<String, Object> getQuota(RoleConfigs configs) {
    List<Object> list = new ArrayList<>();
    configs.quotas().forEach((role, q) -> {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("role", role);
      c.put("guarantees", scalarMessages(q.guarantees()));
      c.put("limits", scalarMessages(q.limits()));
      list.add(c);
    });
    return Map.of("status", Map.of("configs", list));
  }

  public static Map<String, Object> getWeights(RoleConfigs configs) {
    List<Object> list = new ArrayList<>();
    configs.weights().forEach((role, w) -> list.add(Map.of("role", role, "weight", w)));
    return Map.of("weight_infos", list);
  }

  private static Map<String, Object> scalarMessages(Map<String, Double> scalars) {
    Map<String, Object> out = new TreeMap<>();
    scalars.forEach((k, v) -> out.put(k, Map.of("value", v)));
    return out;
  }

  /** A {@code TimeInfo} from seconds since the epoch. */
  public static Map<String, Object> time(double seconds) {
    return Map.of("nanoseconds", Math.round(seconds * 1e9));
  }
}
