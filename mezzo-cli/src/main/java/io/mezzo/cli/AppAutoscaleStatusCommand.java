package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code mezzo app autoscale-status ID}: what the autoscaler makes of one app
 * ({@code GET /v1/autoscaler/apps/{id}}): its policy in one line, the status, the metrics of the last
 * evaluation (and why any is missing), the current recommendation, then the recent decisions that
 * changed the count or would have but for a limit, one line each, oldest first; with
 * {@code --output json} the autoscaler's view as it serves it.
 */
@Command(name = "autoscale-status", mixinStandardHelpOptions = true,
    description = "Show an app's autoscaling policy, recommendation and recent decisions.")
final class AppAutoscaleStatusCommand extends ServiceCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The app's id.")
  String id;

  @picocli.CommandLine.Mixin
  OutputOption output;

  @Override
  int run(PrintWriter out) throws CliFailure, InterruptedException {
    String appId = MarathonClient.appId(id);
    MarathonClient client = client();
    String path = "/v1/autoscaler/apps" + appId;
    MarathonClient.Answer a = client.get(path, null);
    if (a.status() == 404 && !MarathonClient.isMissingRoute(a)) {
      throw new CliFailure("app " + appId + ": " + a.message());
    }
    if (a.status() == 503) {
      throw new CliFailure(a.message());
    }
    JsonNode s = client.check(a, "GET", path, null).body();
    if (output.json()) {
      OutputOption.print(out, s);
      return 0;
    }
    field(out, "APP", s.path("appId").asText());
    field(out, "STATUS", s.path("status").asText());
    field(out, "INSTANCES", s.path("instances").asInt() + " (" + s.path("ready").asInt() + " ready)");
    field(out, "POLICY", policy(s.path("policy")));
    field(out, "METRICS", metrics(s.path("metrics")));
    JsonNode r = s.path("recommendation");
    field(out, "RECOMMENDS", r.isObject() ? r.path("desired").asInt() + " (from " + r.path("current").asInt()
        + ") at " + r.path("at").asText() + ": " + r.path("reason").asText() : "- (not evaluated yet)");
    field(out, "NEXT", s.path("nextEvaluationAt").asText("-"));
    out.println();
    JsonNode decisions = s.path("decisions");
    if (decisions.isEmpty()) {
      out.println("No decision changed the count yet.");
      return 0;
    }
    out.println("DECISIONS (oldest first)");
    for (JsonNode d : decisions) {
      int repeats = d.path("repeats").asInt(1);
      out.printf("%s  %d -> %d  %s%s  %s%n", d.path("at").asText(), d.path("current").asInt(),
          d.path("desired").asInt(), d.path("outcome").asText(),
          repeats > 1 ? " x" + repeats + " (until " + d.path("lastAt").asText() + ")" : "",
          d.path("reason").asText());
    }
    return 0;
  }

  /** The policy in one line: bounds, targets, steps, schedules, forecast, windows, period. */
  static String policy(JsonNode p) {
    if (!p.isObject()) {
      return "-";
    }
    List<String> parts = new ArrayList<>();
    parts.add("instances " + p.path("minInstances").asInt() + ".." + p.path("maxInstances").asInt());
    List<String> targets = new ArrayList<>();
    p.path("metrics").forEach(m -> targets.add(m.path("name").asText() + "=" + MarathonViews.number(m.get("target"))));
    if (!targets.isEmpty()) {
      parts.add("targets " + String.join(", ", targets));
    }
    if (p.path("steps").size() > 0) {
      List<String> steps = new ArrayList<>();
      p.path("steps").forEach(st -> steps.add(st.path("metric").asText()));
      parts.add("steps on " + String.join(", ", steps));
    }
    if (p.path("schedules").size() > 0) {
      parts.add(p.path("schedules").size() + " schedule(s)");
    }
    JsonNode f = p.path("predictive");
    if (f.isObject()) {
      parts.add("predictive " + f.path("metric").asText() + " " + f.path("horizonSeconds").asInt() + "s ahead");
    }
    JsonNode b = p.path("behavior");
    parts.add("windows up " + b.path("scaleUp").path("stabilizationWindowSeconds").asInt() + "s, down "
        + b.path("scaleDown").path("stabilizationWindowSeconds").asInt() + "s");
    if (p.path("cooldownSeconds").asInt() > 0) {
      parts.add("cooldown " + p.path("cooldownSeconds").asInt() + "s");
    }
    parts.add("every " + p.path("evaluationSeconds").asInt() + "s");
    return String.join("; ", parts);
  }

  private static String metrics(JsonNode m) {
    if (!m.isObject() || m.isEmpty()) {
      return "-";
    }
    List<String> out = new ArrayList<>();
    m.fields().forEachRemaining(e -> {
      JsonNode v = e.getValue();
      if (v.has("missing")) {
        out.add(e.getKey() + " missing (" + v.path("missing").asText() + ")");
      } else {
        int n = v.path("instances").asInt();
        out.add(e.getKey() + " " + significant(v.path("value").asDouble()) + (n > 0 ? " per instance on " + n : "")
            + (v.has("note") ? " (" + v.path("note").asText() + ")" : ""));
      }
    });
    return String.join("; ", out);
  }

  /** {@code value} to 3 significant digits: {@code 0.333}, {@code 21.5}, {@code 1200}. */
  static String significant(double value) {
    if (!Double.isFinite(value)) {
      return String.valueOf(value);
    }
    return new java.math.BigDecimal(value).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
  }

  private static void field(PrintWriter out, String name, String value) {
    out.printf("%-12s %s%n", name, value);
  }
}
