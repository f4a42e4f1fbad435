package io.mezzo.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.core.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mezzo app deploy FILE.json [--force] [--wait [--timeout T]]}: creates or replaces the app the
 * file describes with {@code PUT /v2/apps/{id}} and prints the deployment id; {@code --wait} follows
 * the deployment until every instance runs. A file that is missing, unreadable, not a JSON object or
 * without a string {@code id} exits 2 before the master is contacted.
 */
@Command(name = "deploy", mixinStandardHelpOptions = true,
    description = "Create or replace an app from a Marathon app file.")
final class AppDeployCommand extends ServiceCommand {
  @Parameters(index = "0", paramLabel = "FILE", description = "The app's JSON (Marathon's app definition).")
  Path file;

  @Option(names = "--force", description = "Replace the app even while a deployment of it is in progress.")
  boolean force;

  @Mixin
  WaitOptions wait;

  @Override
  int run(PrintWriter out) throws CliFailure, InterruptedException {
    ObjectNode app = read(file);
    String appId = MarathonClient.appId(app.get("id").asText());
    app.put("id", appId);
    MarathonClient client = client();
    String path = "/v2/apps" + appId;
    MarathonClient.Answer a = client.put(path, force(force), app);
    String deploymentId = deploymentOf(client, a, "PUT", path, appId);
    return started(client, out, wait, appId, deploymentId, "deploying", DeploymentWatcher.Goal.RUNNING);
  }

  /** The app in {@code file}, or exit 2 naming the file and what is wrong with it. */
  static ObjectNode read(Path file) throws CliFailure {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CliFailure(2, file + ": no such file");
    } catch (IOException e) {
      throw new CliFailure(2, file + ": cannot read it: " + MarathonClient.describe(e));
    }
    JsonNode tree;
    try {
      tree = Json.MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new CliFailure(2, file + ": not JSON: " + e.getOriginalMessage() + " (line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
    } catch (IOException e) {
      throw new CliFailure(2, file + ": cannot read it: " + MarathonClient.describe(e));
    }
    if (tree == null || !tree.isObject()) {
      throw new CliFailure(2, file + ": " + (tree == null || tree.isMissingNode() ? "empty" : tree.getNodeType())
          + " (expected: a JSON object, Marathon's app definition)");
    }
    JsonNode id = tree.get("id");
    if (id == null || !id.isTextual() || id.asText().isBlank() || id.asText().strip().equals("/")) {
      throw new CliFailure(2, file + ": id: " + (id == null ? "missing" : id.toString())
          + " (expected: the app's id, such as \"/web\")");
    }
    return (ObjectNode) tree;
  }
}
