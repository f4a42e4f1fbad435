package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/**
 * {@code mezzo deployments}: the deployments in progress ({@code GET /v2/deployments}) as a table of
 * ID, APPS, ACTION (the current step's actions), STEP ({@code current/total}), in the master's order;
 * with {@code --output json} the deployments as the master gives them.
 */
@Command(name = "deployments", mixinStandardHelpOptions = true, description = "List the deployments in progress.")
final class DeploymentsCommand extends ServiceCommand {
  @picocli.CommandLine.Mixin
  OutputOption output;

  @Override
  int run(PrintWriter out) throws CliFailure, InterruptedException {
    MarathonClient client = client();
    JsonNode body = client.check(client.get("/v2/deployments", null), "GET", "/v2/deployments", null).body();
    if (output.json()) {
      OutputOption.print(out, body.isArray() ? body : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode());
      return 0;
    }
    Table table = new Table("ID", "APPS", "ACTION", "STEP");
    for (JsonNode d : body) {
      table.row(d.path("id").asText(), MarathonViews.join(d.path("affectedApps")), MarathonViews.actions(d),
          MarathonViews.step(d));
    }
    table.print(out);
    return 0;
  }
}
