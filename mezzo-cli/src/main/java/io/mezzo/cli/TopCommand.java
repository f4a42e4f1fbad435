package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mezzo top}: a live view of the cluster, like {@code htop}: the cluster's totals and a row per
 * app (instances, load through the balancers, cpu and memory, the autoscaler's recommendation), redrawn
 * every {@code --interval} on the terminal's alternate screen until {@code q} or Ctrl-C ({@link Terminal});
 * {@code s} switches to the next sort key, any other key redraws at once.
 * {@code --once} prints one frame as plain text and exits; {@code --output json} prints one
 * {@link TopSnapshot}; off a terminal it prints a plain frame every interval. The master's state is
 * required; the services API, the autoscaler and the load balancers ({@code --lb-stats}) are optional,
 * and one that does not answer is a {@code !} line in the frame saying what to do. Runs on the caller's
 * thread.
 */
@Command(name = "top", mixinStandardHelpOptions = true,
    description = "A live view of the cluster and its apps (q or Ctrl-C quits).")
final class TopCommand extends ServiceCommand {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
      .withZone(ZoneOffset.UTC);

  @Mixin
  OutputOption output;

  @Option(names = "--interval", defaultValue = "2s", converter = DurationConverter.class,
      description = "Time between frames (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--once", description = "Print one frame, without terminal control codes, and exit.")
  boolean once;

  @Option(names = "--sort", defaultValue = "id",
      description = "Sort the apps by ${COMPLETION-CANDIDATES} (numbers largest first; default: ${DEFAULT-VALUE}).")
  TopView.Sort sort;

  @Option(names = "--lb-stats", split = ",", paramLabel = "HOST:PORT", defaultValue = "${env:MEZZO_LB_STATS}",
      description = "Load balancers' admin HOST:PORT serving /stats, comma-separated (default: $MEZZO_LB_STATS, else "
          + "the balancers the master reports at GET /v1/balancers, else 127.0.0.1:10081, mezzo up's --lb-port + 1).")
  List<String> lbStats;

  /** Where top reads the balancers without --lb-stats when the master does not report them: {@code mezzo up}'s. */
  static final String DEFAULT_LB_STATS = "127.0.0.1:10081";

  @Option(names = "--width", defaultValue = "0",
      description = "Cut lines to this many columns (default: $COLUMNS, else stty size, else 120).")
  int width;

  @Override
  int run(PrintWriter out) throws CliFailure, InterruptedException {
    if (interval.toMillis() < 100) {
      throw new CliFailure(2, "--interval: " + DeploymentWatcher.format(interval) + " (expected: >= 100ms)");
    }
    MarathonClient client = client();
    if (output.json()) {
      OutputOption.print(out, snapshot(client));
      return 0;
    }
    boolean tty = System.console() != null;
    if (once || !tty) {
      int cols = TopView.width(width, System.getenv("COLUMNS"), tty ? Terminal.size() : null);
      while (true) {
        TopView.render(snapshot(client), sort, cols, null).forEach(out::println);
        out.flush();
        if (once) {
          return 0;
        }
        out.println();
        TimeUnit.MILLISECONDS.sleep(interval.toMillis());
      }
    }
    try (Terminal terminal = Terminal.open(out, System.in)) {
      while (true) {
        String size = Terminal.size();
        List<String> lines = TopView.render(snapshot(client), sort, TopView.width(width, null, size),
            "(q quits, s sorts; every " + DeploymentWatcher.format(interval) + ", by " + sort + ")");
        int rows = TopView.rows(size);
        terminal.frame(lines.size() > rows ? lines.subList(0, rows) : lines);
        int key = terminal.awaitKey(interval);
        if (key == 'q' || key == 'Q') {
          return 0;
        }
        if (key == 's' || key == 'S') {
          TopView.Sort[] all = TopView.Sort.values();
          sort = all[(sort.ordinal() + 1) % all.length];
        }
      }
    }
  }

  /** Reads every source once; only the master's state is required. */
  private TopSnapshot snapshot(MarathonClient client) throws CliFailure, InterruptedException {
    List<String> problems = new ArrayList<>();
    JsonNode state = client.check(client.get("/master/state", null), "GET", "/master/state", null).body();
    JsonNode apps = optional(client, "/v2/apps", "embed=apps.tasks", "the services API", problems);
    JsonNode autoscaler = optional(client, "/v1/autoscaler/apps", null, "the autoscaler", problems);
    List<JsonNode> stats = new ArrayList<>();
    List<String> direct = lbStats == null ? List.of() : lbStats.stream().filter(l -> !l.isBlank()).toList();
    if (direct.isEmpty() && !fromMaster(client, stats, problems)) {
      direct = List.of(DEFAULT_LB_STATS);
    }
    for (String lb : direct) {
      if (lb.isBlank()) {
        continue;
      }
      try {
        MarathonClient.Answer a = new MarathonClient(lb.strip(), masterOption.caller(), Duration.ofSeconds(3))
            .get("/stats", null);
        if (a.ok()) {
          stats.add(a.body());
        } else {
          problems.add("lb " + lb + " answered " + a.status() + " to GET /stats: " + a.message());
        }
      } catch (CliFailure | RuntimeException e) {
        problems.add("no load balancer stats at " + lb + ": req/s, p95 and in-flight unknown (pass --lb-stats HOST:PORT,"
            + " a balancer's admin port, or set MEZZO_LB_STATS)");
      }
    }
    return TopSnapshot.of(client.hostPort(), TIME.format(Instant.now()), state, apps, autoscaler, stats, problems);
  }

  /**
   * The balancers' stats as the master gathers them ({@code GET /v1/balancers}, from the addresses its
   * autoscaler reads, with the master's own credential): false when the master does not serve them.
   */
  private static boolean fromMaster(MarathonClient client, List<JsonNode> stats, List<String> problems)
      throws CliFailure, InterruptedException {
    MarathonClient.Answer a = client.get("/v1/balancers", null);
    if (!a.ok() || !a.body().path("balancers").isArray()) {
      return false;
    }
    for (JsonNode lb : a.body().path("balancers")) {
      if (lb.path("ok").asBoolean() && lb.path("stats").isObject()) {
        stats.add(lb.path("stats"));
      } else {
        problems.add("lb " + lb.path("address").asText() + " (as the master reports it): " + lb.path("error").asText()
            + "; req/s, p95 and in-flight unknown");
      }
    }
    return true;
  }

  private static JsonNode optional(MarathonClient client, String path, String query, String what, List<String> problems)
      throws CliFailure, InterruptedException {
    MarathonClient.Answer a = client.get(path, query);
    if (a.ok()) {
      return a.body();
    }
    if (MarathonClient.isMissingRoute(a)) {
      problems.add("the master does not serve " + what + " (" + path + ")");
    } else {
      problems.add(what + " answered " + a.status() + ": " + a.message());
    }
    return null;
  }
}
