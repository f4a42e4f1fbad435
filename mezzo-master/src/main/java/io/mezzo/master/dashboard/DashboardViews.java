package io.mezzo.master.dashboard;

import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.Resources;
import io.mezzo.master.allocator.DominantShare;
import io.mezzo.master.operator.AgentMaintenance;
import io.mezzo.master.operator.ClusterView;
import io.mezzo.master.state.AgentEntry;
import io.mezzo.master.state.FrameworkEntry;
import io.mezzo.master.state.TaskEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bodies of the dashboard's master-state endpoints, as JSON-ready maps in snake_case:
 * {@code GET /v1/overview} ({@link #overview}) and {@code GET /v1/agents} ({@link #agents}), and the
 * sandbox of a task ({@link #sandbox}). Pure functions of the view they are given; call them on the
 * master loop thread, which owns the entries the view wraps.
 *
 * <p>An agent's {@code state} is {@code UNREACHABLE} when it missed its heartbeats, else its maintenance
 * mode if it has one ({@code DEACTIVATED}, {@code DRAINING}, {@code DRAINED}, {@code GONE}), else
 * {@code DISCONNECTED} while its stream is closed, else {@code ACTIVE}. Resource figures count the
 * reachable agents; a framework's {@code dominant_share} is what it holds (tasks and outstanding offers,
 * over all its roles) against the total the allocator shares out ({@link DominantShare}).
 */
public final class DashboardViews {
  /** The resources the overview always lists, in this order (others the agents have follow). */
  private static final List<String> RESOURCES = List.of("cpus", "mem", "disk", "ports");

  private DashboardViews() {}

  /** The agent's state as the dashboard shows it (see the class comment). */
  public static String state(AgentEntry a, AgentMaintenance m) {
    if (a.status == AgentEntry.Status.UNREACHABLE) {
      return "UNREACHABLE";
    }
    if (m != null) {
      return m.mode().name();
    }
    return a.isActive() ? "ACTIVE" : "DISCONNECTED";
  }

  /**
   * {@code {"agents": {"active", "draining", "unreachable", "deactivated", "disconnected"}, "resources":
   * {name: {"total", "used", "offered"}}, "frameworks": [{"id", "name", "principal", "roles",
   * "dominant_share", "active", "tasks"}]}}; {@code draining} counts DRAINING and DRAINED agents, ports
   * are counted one by one.
   */
  public static Map<String, Object> overview(ClusterView c, Map<AgentId, AgentMaintenance> maintenance) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String k : List.of("active", "draining", "unreachable", "deactivated", "disconnected")) {
      counts.put(k, 0);
    }
    Resources total = Resources.EMPTY;
    Resources used = Resources.EMPTY;
    Resources offered = Resources.EMPTY;
    Resources shared = Resources.EMPTY;
    for (AgentEntry a : c.agents().values()) {
      String state = state(a, maintenance.get(a.id));
      String counted = switch (state) {
        case "ACTIVE" -> "active";
        case "DRAINING", "DRAINED" -> "draining";
        case "UNREACHABLE" -> "unreachable";
        case "DISCONNECTED" -> "disconnected";
        default -> "deactivated";
      };
      counts.merge(counted, 1, Integer::sum);
      if (a.countedInTotal) {
        shared = shared.plus(a.total);
      }
      if (a.status != AgentEntry.Status.UNREACHABLE) {
        total = total.plus(a.total);
        used = used.plus(a.used);
        offered = offered.plus(a.offered);
      }
    }
    Map<String, Object> resources = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(RESOURCES);
    total.scalarMap().keySet().stream().filter(n -> !names.contains(n)).forEach(names::add);
    for (String name : names) {
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("total", amount(total, name));
      figures.put("used", amount(used, name));
      figures.put("offered", amount(offered, name));
      resources.put(name, figures);
    }
    List<Object> frameworks = new ArrayList<>();
    for (FrameworkEntry f : c.frameworks()) {
      Resources held = Resources.EMPTY;
      for (Resources r : f.allocated.values()) {
        held = held.plus(r);
      }
      Map<String, Object> fw = new LinkedHashMap<>();
      fw.put("id", f.id.value());
      fw.put("name", f.info.name());
      fw.put("principal", orNull(f.info.principal()));
      fw.put("roles", f.roles());
      fw.put("dominant_share", DominantShare.of(held, shared));
      fw.put("active", f.isConnected());
      fw.put("tasks", f.tasks.size());
      frameworks.add(fw);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("agents", counts);
    out.put("resources", resources);
    out.put("frameworks", frameworks);
    return out;
  }

  private static Object amount(Resources r, String name) {
    return name.equals("ports") ? (Object) r.ranges("ports").size() : (Object) r.scalar(name);
  }

  /**
   * One agent of {@code GET /v1/agents}: {@code id}, {@code hostname}, {@code address} (its HTTP
   * {@code HOST:PORT}), {@code state}, {@code resources} (its total), {@code used}, {@code offered} (in the
   * {@code /master/state} form), {@code tasks} ({@code id}, {@code name}, {@code framework_id},
   * {@code state}: those not yet completed) and {@code usage} (given; null when unknown).
   */
  public static Map<String, Object> agent(AgentEntry a, AgentMaintenance m, Object usage) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", a.id.value());
    out.put("hostname", a.info.hostname());
    out.put("address", address(a));
    out.put("state", state(a, m));
    out.put("resources", a.total.toStateMap());
    out.put("used", a.used.toStateMap());
    out.put("offered", a.offered.toStateMap());
    List<Object> tasks = new ArrayList<>();
    for (TaskEntry t : a.tasks) {
      Map<String, Object> task = new LinkedHashMap<>();
      task.put("id", t.info.taskId().value());
      task.put("name", t.info.name());
      task.put("framework_id", t.frameworkId.value());
      task.put("state", t.state().name());
      tasks.add(task);
    }
    out.put("tasks", tasks);
    out.put("usage", orNull(usage));
    return out;
  }

  /**
   * {@code value}, or JSON's null where it is null: Mezzo's mapper leaves null values out, and these
   * shapes promise the key.
   */
  public static Object orNull(Object value) {
    return value == null ? com.fasterxml.jackson.databind.node.NullNode.instance : value;
  }

  /** The agent's HTTP address, {@code HOST:PORT}. */
  public static String address(AgentEntry a) {
    return a.info.hostname() + ":" + a.info.port();
  }

  /**
   * The usage the agent's last heartbeat carried, summed: {@code {"source": "heartbeat", "timestamp",
   * "cpus_used", "mem_rss_bytes", "tasks": [{"task_id", "framework_id", "cpus_used", "mem_rss_bytes",
   * "mem_limit_bytes"}]}}; all zero, with a null timestamp, for an agent with no live task; null when
   * the agent has tasks but its last heartbeat carried no usage (they are new, or it was not sampled).
   */
  public static Map<String, Object> heartbeatUsage(AgentEntry a) {
    if (a.usage.isEmpty() && !a.tasks.isEmpty()) {
      return null;
    }
    double cpus = 0;
    long rss = 0;
    double timestamp = 0;
    List<Object> tasks = new ArrayList<>();
    for (AgentCall.TaskUsage u : a.usage) {
      cpus += u.cpusUsed();
      rss += u.memRssBytes();
      timestamp = Math.max(timestamp, u.timestamp());
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("task_id", u.taskId().value());
      t.put("framework_id", u.frameworkId().value());
      t.put("cpus_used", u.cpusUsed());
      t.put("mem_rss_bytes", u.memRssBytes());
      t.put("mem_limit_bytes", orNull(u.memLimitBytes()));
      tasks.add(t);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("source", "heartbeat");
    out.put("timestamp", a.usage.isEmpty() ? orNull(null) : timestamp);
    out.put("cpus_used", Math.round(cpus * 1000) / 1000.0);
    out.put("mem_rss_bytes", rss);
    out.put("tasks", tasks);
    return out;
  }

  /** Where a task ran: its agent and framework and its sandbox as the agents' files API names it. */
  public record Sandbox(String agentId, String frameworkId, String path, String state) {}

  /**
   * The sandbox of task {@code taskId}: among live tasks first, then completed ones (newest first), of
   * framework {@code frameworkId} if not null; null when the master knows no such task. The path is
   * {@code /frameworks/F/tasks/T/runs/latest}, the task's newest run.
   */
  public static Sandbox sandbox(ClusterView c, String taskId, String frameworkId) {
    List<FrameworkEntry> all = new ArrayList<>(c.frameworks());
    all.addAll(c.completedFrameworks());
    for (FrameworkEntry f : all) {
      if (frameworkId != null && !f.id.value().equals(frameworkId)) {
        continue;
      }
      TaskEntry t = f.tasks.get(new io.mezzo.core.model.TaskId(taskId));
      if (t != null) {
        return sandbox(t);
      }
    }
    for (FrameworkEntry f : all) {
      if (frameworkId != null && !f.id.value().equals(frameworkId)) {
        continue;
      }
      for (var it = f.completed.descendingIterator(); it.hasNext(); ) {
        TaskEntry t = it.next();
        if (t.info.taskId().value().equals(taskId)) {
          return sandbox(t);
        }
      }
    }
    return null;
  }

  private static Sandbox sandbox(TaskEntry t) {
    return new Sandbox(t.agentId.value(), t.frameworkId.value(), "/frameworks/" + t.frameworkId.value() + "/tasks/"
        + t.info.taskId().value() + "/runs/latest", t.state().name());
  }
}
