package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code mezzo app list}: every app of the services scheduler ({@code GET /v2/apps}) as a table of
 * ID, INSTANCES, RUNNING, HEALTHY, CPUS, MEM, DEPLOYING, sorted by id; with {@code --output json} the
 * apps as the master gives them (Marathon's shape), in the same order.
 */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List the apps.")
final class AppListCommand extends ServiceCommand {
  @picocli.CommandLine.Mixin
  OutputOption output;

  @Override
  int run(PrintWriter out) throws CliFailure, InterruptedException {
    MarathonClient client = client();
    JsonNode body = client.check(client.get("/v2/apps", null), "GET", "/v2/apps", null).body();
    List<JsonNode> apps = new ArrayList<>();
    body.path("apps").forEach(apps::add);
    apps.sort(Comparator.comparing(a -> a.path("id").asText()));
    if (output.json()) {
      OutputOption.print(out, apps);
      return 0;
    }
    Table table = new Table("ID", "INSTANCES", "RUNNING", "HEALTHY", "CPUS", "MEM", "DEPLOYING");
    for (JsonNode app : apps) {
      table.row(app.path("id").asText(), MarathonViews.count(app, "instances"), MarathonViews.count(app, "tasksRunning"),
          MarathonViews.hasHealthChecks(app) ? MarathonViews.count(app, "tasksHealthy") : "-",
          MarathonViews.number(app.get("cpus")), MarathonViews.number(app.get("mem")),
          MarathonViews.deploymentIds(app).isEmpty() ? "no" : "yes");
    }
    table.print(out);
    return 0;
  }
}
