package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Mixin;

/**
 * The services client commands ({@code mezzo app ...}, {@code tasks}, {@code deployments}): the
 * {@code --master} option, a {@link MarathonClient} for it and the answers' common refusals, on
 * {@link CliCommand}'s frame (a {@link CliFailure} is one line on stderr and its exit code). Runs on the
 * caller's thread.
 */
abstract class ServiceCommand extends CliCommand {
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  static final Duration POLL = Duration.ofMillis(500);

  @Mixin
  MasterOption masterOption;

  MarathonClient client() throws CliFailure {
    return new MarathonClient(masterOption.hostPort(), masterOption.caller(), REQUEST_TIMEOUT);
  }

  /**
   * The deployment id of an answer that started one ({@code {"deploymentId"}}, or an app's
   * {@code deployments[0].id}); a 409 says the app is locked and suggests {@code --force}, a 422
   * lists each invalid field as {@code   /path: error}.
   */
  static String deploymentOf(MarathonClient client, MarathonClient.Answer a, String method, String path, String appId)
      throws CliFailure {
    JsonNode body = accepted(client, a, method, path, appId);
    String id = body.path("deploymentId").asText("");
    if (id.isEmpty()) {
      id = body.path("deployments").path(0).path("id").asText("");
    }
    if (id.isEmpty()) {
      throw new CliFailure("the master answered " + a.status() + " to " + method + " " + path
          + " without a deployment id: " + body);
    }
    return id;
  }

  /** The body of an accepted change; a refusal fails as {@link #deploymentOf} says. */
  static JsonNode accepted(MarathonClient client, MarathonClient.Answer a, String method, String path, String appId)
      throws CliFailure {
    if (a.status() == 409) {
      throw new CliFailure(a.message() + " (use --force to override the deployment in progress)");
    }
    if (a.status() == 422) {
      StringBuilder sb = new StringBuilder("the master refused " + appId + ": " + a.message());
      for (JsonNode d : a.body().path("details")) {
        for (JsonNode error : d.path("errors")) {
          sb.append("\n  ").append(d.path("path").asText("/")).append(": ").append(error.asText());
        }
      }
      throw new CliFailure(sb.toString());
    }
    return client.check(a, method, path, appId).body();
  }

  /** Prints the deployment, then follows it when {@code --wait} was given. */
  int started(MarathonClient client, PrintWriter out, WaitOptions wait, String appId, String deploymentId, String verb,
      DeploymentWatcher.Goal goal) throws CliFailure, InterruptedException {
    out.println("deployment " + deploymentId + " (" + verb + " " + appId + ")");
    out.flush();
    if (!wait.wait) {
      return 0;
    }
    return new DeploymentWatcher(client, out, System.console() != null, System::nanoTime, POLL)
        .await(appId, deploymentId, verb, goal, wait.timeout);
  }

  static String force(boolean force) {
    return force ? "force=true" : null;
  }
}
