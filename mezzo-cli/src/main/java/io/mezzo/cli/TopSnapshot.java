package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One frame of {@code mezzo top}: the cluster's totals and a row per app, built by {@link #of} from what
 * the master, the autoscaler and the load balancers serve ({@code /master/state},
 * {@code /v2/apps?embed=apps.tasks}, {@code /v1/autoscaler/apps}, each balancer's {@code /stats}). A figure
 * that no source gave is null (shown as {@code -}), never 0. Pure and immutable; {@code --output json}
 * writes it as it is (snake_case, nulls left out).
 *
 * @param master the leading master's address
 * @param at when the sources were read (ISO-8601)
 * @param problems a source that did not answer, and what to do about it, one line each
 */
record TopSnapshot(String master, String at, Cluster cluster, List<AppRow> apps, List<String> problems) {
  TopSnapshot {
    apps = List.copyOf(apps);
    problems = List.copyOf(problems);
  }

  /** The cluster line: agents (registered, active), scalar resources used of total, frameworks, live tasks. */
  record Cluster(int agents, int agentsActive, double cpusUsed, double cpusTotal, double memUsedMb, double memTotalMb,
      int frameworks, int tasks) {}

  /**
   * One app: its desired instance count and its instances by state ({@code healthy} null without health
   * checks); the load balancers' requests/s, p95 latency (the worst route's, in ms) and in-flight count
   * over its routes; its tasks' cpu (cpus used) and memory (RSS MiB) from the agents' last heartbeats; the
   * autoscaler's recommended count (null without a policy or before its first evaluation).
   */
  record AppRow(String id, int desired, int running, Integer healthy, int staged, boolean deploying, Double rps,
      Double p95Ms, Double inFlight, Double cpuUsed, Double memUsedMb, Integer autoscaleDesired) {}

  /**
   * @param state {@code /master/state}
   * @param apps {@code /v2/apps?embed=apps.tasks}, or null when the master has no services scheduler
   * @param autoscaler {@code /v1/autoscaler/apps}, or null
   * @param lbStats each answering balancer's {@code /stats}
   */
  static TopSnapshot of(String master, String at, JsonNode state, JsonNode apps, JsonNode autoscaler,
      List<JsonNode> lbStats, List<String> problems) {
    return new TopSnapshot(master, at, cluster(state), rows(state, apps, autoscaler, lbStats), problems);
  }

  private static Cluster cluster(JsonNode state) {
    int agents = 0;
    int active = 0;
    double[] sums = new double[4];
    for (JsonNode a : state.path("slaves")) {
      agents++;
      if (a.path("active").asBoolean(false)) {
        active++;
      }
      sums[0] += a.path("used_resources").path("cpus").asDouble(0);
      sums[1] += a.path("resources").path("cpus").asDouble(0);
      sums[2] += a.path("used_resources").path("mem").asDouble(0);
      sums[3] += a.path("resources").path("mem").asDouble(0);
    }
    int tasks = 0;
    for (JsonNode f : state.path("frameworks")) {
      tasks += f.path("tasks").size();
    }
    return new Cluster(agents, active, sums[0], sums[1], sums[2], sums[3], state.path("frameworks").size(), tasks);
  }

  private static List<AppRow> rows(JsonNode state, JsonNode apps, JsonNode autoscaler, List<JsonNode> lbStats) {
    if (apps == null) {
      return List.of();
    }
    Map<String, JsonNode> usage = new HashMap<>();
    for (JsonNode agent : state.path("slaves")) {
      for (JsonNode u : agent.path("task_usage")) {
        JsonNode id = u.path("task_id");
        usage.put(id.isObject() ? id.path("value").asText() : id.asText(), u);
      }
    }
    Map<String, Integer> recommended = new HashMap<>();
    if (autoscaler != null) {
      for (JsonNode a : autoscaler.path("apps")) {
        JsonNode r = a.path("recommendation");
        if (r.path("desired").isInt()) {
          recommended.put(a.path("appId").asText(), r.path("desired").asInt());
        }
      }
    }
    List<AppRow> rows = new ArrayList<>();
    for (JsonNode app : apps.path("apps")) {
      String id = app.path("id").asText();
      Double cpu = null;
      Double mem = null;
      for (JsonNode t : app.path("tasks")) {
        JsonNode u = usage.get(t.path("id").asText());
        if (u != null) {
          cpu = (cpu == null ? 0 : cpu) + u.path("cpus_used").asDouble(0);
          mem = (mem == null ? 0 : mem) + u.path("mem_rss_bytes").asDouble(0) / (1024 * 1024);
        }
      }
      double[] lb = lb(id, lbStats);
      rows.add(new AppRow(id, MarathonViews.count(app, "instances"), MarathonViews.count(app, "tasksRunning"),
          MarathonViews.hasHealthChecks(app) ? MarathonViews.count(app, "tasksHealthy") : null,
          MarathonViews.count(app, "tasksStaged"), !MarathonViews.deploymentIds(app).isEmpty(),
          lb == null ? null : lb[0], lb == null || Double.isNaN(lb[1]) ? null : lb[1], lb == null ? null : lb[2],
          cpu, mem, recommended.get(id)));
    }
    return rows;
  }

  /** {rps, worst p95 (NaN: none), in flight} over the app's routes ({@code /app:PORT}) of every balancer; null: no route. */
  private static double[] lb(String appId, List<JsonNode> lbStats) {
    double[] sums = null;
    for (JsonNode stats : lbStats) {
      var routes = stats.path("routes").fields();
      while (routes.hasNext()) {
        var route = routes.next();
        if (!route.getKey().startsWith(appId + ":")) {
          continue;
        }
        if (sums == null) {
          sums = new double[] {0, Double.NaN, 0};
        }
        JsonNode r = route.getValue();
        double rps = r.path("rps").asDouble(0);
        sums[0] += rps;
        sums[2] += r.path("in_flight").asDouble(0);
        JsonNode p95 = r.path("p95_ms");
        if (p95.isNumber() && (rps > 0 || p95.asDouble() > 0) && (Double.isNaN(sums[1]) || p95.asDouble() > sums[1])) {
          sums[1] = p95.asDouble();
        }
      }
    }
    return sums;
  }
}
