package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code mezzo app show ID}: one app ({@code GET /v2/apps/{id}?embed=app.tasks}) as a summary of its
 * definition and counts (and its autoscaling policy, when it has one), then a table of its tasks
 * (TASK, HOST, PORTS, STATE, HEALTH, STARTED); with {@code --output json} the app object as the master
 * gives it, tasks embedded.
 */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show an app and its tasks.")
final class AppShowCommand extends ServiceCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The app's id.")
  String id;

  @picocli.CommandLine.Mixin
  OutputOption output;

  @Override
  int run(PrintWriter out) throws CliFailure, InterruptedException {
    String appId = MarathonClient.appId(id);
    MarathonClient client = client();
    String path = "/v2/apps" + appId;
    JsonNode app = client.check(client.get(path, "embed=app.tasks"), "GET", path, appId).body().path("app");
    if (output.json()) {
      OutputOption.print(out, app);
      return 0;
    }
    List<String> deployments = MarathonViews.deploymentIds(app);
    field(out, "ID", MarathonViews.text(app, "id"));
    field(out, "CMD", MarathonViews.text(app, "cmd"));
    field(out, "INSTANCES", String.valueOf(MarathonViews.count(app, "instances")));
    field(out, "TASKS", MarathonViews.count(app, "tasksRunning") + " running, "
        + MarathonViews.count(app, "tasksStaged") + " staged"
        + (MarathonViews.hasHealthChecks(app) ? ", " + MarathonViews.count(app, "tasksHealthy") + " healthy, "
            + MarathonViews.count(app, "tasksUnhealthy") + " unhealthy" : ""));
    field(out, "CPUS", MarathonViews.number(app.get("cpus")));
    field(out, "MEM", MarathonViews.number(app.get("mem")));
    field(out, "VERSION", MarathonViews.text(app, "version"));
    field(out, "DEPLOYMENTS", deployments.isEmpty() ? "-" : String.join(",", deployments));
    if (app.path("autoscaling").isObject()) {
      field(out, "AUTOSCALING", PolicySummary.of(app.get("autoscaling")));
    }
    out.println();
    Table tasks = new Table("TASK", "HOST", "PORTS", "STATE", "HEALTH", "STARTED");
    for (JsonNode t : app.path("tasks")) {
      tasks.row(t.path("id").asText(), MarathonViews.text(t, "host"), MarathonViews.ports(t),
          MarathonViews.text(t, "state"), MarathonViews.health(t), MarathonViews.text(t, "startedAt"));
    }
    tasks.print(out);
    return 0;
  }

  private static void field(PrintWriter out, String name, String value) {
    out.printf("%-12s %s%n", name, value);
  }
}
