package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.testkit.MezzoCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code mezzo app}, {@code tasks} and {@code deployments} commands against a real cluster running
 * the services scheduler: {@code examples/sample-server.json} is deployed and waited for, listed,
 * shown, scaled to one, restarted and removed, each step judged by what the commands print; refusals
 * (422 with each field's error, 409 on a locked app, 404) print the master's reasons.
 */
class AppCommandsClusterTest {
  private static final String APP = "/sample/web";

  @TempDir
  Path dir;

  MezzoCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private CliRun run(String... args) {
    return CliRun.succeeding(cluster.masterAddress(), args);
  }

  /** The table's data lines (the header dropped). */
  private static List<String> rows(String table) {
    List<String> lines = table.lines().toList();
    return lines.subList(1, lines.size());
  }

  /** The TASK column of {@code mezzo tasks APP}. */
  private List<String> taskIds() {
    return rows(run("tasks", APP).out()).stream().map(l -> l.split("\\s+")[0]).sorted().toList();
  }

  @Test
  void theSampleAppIsDeployedListedScaledRestartedAndRemovedFromTheCommandLine() {
    cluster = MezzoCluster.builder(dir).agents(2).start();
    await("the services scheduler subscribed").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions() // 503 while it starts
        .until(() -> cluster.getJson(cluster.master().port(), "/v2/info").path("frameworkId").isTextual());

    CliRun deploy = run("app", "deploy", ExamplesTest.EXAMPLES.resolve("sample-server.json").toString(), "--wait",
        "--timeout", "3m");
    assertThat(deploy.out()).startsWith("deployment ").contains("(deploying " + APP + ")")
        .containsPattern("deployed " + APP + ": 2/2 running, 2/2 healthy in \\d+s\n$");

    List<String> apps = rows(run("app", "list").out());
    assertThat(apps).hasSize(1);
    assertThat(apps.get(0).split("\\s+")).containsExactly(APP, "2", "2", "2", "0.25", "256", "no");

    String show = run("app", "show", "sample/web").out();
    assertThat(show).contains("ID           " + APP + "\n").contains("INSTANCES    2\n")
        .contains("TASKS        2 running, 0 staged, 2 healthy, 0 unhealthy\n").contains("DEPLOYMENTS  -\n");
    List<String> shownTasks = rows(show.substring(show.indexOf("\n\n") + 2));
    assertThat(shownTasks).hasSize(2).allSatisfy(l -> assertThat(l).contains("TASK_RUNNING").contains("healthy"));

    List<String> tasks = rows(run("tasks").out());
    assertThat(tasks).hasSize(2).allSatisfy(l -> {
      String[] cells = l.split("\\s+");
      assertThat(cells[1]).isEqualTo(APP);
      assertThat(Integer.parseInt(cells[3])).isBetween(Integer.getInteger("mezzo.taskPorts", 31000), 65_535); // the agents' range
      assertThat(cells[4]).isEqualTo("TASK_RUNNING");
      assertThat(cells[5]).isEqualTo("healthy");
    });

    CliRun scale = run("app", "scale", "sample/web", "1", "--wait");
    assertThat(scale.out()).containsPattern("deployed " + APP + ": 1/1 running, 1/1 healthy in \\d+s\n$");
    await("the killed instance leaves the task list").atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500)).until(() -> taskIds().size() == 1);
    List<String> beforeRestart = taskIds();

    CliRun restart = run("app", "restart", APP, "--wait");
    assertThat(restart.out()).containsPattern("deployed " + APP + ": 1/1 running, 1/1 healthy in \\d+s\n$");
    await("the replaced instance leaves the task list").atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500)).until(() -> taskIds().size() == 1);
    assertThat(taskIds()).doesNotContainAnyElementsOf(beforeRestart);
    assertThat(rows(run("deployments").out())).isEmpty();

    CliRun remove = run("app", "remove", APP, "--wait");
    assertThat(remove.out()).containsPattern("removed " + APP + " in \\d+s\n$");
    assertThat(rows(run("app", "list").out())).isEmpty();
    CliRun gone = mezzo("app", "show", APP, "--master", cluster.masterAddress());
    assertThat(gone.exit()).isEqualTo(1);
    assertThat(gone.err()).isEqualTo("mezzo app show: no app " + APP + " (see `mezzo app list`)\n");
  }

  @Test
  void refusalsPrintTheMastersReasonsAndALockedAppSuggestsForce() throws Exception {
    cluster = MezzoCluster.builder(dir).agents(1).start();
    await("the services scheduler subscribed").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> cluster.getJson(cluster.master().port(), "/v2/info").path("frameworkId").isTextual());

    Path invalid = dir.resolve("invalid.json");
    Files.writeString(invalid, "{\"id\":\"/web\",\"cmd\":\"sleep 60\",\"cpus\":-1,\"color\":\"red\"}");
    CliRun refused = mezzo("app", "deploy", invalid.toString(), "--master", cluster.masterAddress());
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).startsWith("mezzo app deploy: the master refused /web: Object is not valid\n")
        .contains("\n  /cpus: ").contains("\n  /color: ");

    // More instances than one agent can hold: the deployment stays open and holds the app.
    Path big = dir.resolve("big.json");
    Files.writeString(big, "{\"id\":\"/web\",\"cmd\":\"sleep 600\",\"cpus\":0.1,\"mem\":16,\"instances\":500}");
    run("app", "deploy", big.toString());
    CliRun locked = mezzo("app", "scale", "web", "1", "--master", cluster.masterAddress());
    assertThat(locked.exit()).isEqualTo(1);
    assertThat(locked.err()).startsWith("mezzo app scale: App is locked by one or more deployments.")
        .endsWith("(use --force to override the deployment in progress)\n");
    run("app", "scale", "web", "1", "--force", "--wait");
    assertThat(rows(run("app", "list").out()).get(0).split("\\s+")).startsWith("/web", "1", "1");

    CliRun missing = mezzo("app", "show", "nope", "--master", cluster.masterAddress());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("mezzo app show: no app /nope (see `mezzo app list`)\n");
    run("app", "remove", "web", "--wait");
  }
}
