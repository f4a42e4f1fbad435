package io.mezzo.testkit.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The simulator half of {@code bench/allocator}: loads a running master with simulated agents and
 * frameworks and measures it end to end. Phases, each announced on stdout for the driving script:
 *
 * <ol>
 *   <li>{@code ADMITTED}: all agents got SUBSCRIBED and the master counts them active, and how long
 *       that took;
 *   <li>{@code MEASURING}: the frameworks subscribed and warmed up; the measured window starts;
 *   <li>{@code RESULT}: one line of {@code key=value} figures over the window (offers/s, tasks
 *       reaching TASK_RUNNING per second, ACCEPT to TASK_RUNNING percentiles, allocation-cycle
 *       percentiles from the master's {@code /metrics/snapshot} or {@code n/a}), after which the
 *       frameworks stop launching.
 * </ol>
 *
 * With {@code --linger} everything stays connected after RESULT until the process is stopped (so that
 * the script can weigh the master's heap under this load). Progress goes to stderr. This is a
 * command, not a test: it measures wall-clock figures and asserts nothing.
 */
public final class AllocatorBench {
  private static final String USAGE = "usage: AllocatorBench --master HOST:PORT --agents N [--frameworks 100] "
      + "[--warmup 10s] [--duration 30s] [--task-duration 10s] [--status-retry 10s] [--threads 2] "
      + "[--call-connections 128] [--agent-resources cpus:8;mem:32768;disk:100000;ports:[31000-32000]] "
      + "[--max-launching 0] [--admit-timeout 900s] [--linger]";

  private AllocatorBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    String master = require(opts, "master");
    int agents = Integer.parseInt(require(opts, "agents"));
    int frameworks = Integer.parseInt(opts.getOrDefault("frameworks", "100"));
    Duration warmup = duration(opts.getOrDefault("warmup", "10s"));
    Duration window = duration(opts.getOrDefault("duration", "30s"));
    Duration admitTimeout = duration(opts.getOrDefault("admit-timeout", "900s"));
    SimConfig defaults = SimConfig.defaults(master, agents);
    SimConfig config = new SimConfig(master, agents,
        opts.getOrDefault("agent-resources", defaults.agentResources()), 0,
        duration(opts.getOrDefault("task-duration", "10s")), duration(opts.getOrDefault("status-retry", "10s")),
        defaults.taskCpus(), defaults.taskMem(),
        Integer.parseInt(opts.getOrDefault("threads", "2")),
        Integer.parseInt(opts.getOrDefault("call-connections", "128")), defaults.maxSubscribing(),
        Integer.parseInt(opts.getOrDefault("max-launching", "0")));
    JsonClient http = new JsonClient(Duration.ofSeconds(5), Duration.ofSeconds(120));

    Simulation sim = Simulation.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(sim::close, "sim-shutdown"));
    progress("simulating %d agents on %d %s loop(s) from %d source address(es)", agents, config.threads(),
        sim.epoll() ? "epoll" : "NIO", config.sourceAddresses());

    long t0 = System.nanoTime();
    waitFor("agents subscribed", admitTimeout, sim, () -> sim.stats().agentsSubscribed() >= agents);
    waitFor("master counts the agents active", Duration.ofSeconds(120), sim,
        () -> activeAgents(http, master) >= agents);
    double admitSeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "ADMITTED agents=%d seconds=%.1f%n", agents, admitSeconds);

    sim.startFrameworks(frameworks);
    waitFor("frameworks subscribed", Duration.ofSeconds(120), sim, () -> sim.stats().frameworksSubscribed() >= frameworks);
    progress("%d frameworks subscribed; warming up for %s", frameworks, warmup);
    pause(warmup);
    SimStats start = sim.stats();
    System.out.println("MEASURING");
    System.out.flush();
    progress("measuring for %s", window);
    long every = Math.max(1, window.toSeconds() / 6);
    for (long s = 0; s < window.toSeconds(); s += every) {
      pause(Duration.ofSeconds(Math.min(every, window.toSeconds() - s)));
      SimStats so = sim.stats().since(start);
      progress("%5.0f s: %d running (%.0f/s), %d offers, backlog %d calls%s", so.elapsedNanos() / 1e9,
          so.tasksRunning(), so.perSecond(so.tasksRunning()), so.offers(), so.callBacklog(),
          so.lastError() == null ? "" : "; last error: " + so.lastError());
    }
    SimStats w = sim.stats().since(start);
    Map<String, Double> metrics = metrics(http, master);
    sim.acceptOffers(false);

    System.out.println(String.format(Locale.ROOT,
        "RESULT agents=%d frameworks=%d admit_s=%.1f window_s=%.1f cycle_p50_ms=%s cycle_p99_ms=%s offers_per_s=%.0f "
            + "accepted_per_s=%.0f launches_per_s=%.0f finished_per_s=%.0f accept_to_running_p50_ms=%.1f "
            + "accept_to_running_p99_ms=%.1f failed=%d update_retries=%d call_errors=%d backlog=%d agents_subscribed=%d",
        agents, frameworks, admitSeconds, w.elapsedNanos() / 1e9,
        figure(metrics.get("allocator/mesos/allocation_run_ms/p50")),
        figure(metrics.get("allocator/mesos/allocation_run_ms/p99")),
        w.perSecond(w.offers()), w.perSecond(w.tasksAccepted()), w.perSecond(w.tasksRunning()),
        w.perSecond(w.tasksFinished()), w.acceptToRunningMs(50), w.acceptToRunningMs(99), w.tasksFailed(),
        w.statusUpdateRetries(), w.callErrors(), w.callBacklog(), w.agentsSubscribed()));
    if (w.lastError() != null) {
      System.out.println("LAST_ERROR " + w.lastError());
    }
    System.out.flush();
    if (opts.containsKey("linger")) {
      progress("lingering with everything connected until stopped");
      new CountDownLatch(1).await();
    }
    sim.close();
  }

  /**
   * Waits until {@code done}, reporting every 5 s; gives up after {@code atMost}, or when the number of
   * subscribed agents and frameworks has not moved for a minute (say, for want of file descriptors).
   */
  private static void waitFor(String what, Duration atMost, Simulation sim, BooleanSupplier done)
      throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    long nextReport = System.nanoTime();
    long lastMove = System.nanoTime();
    long lastCount = -1;
    while (!done.getAsBoolean()) {
      SimStats s = sim.stats();
      long count = s.agentsSubscribed() + (long) s.frameworksSubscribed();
      if (count != lastCount) {
        lastCount = count;
        lastMove = System.nanoTime();
      }
      String state = s.agentsSubscribed() + " agents and " + s.frameworksSubscribed() + " frameworks subscribed"
          + (s.lastError() == null ? "" : "; last error: " + s.lastError());
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("timed out after " + atMost + " waiting for " + what + ": " + state);
      }
      if (System.nanoTime() - lastMove > TimeUnit.SECONDS.toNanos(60)) {
        throw new IllegalStateException("stalled for 60 s waiting for " + what + ": " + state);
      }
      if (System.nanoTime() - nextReport >= 0) {
        progress("waiting for %s: %s", what, state);
        nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
  }

  /** Active agents as the master counts them: {@code master/slaves_active}, else from {@code /master/state}. */
  private static int activeAgents(JsonClient http, String master) {
    Double fromMetrics = metrics(http, master).get("master/slaves_active");
    if (fromMetrics != null) {
      return fromMetrics.intValue();
    }
    JsonNode state = getJson(http, master, "/master/state");
    int active = 0;
    if (state != null) {
      for (JsonNode s : state.path("slaves")) {
        if (s.path("active").asBoolean()) {
          active++;
        }
      }
    }
    return active;
  }

  /** The master's {@code /metrics/snapshot} as numbers; empty when it has none (yet). */
  private static Map<String, Double> metrics(JsonClient http, String master) {
    Map<String, Double> out = new HashMap<>();
    JsonNode snapshot = getJson(http, master, "/metrics/snapshot");
    if (snapshot != null) {
      snapshot.fields().forEachRemaining(e -> {
        if (e.getValue().isNumber()) {
          out.put(e.getKey(), e.getValue().asDouble());
        }
      });
    }
    return out;
  }

  private static JsonNode getJson(JsonClient http, String master, String path) {
    JsonClient.Reply r = http.get(URI.create("http://" + master + path)).join();
    if (!r.ok()) {
      return null;
    }
    try {
      return Json.MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + path + ": not JSON: " + e.getMessage(), e);
    }
  }

  private static String figure(Double value) {
    return value == null ? "n/a" : String.format(Locale.ROOT, "%.1f", value);
  }

  private static void pause(Duration d) throws InterruptedException {
    TimeUnit.MILLISECONDS.sleep(d.toMillis());
  }

  private static void progress(String format, Object... args) {
    System.err.println("[sim] " + String.format(Locale.ROOT, format, args));
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("argument: '" + args[i] + "' (expected: --name [value]); " + USAGE);
      }
      String name = args[i].substring(2);
      if (name.equals("linger")) {
        opts.put(name, "true");
      } else if (i + 1 < args.length) {
        opts.put(name, args[++i]);
      } else {
        throw new IllegalArgumentException("--" + name + ": missing value; " + USAGE);
      }
    }
    return opts;
  }

  private static String require(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + ": missing; " + USAGE);
    }
    return v;
  }

  /** {@code 500ms}, {@code 30s}, {@code 2m}, or a plain number of seconds. */
  static Duration duration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      } else if (t.endsWith("s")) {
        return Duration.ofMillis((long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
      } else if (t.endsWith("m")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
      }
      return Duration.ofMillis((long) (Double.parseDouble(t) * 1000));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("duration: '" + text + "' (expected: such as 500ms, 30s or 2m)", e);
    }
  }
}
