package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code mezzo agents}: the master's agents ({@code GET /master/state}, {@code slaves}) as a table of
 * ID, HOST, STATE ({@code active}, {@code deactivated}, or the drain's {@code DRAINING}/{@code DRAINED}),
 * CPUS and MEM ({@code used/total}), TASKS (live tasks on it), in the master's order; with
 * {@code --output json} the agents as the state gives them, each with {@code state} and {@code tasks}
 * added.
 */
@Command(name = "agents", mixinStandardHelpOptions = true, description = "List the master's agents.")
final class AgentsCommand extends CliCommand {
  @Mixin
  MasterOption masterOption;

  @Mixin
  OutputOption output;

  @Override
  int run(PrintWriter out) throws CliFailure, InterruptedException {
    JsonNode state = masterState(masterOption);
    Map<String, Integer> tasks = tasksPerAgent(state);
    ArrayNode agents = JsonNodeFactory.instance.arrayNode();
    for (JsonNode a : state.path("slaves")) {
      ObjectNode o = a.deepCopy();
      o.put("state", state(a));
      o.put("tasks", tasks.getOrDefault(a.path("id").asText(), 0));
      agents.add(o);
    }
    if (output.json()) {
      OutputOption.print(out, agents);
      return 0;
    }
    Table table = new Table("ID", "HOST", "STATE", "CPUS", "MEM", "TASKS");
    for (JsonNode a : agents) {
      table.row(a.path("id").asText(), a.path("hostname").asText() + ":" + a.path("port").asInt(), a.path("state").asText(),
          usedOfTotal(a, "cpus"), usedOfTotal(a, "mem"), a.path("tasks").asInt());
    }
    table.print(out);
    return 0;
  }

  /** {@code /master/state} of the leading master. */
  static JsonNode masterState(MasterOption master) throws CliFailure, InterruptedException {
    MarathonClient client = new MarathonClient(master.hostPort(), master.caller(), ServiceCommand.REQUEST_TIMEOUT);
    return client.check(client.get("/master/state", null), "GET", "/master/state", null).body();
  }

  /** {@code DRAINING}/{@code DRAINED} while drained, else {@code active} or {@code deactivated}. */
  static String state(JsonNode agent) {
    String drain = agent.path("drain_info").path("state").asText("");
    if (!drain.isEmpty()) {
      return drain;
    }
    return agent.path("active").asBoolean(false) ? "active" : "deactivated";
  }

  /** Live tasks per agent id, over every framework. */
  static Map<String, Integer> tasksPerAgent(JsonNode state) {
    Map<String, Integer> n = new HashMap<>();
    for (JsonNode f : state.path("frameworks")) {
      for (JsonNode t : f.path("tasks")) {
        n.merge(t.path("slave_id").asText(), 1, Integer::sum);
      }
    }
    return n;
  }

  /** {@code 0.5/4}: a scalar's used and total amounts. */
  static String usedOfTotal(JsonNode agent, String name) {
    JsonNode used = agent.path("used_resources").get(name);
    return (used != null && used.isNumber() ? MarathonViews.number(used) : "0") + "/"
        + MarathonViews.number(agent.path("resources").get(name));
  }
}
