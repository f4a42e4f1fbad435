package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mezzo agent drain ID [--grace D] [--mark-gone] [--wait [--timeout T]]}: orders the master to
 * drain an agent (the operator API's {@code DRAIN_AGENT}: no more offers, its tasks killed with at most
 * {@code --grace} of grace). {@code --wait} follows it through {@code /master/state} until the agent is
 * {@code DRAINED} (or, with {@code --mark-gone}, gone), showing the tasks ended so far as a {@link Progress}
 * line; exits 1 after {@code --timeout}. An unknown agent exits 1 saying where to find the ids.
 */
@Command(name = "drain", mixinStandardHelpOptions = true,
    description = "Drain an agent: no more offers, its tasks killed (the operator API's DRAIN_AGENT).")
final class AgentDrainCommand extends CliCommand {
  static final Duration POLL = Duration.ofMillis(500);

  @Parameters(index = "0", paramLabel = "AGENT_ID", description = "The agent's id (see `mezzo agents`).")
  String agentId;

  @Option(names = "--grace", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "The longest kill grace period its tasks get (default: the master's kill grace period).")
  Duration grace;

  @Option(names = "--mark-gone", description = "Remove the agent for good once drained; it is refused if it comes back.")
  boolean markGone;

  @Mixin
  MasterOption masterOption;

  @Option(names = "--wait", description = "Wait until the agent is drained, showing its progress.")
  boolean wait;

  @Option(names = "--timeout", defaultValue = "10m", converter = DurationConverter.class,
      description = "With --wait: give up after this long, exiting 1 (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  int run(PrintWriter out) throws CliFailure, InterruptedException {
    if (grace != null && grace.isNegative()) {
      throw new CliFailure(2, "--grace: " + grace + " (expected: >= 0)");
    }
    MarathonClient client = new MarathonClient(masterOption.hostPort(), masterOption.caller(), ServiceCommand.REQUEST_TIMEOUT);
    ObjectNode call = JsonNodeFactory.instance.objectNode().put("type", "DRAIN_AGENT");
    ObjectNode drain = call.putObject("drain_agent");
    drain.putObject("agent_id").put("value", agentId);
    if (grace != null) {
      drain.put("max_grace_period", protobufDuration(grace));
    }
    if (markGone) {
      drain.put("mark_gone", true);
    }
    MarathonClient.Answer a = client.post("/api/v1", null, call);
    if (a.status() == 400 && a.message().contains("the id of a registered agent")) {
      throw new CliFailure("no agent " + agentId + " (see `mezzo agents`)");
    }
    client.check(a, "POST", "/api/v1 DRAIN_AGENT", null);
    out.println("draining agent " + agentId);
    out.flush();
    if (!wait) {
      return 0;
    }
    return await(client, out, new Progress(out, System.console() != null, System::nanoTime,
        DeploymentWatcher.PLAIN_EVERY));
  }

  private int await(MarathonClient client, PrintWriter out, Progress progress) throws CliFailure, InterruptedException {
    long start = System.nanoTime();
    int most = 0;
    while (true) {
      JsonNode state = client.check(client.get("/master/state", null), "GET", "/master/state", null).body();
      JsonNode agent = null;
      for (JsonNode s : state.path("slaves")) {
        if (s.path("id").asText().equals(agentId)) {
          agent = s;
        }
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      if (agent == null) {
        progress.clear();
        out.println("agent " + agentId + " drained and gone in " + seconds + "s");
        out.flush();
        return 0;
      }
      String mode = AgentsCommand.state(agent);
      int left = AgentsCommand.tasksPerAgent(state).getOrDefault(agentId, 0);
      most = Math.max(most, left);
      if (mode.equals("DRAINED") && !markGone) {
        progress.clear();
        out.println("drained agent " + agentId + ": " + most + " task(s) ended in " + seconds + "s");
        out.flush();
        return 0;
      }
      String key = (most - left) + "/" + most + " tasks ended, " + mode;
      progress.show(key, "draining agent " + agentId + " " + Progress.bar(most - left, most, Progress.BAR_WIDTH) + " "
          + key + ", " + Progress.elapsed(seconds));
      if (System.nanoTime() - start > timeout.toNanos()) {
        progress.end();
        throw new CliFailure("agent " + agentId + " still " + mode + " with " + left + " task(s) after "
            + DeploymentWatcher.format(timeout) + " (timeout); the master goes on draining it: see `mezzo agents`");
      }
      TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
    }
  }

  /** {@code 1.5s}: a protobuf Duration in its JSON form. */
  static String protobufDuration(Duration d) {
    return new BigDecimal(d.toNanos()).movePointLeft(9).stripTrailingZeros().toPlainString() + "s";
  }
}
