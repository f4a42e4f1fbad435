package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code mezzo tasks [APP]}: the services scheduler's tasks, of every app ({@code GET /v2/tasks}) or
 * of one ({@code GET /v2/apps/{id}/tasks}), as a table of TASK, APP, HOST, PORTS, STATE, HEALTH sorted
 * by app then task id; with {@code --output json} the tasks as the master gives them, in that order.
 */
@Command(name = "tasks", mixinStandardHelpOptions = true, description = "List the apps' tasks.")
final class TasksCommand extends ServiceCommand {
  @Parameters(index = "0", arity = "0..1", paramLabel = "APP", description = "Only this app's tasks.")
  String app;

  @picocli.CommandLine.Mixin
  OutputOption output;

  @Override
  int run(PrintWriter out) throws CliFailure, InterruptedException {
    MarathonClient client = client();
    String appId = app == null ? null : MarathonClient.appId(app);
    String path = appId == null ? "/v2/tasks" : "/v2/apps" + appId + "/tasks";
    JsonNode body = client.check(client.get(path, null), "GET", path, appId).body();
    List<JsonNode> tasks = new ArrayList<>();
    body.path("tasks").forEach(tasks::add);
    tasks.sort(Comparator.<JsonNode, String>comparing(t -> t.path("appId").asText())
        .thenComparing(t -> t.path("id").asText()));
    if (output.json()) {
      OutputOption.print(out, tasks);
      return 0;
    }
    Table table = new Table("TASK", "APP", "HOST", "PORTS", "STATE", "HEALTH");
    for (JsonNode t : tasks) {
      table.row(t.path("id").asText(), MarathonViews.text(t, "appId"), MarathonViews.text(t, "host"),
          MarathonViews.ports(t), MarathonViews.text(t, "state"), MarathonViews.health(t));
    }
    table.print(out);
    return 0;
  }
}
