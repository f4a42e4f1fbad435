package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Follows one deployment of one app to its end for {@code --wait}: polls {@code /v2/deployments}
 * (then the app) every {@code poll} until the deployment id is gone, showing progress through
 * {@link Progress} as {@code deploying /web [===============>    ] 4/4 running, 3/4 healthy, step 1/1, 12 s}
 * (the bar counts healthy instances, or running ones without health checks): on a terminal one line
 * rewritten in place, otherwise a line per change of the counts or step, and one every 10 s.
 *
 * <p>The outcome: for {@link Goal#RUNNING}, success is the deployment gone and
 * {@code tasksRunning >= instances}; for {@link Goal#REMOVED}, the deployment gone and the app gone
 * (404). Success prints the final state and returns 0; a deployment that ended short of its goal, or
 * that outlived {@code timeout}, is a {@link CliFailure} (exit 1). Time comes from {@code nanoTime};
 * one command's thread uses an instance.
 */
final class DeploymentWatcher {
  /** What the deployment must leave behind. */
  enum Goal { RUNNING, REMOVED }

  private final MarathonClient client;
  private final PrintWriter out;
  private final boolean tty;
  private final LongSupplier nanoTime;
  private final Duration poll;
  /** Off a terminal, a progress line at least this often even when nothing changed. */
  static final Duration PLAIN_EVERY = Duration.ofSeconds(10);

  DeploymentWatcher(MarathonClient client, PrintWriter out, boolean tty, LongSupplier nanoTime, Duration poll) {
    this.client = client;
    this.out = out;
    this.tty = tty;
    this.nanoTime = nanoTime;
    this.poll = poll;
  }

  /** Waits for {@code deploymentId}; {@code verb} starts the progress line ({@code deploying}, {@code scaling}). */
  int await(String appId, String deploymentId, String verb, Goal goal, Duration timeout)
      throws CliFailure, InterruptedException {
    long start = nanoTime.getAsLong();
    Progress progress = new Progress(out, tty, nanoTime, PLAIN_EVERY);
    int mostRunning = 0; // for a removal: how many there were to stop
    while (true) {
      JsonNode deployment = inProgress(deploymentId); // null once ended
      JsonNode app = app(appId); // null once removed
      long seconds = TimeUnit.NANOSECONDS.toSeconds(nanoTime.getAsLong() - start);
      String counts = counts(app);
      mostRunning = Math.max(mostRunning, app == null ? 0 : MarathonViews.count(app, "tasksRunning"));
      if (deployment != null) {
        String key = counts + ", step " + MarathonViews.step(deployment);
        progress.show(key, verb + " " + appId + " " + bar(app, goal, mostRunning) + " " + key + ", " + Progress.elapsed(seconds));
        if (nanoTime.getAsLong() - start > timeout.toNanos()) {
          progress.end();
          throw new CliFailure("deployment " + deploymentId + " of " + appId + " still in progress after " + format(timeout)
              + " (timeout); the master goes on with it: see 'mezzo deployments'");
        }
        TimeUnit.MILLISECONDS.sleep(poll.toMillis());
        continue;
      }
      progress.clear();
      return finish(appId, deploymentId, goal, app, counts, seconds);
    }
  }

  /**
   * How far along: healthy (or, without health checks, running) of the instances; for a removal, how
   * many of the most seen running have stopped.
   */
  static String bar(JsonNode app, Goal goal, int mostRunning) {
    if (app == null) {
      return Progress.bar(1, 1, Progress.BAR_WIDTH);
    }
    int instances = MarathonViews.count(app, "instances");
    int running = MarathonViews.count(app, "tasksRunning");
    if (goal == Goal.REMOVED) {
      return Progress.bar(mostRunning - running, mostRunning, Progress.BAR_WIDTH);
    }
    int done = MarathonViews.hasHealthChecks(app) ? MarathonViews.count(app, "tasksHealthy") : running;
    return Progress.bar(Math.min(done, instances), instances, Progress.BAR_WIDTH);
  }

  private int finish(String appId, String deploymentId, Goal goal, JsonNode app, String counts, long seconds)
      throws CliFailure {
    if (goal == Goal.REMOVED) {
      if (app != null) {
        throw new CliFailure("deployment " + deploymentId + " ended but " + appId + " still exists (" + counts + ")");
      }
      out.println("removed " + appId + " in " + seconds + "s");
      out.flush();
      return 0;
    }
    if (app == null) {
      throw new CliFailure("deployment " + deploymentId + " ended but " + appId + " no longer exists");
    }
    int instances = MarathonViews.count(app, "instances");
    int running = MarathonViews.count(app, "tasksRunning");
    if (running < instances) {
      throw new CliFailure("deployment " + deploymentId + " of " + appId + " ended with " + counts
          + " (expected: " + instances + " running)");
    }
    out.println("deployed " + appId + ": " + counts + " in " + seconds + "s");
    out.flush();
    return 0;
  }

  /** {@code 10m}, {@code 90s}, {@code 1500ms}: a duration as the user wrote it for {@code --timeout}. */
  static String format(Duration d) {
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.toSeconds();
    if (s % 3600 == 0 && s > 0) {
      return s / 3600 + "h";
    }
    return s % 60 == 0 && s > 0 ? s / 60 + "m" : s + "s";
  }

  /** {@code 3/4 running, 2/4 healthy} (health only when the app has checks), or {@code gone}. */
  static String counts(JsonNode app) {
    if (app == null) {
      return "gone";
    }
    int instances = MarathonViews.count(app, "instances");
    String s = MarathonViews.count(app, "tasksRunning") + "/" + instances + " running";
    if (MarathonViews.hasHealthChecks(app)) {
      s += ", " + MarathonViews.count(app, "tasksHealthy") + "/" + instances + " healthy";
    }
    return s;
  }

  /** The deployment while it is in progress, else null. */
  private JsonNode inProgress(String deploymentId) throws CliFailure, InterruptedException {
    MarathonClient.Answer a = client.check(client.get("/v2/deployments", null), "GET", "/v2/deployments", null);
    for (JsonNode d : a.body()) {
      if (deploymentId.equals(d.path("id").asText())) {
        return d;
      }
    }
    return null;
  }

  private JsonNode app(String appId) throws CliFailure, InterruptedException {
    String path = "/v2/apps" + appId;
    MarathonClient.Answer a = client.get(path, null);
    if (a.status() == 404 && !MarathonClient.isMissingRoute(a)) {
      return null;
    }
    return client.check(a, "GET", path, appId).body().path("app");
  }
}
