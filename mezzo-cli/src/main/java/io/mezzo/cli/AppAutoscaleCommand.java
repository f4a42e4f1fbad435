package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.autoscaler.policy.PolicyException;
import io.mezzo.autoscaler.policy.ScalingPolicy;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mezzo app autoscale ID [--policy FILE] [--min N] --max N --target METRIC=VALUE ...} sets an
 * app's {@code autoscaling} policy (replacing any it had) with {@code PATCH /v2/apps/{id}}: every member
 * of the policy has a flag ({@link PolicyOptions}), over the members of {@code --policy FILE} when one is
 * given; {@code --off} removes it ({@code "autoscaling": null}). Either way no instance is restarted.
 * When the app's current count lies outside the new bounds the same PATCH moves it to the nearest bound,
 * a scale deployment ({@code --wait} follows it); an app at 0 stays suspended. Prints the policy as set
 * and the new version or the deployment.
 *
 * <p>Bad flags, and a policy the autoscaler would refuse (checked here with its own reader), exit 2
 * before the master is contacted; the master's refusals (422 with each field) exit 1.
 */
@Command(name = "autoscale", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Set (or with --off remove) an app's autoscaling policy; no instance is restarted. Each flag "
        + "sets one member of the policy's JSON (named first in its description; see examples/autoscale-policy.json).",
    footer = {"%nExample:",
        "  mezzo app autoscale /web --min 2 --max 20 --target requestsPerSecond=70 \\",
        "    --step 'latencyP95Ms>250:+2' --predictive requestsPerSecond:horizon=75s \\",
        "    --schedule MON-FRI@08:00-18:00=4,zone=Europe/Paris --cooldown 30s \\",
        "    --scale-down-limit 50%%/60s --scale-down-window 60s"})
final class AppAutoscaleCommand extends ServiceCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The app's id.")
  String id;

  @Mixin
  PolicyOptions flags;

  @Option(names = "--off", description = "Remove the policy: the count stays where it is.")
  boolean off;

  @Option(names = "--force", description = "Move the count into the bounds even while a deployment is in progress.")
  boolean force;

  @Mixin
  WaitOptions wait;

  @Override
  int run(PrintWriter out) throws CliFailure, InterruptedException {
    if (off && !flags.given().isEmpty()) {
      throw new CliFailure(2, "--off: given with " + String.join(", ", flags.given())
          + " (expected: --off alone, to remove the policy)");
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
    ObjectNode p = flags.json();
    try {
      ScalingPolicy.fromJson(p);
    } catch (PolicyException e) {
      throw new CliFailure(2, "the policy is not valid:\n  " + String.join("\n  ", e.problems()));
    }
    return p;
  }
}
