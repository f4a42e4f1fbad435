package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.autoscaler.policy.PolicyException;
import io.mezzo.autoscaler.policy.ScalingPolicy;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mezzo app autoscale ID --max N --target METRIC=VALUE [--target ...] [--min N]
 * [--scale-down-window 300s]} sets an app's {@code autoscaling} policy (replacing any it had) with
 * {@code PATCH /v2/apps/{id}}; {@code --off} removes it ({@code "autoscaling": null}). Either way no
 * instance is restarted. When the app's current count lies outside the new bounds the same PATCH
 * moves it to the nearest bound, a scale deployment ({@code --wait} follows it); an app at 0 stays
 * suspended. Prints the policy as set and the new version or the deployment.
 *
 * <p>Bad flags, and a policy the autoscaler would refuse (checked here with its own reader), exit 2
 * before the master is contacted; the master's refusals (422 with each field) exit 1.
 */
@Command(name = "autoscale", mixinStandardHelpOptions = true,
    description = "Set (or with --off remove) an app's autoscaling policy; no instance is restarted.")
final class AppAutoscaleCommand extends ServiceCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The app's id.")
  String id;

  @Option(names = "--min", paramLabel = "N", description = "The lowest instance count (default: 1).")
  Integer min;

  @Option(names = "--max", paramLabel = "N", description = "The highest instance count (required unless --off).")
  Integer max;

  @Option(names = "--target", paramLabel = "METRIC=VALUE",
      description = "Keep METRIC per instance near VALUE, e.g. requestsPerSecond=70 or cpu=0.6 (repeatable; "
          + "several combine by taking the largest count).")
  List<String> targets = new ArrayList<>();

  @Option(names = "--scale-down-window", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long the count must have been wanted lower before it falls (default: 300s).")
  Duration scaleDownWindow;

  @Option(names = "--off", description = "Remove the policy: the count stays where it is.")
  boolean off;

  @Option(names = "--force", description = "Move the count into the bounds even while a deployment is in progress.")
  boolean force;

  @Mixin
  WaitOptions wait;

  @Override
  int run(PrintWriter out) throws CliFailure, InterruptedException {
    if (off && (min != null || max != null || !targets.isEmpty() || scaleDownWindow != null)) {
      throw new CliFailure(2, "--off: given with --min, --max, --target or --scale-down-window "
          + "(expected: --off alone, to remove the policy)");
    }
    JsonNode policy = off ? null : policy();
    String appId = MarathonClient.appId(id);
    MarathonClient client = client();
    String path = "/v2/apps" + appId;
    JsonNode app = client.check(client.get(path, null), "GET", path, appId).body().path("app");
    int instances = app.path("instances").asInt(0);

    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    patch.set("autoscaling", policy == null ? JsonNodeFactory.instance.nullNode() : policy);
    int moved = instances;
    if (policy != null && instances != 0) {
      int lo = policy.path("minInstances").asInt(ScalingPolicy.DEFAULT_MIN_INSTANCES);
      moved = Math.max(lo, Math.min(policy.path("maxInstances").asInt(), instances));
      if (moved != instances) {
        patch.put("instances", moved);
      }
    }
    JsonNode body = accepted(client, client.patch(path, force(force), patch), "PATCH", path, appId);

    out.println("autoscaling of " + appId + ": " + (policy == null ? "off (instances stay at " + instances + ")"
        : PolicySummary.of(policy)));
    String deploymentId = body.path("deploymentId").asText("");
    if (deploymentId.isEmpty()) {
      out.println("version " + body.path("version").asText("-") + " (no deployment: no instance restarted)");
      return 0;
    }
    out.println("instances: " + instances + " -> " + moved + " (into the new bounds)");
    return started(client, out, wait, appId, deploymentId, "scaling", DeploymentWatcher.Goal.RUNNING);
  }

  /** The policy the flags describe, checked by the autoscaler's reader; any problem exits 2. */
  private JsonNode policy() throws CliFailure {
    if (max == null) {
      throw new CliFailure(2, "--max: missing (expected: the highest instance count, e.g. --max 10; or --off)");
    }
    if (targets.isEmpty()) {
      throw new CliFailure(2, "--target: missing (expected: at least one METRIC=VALUE, e.g. "
          + "--target requestsPerSecond=70)");
    }
    ObjectNode p = JsonNodeFactory.instance.objectNode();
    if (min != null) {
      p.put("minInstances", min);
    }
    p.put("maxInstances", max);
    var metrics = p.putArray("metrics");
    Set<String> names = new LinkedHashSet<>();
    for (String t : targets) {
      int eq = t.lastIndexOf('=');
      double value = Double.NaN;
      if (eq > 0) {
        try {
          value = Double.parseDouble(t.substring(eq + 1).trim());
        } catch (NumberFormatException notNumber) {
          // reported below
        }
      }
      if (Double.isNaN(value) || Double.isInfinite(value)) {
        throw new CliFailure(2, "--target: '" + t + "' (expected: METRIC=VALUE with a number, "
            + "e.g. requestsPerSecond=70)");
      }
      String name = t.substring(0, eq).trim();
      if (!names.add(name)) {
        throw new CliFailure(2, "--target: '" + t + "' (expected: each metric once; " + name + " is given twice)");
      }
      metrics.addObject().put("name", name).put("target", value);
    }
    if (scaleDownWindow != null) {
      if (scaleDownWindow.isNegative() || scaleDownWindow.toMillis() % 1000 != 0
          || scaleDownWindow.toSeconds() > Integer.MAX_VALUE) {
        throw new CliFailure(2, "--scale-down-window: " + scaleDownWindow.toMillis() + "ms (expected: whole seconds, "
            + "e.g. 300s or 5m)");
      }
      p.putObject("behavior").putObject("scaleDown").put("stabilizationWindowSeconds", scaleDownWindow.toSeconds());
    }
    try {
      ScalingPolicy.fromJson(p);
    } catch (PolicyException e) {
      throw new CliFailure(2, "the policy is not valid:\n  " + String.join("\n  ", e.problems()));
    }
    return p;
  }
}
