package io.mezzo.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mezzo app remove ID [--force] [--wait]}: destroys an app and kills its instances
 * ({@code DELETE /v2/apps/{id}}), printing the deployment id; {@code --wait} follows the deployment
 * until the app is gone.
 */
@Command(name = "remove", mixinStandardHelpOptions = true, description = "Destroy an app and kill its instances.")
final class AppRemoveCommand extends ServiceCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The app's id.")
  String id;

  @Option(names = "--force", description = "Remove even while a deployment of the app is in progress.")
  boolean force;

  @Mixin
  WaitOptions wait;

  @Override
  int run(PrintWriter out) throws CliFailure, InterruptedException {
    String appId = MarathonClient.appId(id);
    MarathonClient client = client();
    String path = "/v2/apps" + appId;
    MarathonClient.Answer a = client.delete(path, force(force));
    String deploymentId = deploymentOf(client, a, "DELETE", path, appId);
    return started(client, out, wait, appId, deploymentId, "removing", DeploymentWatcher.Goal.REMOVED);
  }
}
