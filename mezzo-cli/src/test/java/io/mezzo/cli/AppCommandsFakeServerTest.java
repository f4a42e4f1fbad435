package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.cli.FakeMarathon.Reply;
import io.mezzo.core.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code mezzo app} commands against a real HTTP server answering in Marathon's {@code /v2}
 * shapes and status codes: what each command sends, what it prints, how {@code --wait} follows a
 * deployment to success, shortfall or timeout, and how 404, 409, 422 and other answers read.
 */
class AppCommandsFakeServerTest {
  private static final String DEPLOYMENT = "5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43";
  private static final String IN_PROGRESS = "[{\"id\":\"" + DEPLOYMENT + "\",\"version\":\"2026-11-27T05:00:00.000Z\","
      + "\"affectedApps\":[\"/web\"],\"currentActions\":[{\"action\":\"StartApplication\",\"app\":\"/web\"}],"
      + "\"currentStep\":1,\"totalSteps\":1}]";

  @TempDir
  Path dir;

  private final FakeMarathon master = new FakeMarathon();

  @AfterEach
  void stop() {
    master.close();
  }

  private static String app(String id, int instances, int running, int healthy, boolean deploying) {
    return "{\"id\":\"" + id + "\",\"cmd\":\"sleep 1000\",\"cpus\":0.25,\"mem\":256.0,\"instances\":" + instances
        + ",\"tasksRunning\":" + running + ",\"tasksHealthy\":" + healthy + ",\"tasksStaged\":0,\"tasksUnhealthy\":0,"
        + "\"healthChecks\":[{\"protocol\":\"MESOS_HTTP\",\"path\":\"/health\"}],\"version\":\"2026-11-27T05:00:00.000Z\","
        + "\"deployments\":[" + (deploying ? "{\"id\":\"" + DEPLOYMENT + "\"}" : "") + "]}";
  }

  private static Reply appReply(int instances, int running, int healthy) {
    return new Reply(200, "{\"app\":" + app("/web", instances, running, healthy, running < instances) + "}");
  }

  private Path appFile(String json) throws IOException {
    Path file = dir.resolve("web.json");
    Files.writeString(file, json);
    return file;
  }

  private CliRun run(String... args) {
    String[] argv = java.util.Arrays.copyOf(args, args.length + 2);
    argv[args.length] = "--master";
    argv[args.length + 1] = master.address();
    return mezzo(argv);
  }

