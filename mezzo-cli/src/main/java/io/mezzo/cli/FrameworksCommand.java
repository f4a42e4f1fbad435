package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code mezzo frameworks}: the frameworks subscribed to the master ({@code GET /master/state},
 * {@code frameworks}) as a table of ID, NAME, ROLE, STATE ({@code active}, {@code suppressed} or
 * {@code disconnected}), TASKS, CPUS and MEM used, in the master's order; with {@code --output json}
 * the frameworks as the state gives them, without their task and offer lists ({@code tasks} holds
 * the count).
 */
@Command(name = "frameworks", mixinStandardHelpOptions = true, description = "List the frameworks.")
final class FrameworksCommand extends CliCommand {
  private static final List<String> LISTS = List.of("tasks", "unreachable_tasks", "completed_tasks", "offers", "executors");

  @Mixin
  MasterOption masterOption;

  @Mixin
  OutputOption output;

  @Override
  int run(PrintWriter out) throws CliFailure, InterruptedException {
    JsonNode state = AgentsCommand.masterState(masterOption);
    ArrayNode frameworks = JsonNodeFactory.instance.arrayNode();
    for (JsonNode f : state.path("frameworks")) {
      ObjectNode o = f.deepCopy();
      o.remove(LISTS);
      o.put("tasks", f.path("tasks").size());
      o.put("state", !f.path("connected").asBoolean(false) ? "disconnected"
          : f.path("active").asBoolean(false) ? "active" : "suppressed");
      frameworks.add(o);
    }
    if (output.json()) {
      OutputOption.print(out, frameworks);
      return 0;
    }
    Table table = new Table("ID", "NAME", "ROLE", "STATE", "TASKS", "CPUS", "MEM");
    for (JsonNode f : frameworks) {
      table.row(f.path("id").asText(), f.path("name").asText(), f.path("role").asText(), f.path("state").asText(),
          f.path("tasks").asInt(), MarathonViews.number(f.path("used_resources").get("cpus")),
          MarathonViews.number(f.path("used_resources").get("mem")));
    }
    table.print(out);
    return 0;
  }
}
