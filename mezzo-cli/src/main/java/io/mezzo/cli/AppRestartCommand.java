package io.mezzo.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mezzo app restart ID [--force] [--wait]}: replaces every instance of an app following its
 * upgrade strategy ({@code POST /v2/apps/{id}/restart}) and prints the deployment id; {@code --wait}
 * follows the deployment until all instances run again.
 */
@Command(name = "restart", mixinStandardHelpOptions = true, description = "Replace all of an app's instances.")
final class AppRestartCommand extends ServiceCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The app's id.")
  String id;

  @Option(names = "--force", description = "Restart even while a deployment of the app is in progress.")
  boolean force;

  @Mixin
  WaitOptions wait;

  @Override
  int run(PrintWriter out) throws CliFailure, InterruptedException {
    String appId = MarathonClient.appId(id);
    MarathonClient client = client();
    String path = "/v2/apps" + appId + "/restart";
    MarathonClient.Answer a = client.post(path, force(force), null);
    String deploymentId = deploymentOf(client, a, "POST", path, appId);
    return started(client, out, wait, appId, deploymentId, "restarting", DeploymentWatcher.Goal.RUNNING);
  }
}