  @Test
  void deployPutsTheFileUnderItsIdWithALeadingSlashAndPrintsTheDeployment() throws Exception {
    master.on("PUT", "/v2/apps/web", 200, "{\"version\":\"2026-11-27T05:00:00.000Z\",\"deploymentId\":\"" + DEPLOYMENT + "\"}");
    CliRun run = run("app", "deploy", appFile("{\"id\":\"web\",\"cmd\":\"sleep 1000\",\"instances\":2}").toString(),
        "--force");
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).isEqualTo("deployment " + DEPLOYMENT + " (deploying /web)\n");
    FakeMarathon.Seen put = master.seen().get(0);
    assertThat(put.method()).isEqualTo("PUT");
    assertThat(put.query()).containsEntry("force", List.of("true"));
    JsonNode sent = Json.MAPPER.readTree(put.body());
    assertThat(sent.path("id").asText()).isEqualTo("/web");
    assertThat(sent.path("cmd").asText()).isEqualTo("sleep 1000");
    assertThat(sent.path("instances").asInt()).isEqualTo(2);
  }

  @Test
  void deployOfANewAppReadsTheDeploymentFromTheCreatedApp() throws Exception {
    master.on("PUT", "/v2/apps/sample/web", 201, app("/sample/web", 2, 0, 0, true));
    CliRun run = run("app", "deploy", appFile("{\"id\":\"/sample/web\",\"cmd\":\"sleep 1000\"}").toString());
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).isEqualTo("deployment " + DEPLOYMENT + " (deploying /sample/web)\n");
    assertThat(master.seen().get(0).query()).doesNotContainKey("force");
  }

  @Test
  void deployWithWaitPrintsALinePerChangeAndSucceedsOnceEveryInstanceRuns() throws Exception {
    master.on("PUT", "/v2/apps/web", 200, "{\"version\":\"v\",\"deploymentId\":\"" + DEPLOYMENT + "\"}")
        .sequence("GET", "/v2/deployments", new Reply(200, IN_PROGRESS), new Reply(200, IN_PROGRESS),
            new Reply(200, IN_PROGRESS), new Reply(200, "[]"))
        .sequence("GET", "/v2/apps/web", appReply(2, 0, 0), appReply(2, 0, 0), appReply(2, 2, 1), appReply(2, 2, 2));
    CliRun run = run("app", "deploy", appFile("{\"id\":\"/web\",\"cmd\":\"sleep 1000\"}").toString(), "--wait");
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).matches("deployment " + DEPLOYMENT + " \\(deploying /web\\)\n"
        + "deploying /web: 0/2 running, 0/2 healthy, \\d+s\n"
        + "deploying /web: 2/2 running, 1/2 healthy, \\d+s\n"
        + "deployed /web: 2/2 running, 2/2 healthy in \\d+s\n");
  }

  @Test
  void waitFailsWhenTheDeploymentEndsWithFewerRunningThanInstances() throws Exception {
    master.on("PUT", "/v2/apps/web", 200, "{\"version\":\"v\",\"deploymentId\":\"" + DEPLOYMENT + "\"}")
        .on("GET", "/v2/deployments", 200, "[]")
        .sequence("GET", "/v2/apps/web", appReply(2, 1, 1));
    CliRun run = run("app", "deploy", appFile("{\"id\":\"/web\"}").toString(), "--wait");
    assertThat(run.exit()).as(run.toString()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("mezzo app deploy: deployment " + DEPLOYMENT
        + " of /web ended with 1/2 running, 1/2 healthy (expected: 2 running)\n");
  }

  @Test
  void waitGivesUpAfterItsTimeoutAndSaysTheDeploymentGoesOn() throws Exception {
    master.on("PUT", "/v2/apps/web", 200, "{\"version\":\"v\",\"deploymentId\":\"" + DEPLOYMENT + "\"}")
        .on("GET", "/v2/deployments", 200, IN_PROGRESS)
        .sequence("GET", "/v2/apps/web", appReply(2, 1, 0));
    CliRun run = run("app", "deploy", appFile("{\"id\":\"/web\"}").toString(), "--wait", "--timeout", "1s");
    assertThat(run.exit()).as(run.toString()).isEqualTo(1);
    assertThat(run.out()).contains("deploying /web: 1/2 running, 0/2 healthy, 0s\n");
    assertThat(run.err()).isEqualTo("mezzo app deploy: deployment " + DEPLOYMENT
        + " of /web still in progress after 1s (timeout); the master goes on with it: see 'mezzo deployments'\n");
  }

  @Test
  void aLockedAppPrintsTheMastersMessageAndSuggestsForce() throws Exception {
    master.on("PUT", "/v2/apps/web", 409, "{\"message\":\"App is locked by one or more deployments.\","
        + "\"deployments\":[{\"id\":\"" + DEPLOYMENT + "\"}]}");
    CliRun run = run("app", "deploy", appFile("{\"id\":\"/web\"}").toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("mezzo app deploy: App is locked by one or more deployments."
        + " (use --force to override the deployment in progress)\n");
  }

  @Test
  void anInvalidAppPrintsEachFieldsErrorOnItsOwnLine() throws Exception {
    master.on("PUT", "/v2/apps/web", 422, "{\"message\":\"Object is not valid\",\"details\":["
        + "{\"path\":\"/cpus\",\"errors\":[\"cpus: -1 (expected: >= 0)\"]},"
        + "{\"path\":\"/instances\",\"errors\":[\"instances: 70 (expected: <= 50)\", \"second\"]}]}");
    CliRun run = run("app", "deploy", appFile("{\"id\":\"/web\",\"cpus\":-1}").toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("mezzo app deploy: the master refused /web: Object is not valid\n"
        + "  /cpus: cpus: -1 (expected: >= 0)\n"
        + "  /instances: instances: 70 (expected: <= 50)\n"
        + "  /instances: second\n");
  }

  @Test
  void anUnknownAppIsNotFoundAndOtherStatusesPrintTheirMessage() {
    master.on("GET", "/v2/apps/nope", 404, "{\"message\":\"App '/nope' does not exist\"}")
        .on("GET", "/v2/apps", 503, "{\"message\":\"no leader\"}");
    CliRun show = run("app", "show", "nope");
    assertThat(show.exit()).isEqualTo(1);
    assertThat(show.err()).isEqualTo("mezzo app show: app /nope not found\n");
    CliRun list = run("app", "list");
    assertThat(list.exit()).isEqualTo(1);
    assertThat(list.err()).isEqualTo("mezzo app list: the master at " + master.address()
        + " answered 503 to GET /v2/apps: no leader\n");
  }

  @Test
  void aMasterWithoutTheV2ApiIsToldApartFromAMissingApp() {
    CliRun run = run("app", "remove", "web");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("mezzo app remove: the master at " + master.address()
        + " does not serve DELETE /v2/apps/web (expected: a master running the services scheduler's /v2 API)\n");
  }

  @Test
  void listPrintsOneRowPerAppSortedById() {
    master.on("GET", "/v2/apps", 200, "{\"apps\":[" + app("/web", 4, 3, 2, true) + ","
        + "{\"id\":\"/batch/worker\",\"cpus\":1.5,\"mem\":1024,\"instances\":1,\"tasksRunning\":1,\"deployments\":[]}]}");
    CliRun run = run("app", "list");
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).isEqualTo(
        "ID             INSTANCES  RUNNING  HEALTHY  CPUS  MEM   DEPLOYING\n"
            + "/batch/worker  1          1        -        1.5   1024  no\n"
            + "/web           4          3        2        0.25  256   yes\n");
  }

  @Test
  void showPrintsTheAppAndATableOfItsTasks() {
    String tasks = ",\"tasks\":[{\"id\":\"web.a1\",\"appId\":\"/web\",\"host\":\"10.0.0.1\",\"ports\":[31001],"
        + "\"state\":\"TASK_RUNNING\",\"startedAt\":\"2026-11-27T05:00:01.000Z\","
        + "\"healthCheckResults\":[{\"alive\":true,\"taskId\":\"web.a1\"}]},"
        + "{\"id\":\"web.b2\",\"appId\":\"/web\",\"host\":\"10.0.0.2\",\"ports\":[31002,31003],"
        + "\"state\":\"TASK_STAGING\",\"healthCheckResults\":[]}]";
    String app = app("/web", 2, 1, 1, true);
    master.on("GET", "/v2/apps/web", 200, "{\"app\":" + app.substring(0, app.length() - 1) + tasks + "}}");
    CliRun run = run("app", "show", "/web");
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).isEqualTo(
        "ID           /web\n"
            + "CMD          sleep 1000\n"
            + "INSTANCES    2\n"
            + "TASKS        1 running, 0 staged, 1 healthy, 0 unhealthy\n"
            + "CPUS         0.25\n"
            + "MEM          256\n"
            + "VERSION      2026-11-27T05:00:00.000Z\n"
            + "DEPLOYMENTS  " + DEPLOYMENT + "\n"
            + "\n"
            + "TASK    HOST      PORTS        STATE         HEALTH   STARTED\n"
            + "web.a1  10.0.0.1  31001        TASK_RUNNING  healthy  2026-11-27T05:00:01.000Z\n"
            + "web.b2  10.0.0.2  31002,31003  TASK_STAGING  -        -\n");
    assertThat(master.seen().get(0).query()).containsEntry("embed", List.of("app.tasks"));
  }

  @Test
  void scalePatchesTheInstanceCountAndWaitsForIt() throws Exception {
    master.on("PATCH", "/v2/apps/web", 200, "{\"version\":\"v\",\"deploymentId\":\"" + DEPLOYMENT + "\"}")
        .on("GET", "/v2/deployments", 200, "[]")
        .sequence("GET", "/v2/apps/web", appReply(1, 1, 1));
    CliRun run = run("app", "scale", "web", "1", "--wait");
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).matches("deployment " + DEPLOYMENT + " \\(scaling /web\\)\n"
        + "deployed /web: 1/1 running, 1/1 healthy in \\d+s\n");
    FakeMarathon.Seen patch = master.seen().get(0);
    assertThat(Json.MAPPER.readTree(patch.body())).isEqualTo(Json.MAPPER.readTree("{\"instances\":1}"));
  }

  @Test
  void restartPostsToTheAppsRestartResource() {
    master.on("POST", "/v2/apps/web/restart", 200, "{\"version\":\"v\",\"deploymentId\":\"" + DEPLOYMENT + "\"}");
    CliRun run = run("app", "restart", "web", "--force");
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).isEqualTo("deployment " + DEPLOYMENT + " (restarting /web)\n");
    assertThat(master.seen().get(0).query()).containsEntry("force", List.of("true"));
  }

  @Test
  void removeWithWaitEndsOnceTheAppIsGone() {
    master.on("DELETE", "/v2/apps/web", 200, "{\"version\":\"v\",\"deploymentId\":\"" + DEPLOYMENT + "\"}")
        .sequence("GET", "/v2/deployments", new Reply(200, IN_PROGRESS), new Reply(200, "[]"))
        .sequence("GET", "/v2/apps/web", appReply(2, 1, 1),
            new Reply(404, "{\"message\":\"App '/web' does not exist\"}"));
    CliRun run = run("app", "remove", "web", "--wait");
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).matches("deployment " + DEPLOYMENT + " \\(removing /web\\)\n"
        + "removing /web: 1/2 running, 1/2 healthy, \\d+s\n"
        + "removed /web in \\d+s\n");
  }

  @Test
  void onATerminalProgressRewritesOneLineAndClearsIt() throws Exception {
    master.sequence("GET", "/v2/deployments", new Reply(200, IN_PROGRESS), new Reply(200, IN_PROGRESS),
            new Reply(200, "[]"))
        .sequence("GET", "/v2/apps/web", appReply(12, 10, 10), appReply(12, 9, 9), appReply(12, 12, 12));
    AtomicLong now = new AtomicLong();
    StringWriter text = new StringWriter();
    MarathonClient client = new MarathonClient(master.address(), Duration.ofSeconds(10));
    DeploymentWatcher watcher = new DeploymentWatcher(client, new PrintWriter(text, true), true,
        () -> now.getAndAdd(Duration.ofSeconds(2).toNanos()), Duration.ofMillis(1));
    int exit = watcher.await("/web", DEPLOYMENT, "deploying", DeploymentWatcher.Goal.RUNNING, Duration.ofMinutes(1));
    assertThat(exit).isZero();
    String first = "deploying /web: 10/12 running, 10/12 healthy, 2s";
    String second = "deploying /web: 9/12 running, 9/12 healthy, 6s"; // shorter: blanks overwrite the rest
    assertThat(text.toString()).isEqualTo("\r" + first + "\r" + second + "  "
        + "\r" + " ".repeat(first.length()) + "\r" + "deployed /web: 12/12 running, 12/12 healthy in 10s\n");
  }
}
