package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;

/**
 * How the client commands render Marathon's JSON (apps, tasks, deployments) as table cells. Pure
 * functions of the tree; absent fields render as {@code -} (or 0 for counts), never as an error.
 */
final class MarathonViews {
  private MarathonViews() {}

  /** {@code 0.25}, {@code 256}: numbers without a trailing {@code .0}; {@code -} when absent. */
  static String number(JsonNode n) {
    if (n == null || !n.isNumber()) {
      return "-";
    }
    return new BigDecimal(n.asText()).stripTrailingZeros().toPlainString();
  }

  static int count(JsonNode app, String field) {
    return app.path(field).asInt(0);
  }

  static boolean hasHealthChecks(JsonNode app) {
    return app.path("healthChecks").size() > 0;
  }

  /** The ids of an app's deployments in progress. */
  static List<String> deploymentIds(JsonNode app) {
    List<String> ids = new ArrayList<>();
    for (JsonNode d : app.path("deployments")) {
      ids.add(d.path("id").asText());
    }
    return ids;
  }

  /** {@code healthy} when every health check result is alive, {@code unhealthy} when one is not, {@code -} without results. */
  static String health(JsonNode task) {
    JsonNode results = task.path("healthCheckResults");
    if (results.size() == 0) {
      return "-";
    }
    for (JsonNode r : results) {
      if (!r.path("alive").asBoolean(false)) {
        return "unhealthy";
      }
    }
    return "healthy";
  }

  /** A task's host ports, comma-separated. */
  static String ports(JsonNode task) {
    return join(task.path("ports"));
  }

  static String join(JsonNode array) {
    if (array.size() == 0) {
      return "-";
    }
    return String.join(",", StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList());
  }

  /** A deployment's current actions, {@code ScaleApplication} or {@code StartApplication,StopApplication}. */
  static String actions(JsonNode deployment) {
    Set<String> actions = new LinkedHashSet<>();
    for (JsonNode a : deployment.path("currentActions")) {
      actions.add(a.path("action").asText());
    }
    return actions.isEmpty() ? "-" : String.join(",", actions);
  }

  /** {@code 1/2}: the current step of all. */
  static String step(JsonNode deployment) {
    return deployment.path("currentStep").asInt(0) + "/" + deployment.path("totalSteps").asInt(0);
  }

  /** The text of a field, or {@code -} when absent. */
  static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isMissingNode() || v.isNull() || v.asText().isEmpty() ? "-" : v.asText();
  }
}
