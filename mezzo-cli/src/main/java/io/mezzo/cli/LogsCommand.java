package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mezzo logs TASK_ID [--follow] [--stderr]}: prints a task's {@code stdout} (or {@code stderr})
 * from any machine that reaches the master and the task's agent. It finds the task's framework and
 * agent in the master's {@code /master/state}, then reads the newest run's file through the agent's
 * files API ({@code /files/read?path=/frameworks/F/tasks/T/runs/latest/stdout}) by offset.
 *
 * <p>Without {@code --follow} it prints what the file holds and exits 0. With {@code --follow} it
 * keeps polling for new output until the master reports the task terminal, then prints what is left
 * and exits 0 (or until interrupted). Exits 1 with one line on stderr when the task, its agent or its
 * sandbox cannot be found.
 */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a task's output.")
final class LogsCommand implements Callable<Integer> {
  private static final Set<String> TERMINAL = Set.of("TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR",
      "TASK_LOST", "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR");
  private static final int CHUNK = 1024 * 1024;
  private static final Duration POLL = Duration.ofMillis(300);
  private static final Duration STATE_POLL = Duration.ofSeconds(1);

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TASK_ID", description = "The task's id.")
  String taskId;

  @Option(names = "--master", defaultValue = "${env:MEZZO_MASTER:-127.0.0.1:5050}",
      description = "The master's HOST:PORT, several masters' HOST:PORT,HOST:PORT,... or zk://HOST:PORT,.../PATH"
          + " (default: $MEZZO_MASTER, else 127.0.0.1:5050).")
  String master;

  @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the task ends.")
  boolean follow;

  @Option(names = "--stderr", description = "Print stderr instead of stdout.")
  boolean stderr;

  @Option(names = "--framework", description = "The task's framework id, when several frameworks use TASK_ID.")
  String framework;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "File holding your secret, sent as 'Authorization: Bearer' (default: $MEZZO_TOKEN, else none).")
  java.nio.file.Path tokenFile;

  @Option(names = "--tls-ca", paramLabel = "PEM", description = "Call the master and agents over HTTPS, trusting these CAs.")
  java.nio.file.Path tlsCa;

  @picocli.CommandLine.Mixin
  ClientCertificateOptions clientCertificate = new ClientCertificateOptions();

  private JsonClient httpClient;

  /** The client, made on first use so that the token is read when the command runs. */
  private JsonClient http() {
    if (httpClient == null) {
      httpClient = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10), MasterOption.caller(tokenFile, tlsCa, clientCertificate));
    }
    return httpClient;
  }

  /** Where a task runs, as the master recorded it. */
  record Location(String frameworkId, String agentHostPort, String state) {}

  /** Thrown for anything the user should read as one line. */
  static final class Failure extends Exception {
    Failure(String message) {
      super(message);
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      try {
        master = MasterOption.leader(master); // the leading one of several, or from ZooKeeper
      } catch (CliFailure e) {
        err.println("mezzo logs: " + e.getMessage());
        err.flush();
        return e.exitCode();
      }
      Location where = locate();
      String path = "/frameworks/" + where.frameworkId() + "/tasks/" + taskId + "/runs/latest/"
          + (stderr ? "stderr" : "stdout");
      long offset = 0;
      boolean ended = !follow || TERMINAL.contains(where.state());
      long nextStateCheck = System.nanoTime() + STATE_POLL.toNanos();
      while (true) {
        JsonNode chunk = read(where.agentHostPort(), path, offset, !ended);
        String data = chunk == null ? "" : chunk.path("data").asText("");
        if (!data.isEmpty()) {
          out.print(data);
          out.flush();
          offset += data.getBytes(StandardCharsets.UTF_8).length;
          continue;
        }
        if (ended) {
          return 0;
        }
        if (System.nanoTime() - nextStateCheck >= 0) {
          // Once the master says the task ended, one more pass drains what it wrote last.
          ended = TERMINAL.contains(locate().state());
          nextStateCheck = System.nanoTime() + STATE_POLL.toNanos();
          if (ended) {
            continue;
          }
        }
        TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
      }
    } catch (Failure e) {
      err.println("mezzo logs: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  /** The task's framework, agent and state from {@code /master/state}. */
  Location locate() throws Failure, InterruptedException {
    JsonNode state = getJson(master, "/master/state", "the master");
    List<Location> found = new ArrayList<>();
    for (String frameworksField : List.of("frameworks", "completed_frameworks")) {
      for (JsonNode f : state.path(frameworksField)) {
        String fid = f.path("id").asText();
        if (framework != null && !framework.equals(fid)) {
          continue;
        }
        JsonNode latest = null;
        for (String tasksField : List.of("completed_tasks", "unreachable_tasks", "tasks")) {
          for (JsonNode t : f.path(tasksField)) {
            if (taskId.equals(t.path("id").asText())) {
              latest = t; // live entries come last and win over completed ones of the same id
            }
          }
        }
        if (latest != null && found.stream().noneMatch(l -> l.frameworkId().equals(fid))) {
          found.add(new Location(fid, agentOf(state, latest.path("slave_id").asText()), latest.path("state").asText()));
        }
      }
    }
    if (found.isEmpty()) {
      throw new Failure("task '" + taskId + "'" + (framework == null ? "" : " of framework '" + framework + "'")
          + " is unknown to the master at " + master);
    }
    if (found.size() > 1) {
      throw new Failure("task '" + taskId + "' exists in frameworks "
          + found.stream().map(Location::frameworkId).toList() + " (expected: --framework to choose one)");
    }
    return found.get(0);
  }

  private static String agentOf(JsonNode state, String agentId) throws Failure {
    for (JsonNode a : state.path("slaves")) {
      if (agentId.equals(a.path("id").asText())) {
        return a.path("hostname").asText() + ":" + a.path("port").asInt();
      }
    }
    throw new Failure("agent '" + agentId + "' of the task is not registered with the master (it may be down)");
  }

  /** One chunk, or null when the file does not exist yet and {@code missingIsEmpty}. */
  private JsonNode read(String agent, String path, long offset, boolean missingIsEmpty) throws Failure, InterruptedException {
    String uri = "/files/read?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8) + "&offset=" + offset
        + "&length=" + CHUNK;
    JsonClient.Reply r = get(agent, uri, "the agent");
    if (r.status() == 404 && missingIsEmpty) {
      return null; // the task has not started writing (or its sandbox was collected)
    }
    if (r.status() != 200) {
      throw new Failure("the agent at " + agent + " answered " + r.status() + " for " + path + ": " + r.body());
    }
    return parse(r.body(), "the agent");
  }

  private JsonNode getJson(String hostPort, String uri, String who) throws Failure, InterruptedException {
    JsonClient.Reply r = get(hostPort, uri, who);
    if (r.status() != 200) {
      throw new Failure(who + " at " + hostPort + " answered " + r.status() + " for " + uri + ": " + r.body());
    }
    return parse(r.body(), who);
  }

  private JsonClient.Reply get(String hostPort, String uri, String who) throws Failure, InterruptedException {
    try {
      return http().get(http().uri(hostPort, uri)).get(15, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new Failure("cannot reach " + who + " at " + hostPort + ": " + cause);
    }
  }

  private static JsonNode parse(String body, String who) throws Failure {
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new Failure(who + " answered something that is not JSON: " + e.getMessage());
    }
  }
}
