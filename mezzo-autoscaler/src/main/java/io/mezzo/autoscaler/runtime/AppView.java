package io.mezzo.autoscaler.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the autoscaler reads of one app from the services API ({@code GET /v2/apps?embed=apps.tasks}):
 * its target count, whether a deployment is running, its labels (where app-defined metric sources are
 * named), its per-instance resources, its {@code autoscaling} object (null when it has none) and its
 * tasks. Immutable.
 *
 * @param id the app's id ({@code /web})
 * @param instances the count the app asks for now
 * @param deploymentIds the deployments in progress (empty: none)
 * @param labels the app's labels
 * @param cpus cpus allocated per instance
 * @param memMb memory allocated per instance, MB
 * @param healthChecked whether the app has health checks (then only a passing one makes an instance ready)
 * @param autoscaling the {@code autoscaling} object, or null
 * @param tasks the app's instances
 */
record AppView(String id, int instances, List<String> deploymentIds, Map<String, String> labels, double cpus,
    double memMb, boolean healthChecked, JsonNode autoscaling, List<Task> tasks) {
  AppView {
    deploymentIds = List.copyOf(deploymentIds);
    labels = Map.copyOf(labels);
    tasks = List.copyOf(tasks);
  }

  /**
   * One instance as the services API shows it.
   *
   * @param id the instance (Mesos task) id
   * @param host the agent's host
   * @param ports the host ports, in port-definition order
   * @param state the services scheduler's state ({@code mezzoState}: RUNNING, DRAINING, STAGING...)
   * @param healthy the last health result, null when unknown
   * @param startedAt when it first ran, or null
   */
  record Task(String id, String host, List<Integer> ports, String state, Boolean healthy, Instant startedAt) {
    Task {
      ports = List.copyOf(ports);
    }
  }

  /** Whether {@code t} counts in averages: running (not draining, not starting) and, when checked, healthy. */
  boolean ready(Task t) {
    return "RUNNING".equals(t.state()) && (!healthChecked || Boolean.TRUE.equals(t.healthy()));
  }

  /** The ready instances. */
  List<Task> readyTasks() {
    return tasks.stream().filter(this::ready).toList();
  }

  /** The apps of a {@code GET /v2/apps?embed=apps.tasks} answer ({@code {"apps": [...]}}). */
  static List<AppView> list(JsonNode answer) {
    List<AppView> out = new ArrayList<>();
    for (JsonNode app : answer.path("apps")) {
      out.add(parse(app));
    }
    return out;
  }

  /** One app of the services API's JSON. */
  static AppView parse(JsonNode app) {
    List<String> deployments = new ArrayList<>();
    app.path("deployments").forEach(d -> deployments.add(d.path("id").asText()));
    Map<String, String> labels = new LinkedHashMap<>();
    app.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    List<Task> tasks = new ArrayList<>();
    for (JsonNode t : app.path("tasks")) {
      List<Integer> ports = new ArrayList<>();
      t.path("ports").forEach(p -> ports.add(p.asInt()));
      Boolean healthy = null;
      for (JsonNode r : t.path("healthCheckResults")) {
        healthy = (healthy == null || healthy) && r.path("alive").asBoolean(false);
      }
      String state = t.hasNonNull("mezzoState") ? t.get("mezzoState").asText()
          : t.path("state").asText("").replace("TASK_", "");
      tasks.add(new Task(t.path("id").asText(), t.path("host").asText(null), ports, state, healthy,
          instant(t.get("startedAt"))));
    }
    JsonNode autoscaling = app.get("autoscaling");
    boolean checked = app.path("healthChecks").size() > 0;
    return new AppView(app.path("id").asText(), app.path("instances").asInt(0), deployments, labels,
        app.path("cpus").asDouble(0), app.path("mem").asDouble(0), checked,
        autoscaling == null || !autoscaling.isObject() ? null : autoscaling, tasks);
  }

  private static Instant instant(JsonNode n) {
    if (n == null || !n.isTextual()) {
      return null;
    }
    try {
      return Instant.parse(n.asText());
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
