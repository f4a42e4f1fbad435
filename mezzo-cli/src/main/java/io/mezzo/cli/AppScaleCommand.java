package io.mezzo.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mezzo app scale ID N [--force] [--wait]}: sets an app's instance count with
 * {@code PATCH /v2/apps/{id}} {@code {"instances":N}} and prints the deployment id; {@code --wait}
 * follows the deployment until N instances run. A negative N exits 2 before the master is contacted.
 */
@Command(name = "scale", mixinStandardHelpOptions = true, description = "Set the number of an app's instances.")
final class AppScaleCommand extends ServiceCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The app's id.")
  String id;

  @Parameters(index = "1", paramLabel = "N", description = "The number of instances.")
  int instances;

  @Option(names = "--force", description = "Scale even while a deployment of the app is in progress.")
  boolean force;

  @Mixin
  WaitOptions wait;

  @Override
  int run(PrintWriter out) throws CliFailure, InterruptedException {
    if (instances < 0) {
      throw new CliFailure(2, "N: " + instances + " (expected: >= 0)");
    }
    String appId = MarathonClient.appId(id);
    MarathonClient client = client();
    String path = "/v2/apps" + appId;
    MarathonClient.Answer a = client.patch(path, force(force),
        JsonNodeFactory.instance.objectNode().put("instances", instances));
    String deploymentId = deploymentOf(client, a, "PATCH", path, appId);
    return started(client, out, wait, appId, deploymentId, "scaling", DeploymentWatcher.Goal.RUNNING);
  }
}
