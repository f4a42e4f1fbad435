package io.mezzo.services.scheduler;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.services.app.AppDefinition;
import io.mezzo.services.app.MarathonJson;
import io.mezzo.services.deploy.Deployment;
import io.mezzo.services.instance.Instance;
import io.mezzo.services.instance.InstanceState;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Marathon's JSON shapes for what the services scheduler knows: apps with their run-time counts,
 * tasks, deployments, queue entries. Pure functions from snapshots to trees; the {@code /v2} API
 * and the event bus print them.
 */
public final class Views {
  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
      .withZone(ZoneOffset.UTC);

  private Views() {}

  /** An instant the way Marathon prints it: {@code 2026-11-27T05:30:00.123Z}. */
  public static String iso(Instant t) {
    return t == null ? null : ISO.format(t);
  }

  /** An app as {@code GET /v2/apps/{id}} shows it; {@code embed} holds {@code tasks}, {@code lastTaskFailure}... */
  public static ObjectNode app(ServicesScheduler.AppSnapshot s, Set<String> embed) {
    ObjectNode n = definition(s.app());
    n.put("version", s.version());
    ObjectNode vi = n.putObject("versionInfo");
    vi.put("lastScalingAt", s.version());
    vi.put("lastConfigChangeAt", s.configVersion());
    int staged = 0;
    int running = 0;
    int healthy = 0;
    int unhealthy = 0;
    for (Instance i : s.instances()) {
      switch (i.state()) {
        case PROVISIONED, STAGING, STARTING -> staged++;
        case RUNNING, DRAINING -> running++;
        default -> { }
      }
      if (i.state() == InstanceState.RUNNING || i.state() == InstanceState.DRAINING) {
        if (Boolean.TRUE.equals(i.healthy())) {
          healthy++;
        } else if (Boolean.FALSE.equals(i.healthy())) {
          unhealthy++;
        }
      }
    }
    n.put("tasksStaged", staged);
    n.put("tasksRunning", running);
    n.put("tasksHealthy", healthy);
    n.put("tasksUnhealthy", unhealthy);
    var deps = n.putArray("deployments");
    if (s.deployment() != null) {
      deps.addObject().put("id", s.deployment().id());
    }
    if (embed.contains("tasks")) {
      var tasks = n.putArray("tasks");
      for (Instance i : s.instances()) {
        tasks.add(task(i, s.app()));
      }
    }
    if (embed.contains("lastTaskFailure") && s.lastFailure() != null) {
      ServicesScheduler.TaskFailure f = s.lastFailure();
      ObjectNode lf = n.putObject("lastTaskFailure");
      lf.put("appId", s.app().id());
      lf.put("host", f.host());
      lf.put("message", f.message() == null ? "" : f.message());
      lf.put("state", f.state());
      lf.put("taskId", f.taskId());
      lf.put("timestamp", iso(f.at()));
      lf.put("version", f.version());
    }
    if (embed.contains("counts") || embed.contains("taskStats")) {
      n.putObject("taskStats");
    }
    return n;
  }

  /** The definition alone, in Marathon's shape (what PUT takes back). */
  public static ObjectNode definition(AppDefinition app) {
    return MarathonJson.MAPPER.valueToTree(app);
  }

  /** One task as {@code /v2/tasks} and {@code embed=apps.tasks} show it. */
  public static ObjectNode task(Instance i, AppDefinition app) {
    ObjectNode t = MarathonJson.MAPPER.createObjectNode();
    t.put("id", i.instanceId());
    t.put("appId", i.appId());
    t.put("host", i.host());
    var ports = t.putArray("ports");
    i.ports().forEach(ports::add);
    var servicePorts = t.putArray("servicePorts");
    if (app != null) {
      app.portDefinitions().forEach(p -> servicePorts.add(p.port()));
    }
    t.put("slaveId", i.agentId());
    t.put("agentId", i.agentId());
    t.put("state", i.state().mesosName());
    t.put("stagedAt", iso(i.stagedAt()));
    t.put("startedAt", iso(i.startedAt()));
    t.put("version", i.version());
    t.put("mezzoState", i.state().name());
    var ips = t.putArray("ipAddresses");
    if (i.host() != null) {
      ips.addObject().put("ipAddress", i.host()).put("protocol", "IPv4");
    }
    var results = t.putArray("healthCheckResults");
    if (app != null && !app.healthChecks().isEmpty() && i.healthy() != null) {
      ObjectNode r = results.addObject();
      r.put("alive", i.healthy());
      r.put("consecutiveFailures", i.healthy() ? 0 : 1);
      r.put("instanceId", i.instanceId());
      r.put("taskId", i.instanceId());
    }
    return t;
  }

  /** A deployment as {@code GET /v2/deployments} lists it. */
  public static Map<String, Object> deployment(Deployment d, String explanation,
      List<ServicesScheduler.ReadinessResult> readiness) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", d.id());
    m.put("version", d.toVersion());
    m.put("affectedApps", d.affectedApps());
    m.put("affectedPods", List.of());
    Map<String, Object> action = Map.of("action", d.action().name(), "app", d.appId());
    m.put("steps", List.of(Map.of("actions", List.of(action))));
    Map<String, Object> current = new LinkedHashMap<>(action);
    List<Map<String, Object>> results = new ArrayList<>();
    for (ServicesScheduler.ReadinessResult r : readiness) {
      results.add(Map.of("name", r.name(), "taskId", r.taskId(), "ready", r.ready(), "lastResponse", r.lastResponse()));
    }
    current.put("readinessCheckResults", results);
    if (explanation != null) {
      current.put("progress", explanation);
    }
    m.put("currentActions", List.of(current));
    m.put("currentStep", 1);
    m.put("totalSteps", 1);
    m.put("startedAt", iso(d.startedAt()));
    return m;
  }

  /** The one step of a deployment, as deployment events carry it. */
  public static Map<String, Object> step(Deployment d) {
    return Map.of("actions", List.of(Map.of("action", d.action().name(), "app", d.appId())));
  }

  /** A {@code /v2/queue} entry for an app that wants launches. */
  public static ObjectNode queueEntry(ServicesScheduler.AppSnapshot s, Instant now) {
    ObjectNode q = MarathonJson.MAPPER.createObjectNode();
    q.put("count", s.wanted());
    q.set("app", app(s, Set.of()));
    ObjectNode delay = q.putObject("delay");
    long left = s.launchAllowedAt() == null ? 0 : Math.max(0, s.launchAllowedAt().getEpochSecond() - now.getEpochSecond());
    delay.put("timeLeftSeconds", left);
    delay.put("overdue", left == 0);
    q.put("since", iso(s.deployment() == null ? now : s.deployment().startedAt()));
    ObjectNode summary = q.putObject("processedOffersSummary");
    summary.put("lastUsedOfferAt", iso(s.lastUsedOfferAt()));
    var unused = q.putArray("lastUnusedOffers");
    if (s.lastUnused() != null) {
      ServicesScheduler.UnusedOffer u = s.lastUnused();
      summary.put("lastUnusedOfferAt", iso(u.at()));
      ObjectNode o = unused.addObject();
      o.putObject("offer").put("id", u.offerId()).put("agentId", u.agentId()).put("hostname", u.hostname());
      o.put("timestamp", iso(u.at()));
      var reasons = o.putArray("reason");
      u.reasons().forEach(reasons::add);
    }
    return q;
  }

  /** The tasks of several snapshots, flattened. */
  public static List<ObjectNode> tasks(List<ServicesScheduler.AppSnapshot> snaps) {
    List<ObjectNode> out = new ArrayList<>();
    for (ServicesScheduler.AppSnapshot s : snaps) {
      for (Instance i : s.instances()) {
        out.add(task(i, s.app()));
      }
    }
    return out;
  }
}
