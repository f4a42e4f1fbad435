package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code mezzo tasks [APP]} against a real HTTP server answering in Marathon's shapes: all tasks from
 * {@code /v2/tasks} or one app's from {@code /v2/apps/{id}/tasks}, as a table sorted by app and id.
 */
class TasksCommandTest {
  private static final String TASKS = "{\"tasks\":["
      + "{\"id\":\"web.b\",\"appId\":\"/web\",\"host\":\"10.0.0.2\",\"ports\":[31002],\"state\":\"TASK_RUNNING\","
      + "\"healthCheckResults\":[{\"alive\":false}]},"
      + "{\"id\":\"api.a\",\"appId\":\"/api\",\"host\":\"10.0.0.1\",\"ports\":[],\"state\":\"TASK_STAGING\"},"
      + "{\"id\":\"web.a\",\"appId\":\"/web\",\"host\":\"10.0.0.1\",\"ports\":[31001,31005],\"state\":\"TASK_RUNNING\","
      + "\"healthCheckResults\":[{\"alive\":true},{\"alive\":true}]}]}";

  private final FakeMarathon master = new FakeMarathon();

  @AfterEach
  void stop() {
    master.close();
  }

  @Test
  void allTasksAreListedByAppThenId() {
    master.on("GET", "/v2/tasks", 200, TASKS);
    CliRun run = mezzo("tasks", "--master", master.address());
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).isEqualTo(
        "TASK   APP   HOST      PORTS        STATE         HEALTH\n"
            + "api.a  /api  10.0.0.1  -            TASK_STAGING  -\n"
            + "web.a  /web  10.0.0.1  31001,31005  TASK_RUNNING  healthy\n"
            + "web.b  /web  10.0.0.2  31002        TASK_RUNNING  unhealthy\n");
  }

  @Test
  void oneAppsTasksComeFromItsOwnResourceAndAnUnknownAppIsNotFound() {
    master.on("GET", "/v2/apps/sample/web/tasks", 200, "{\"tasks\":[]}")
        .on("GET", "/v2/apps/nope/tasks", 404, "{\"message\":\"App '/nope' does not exist\"}");
    CliRun run = mezzo("tasks", "sample/web", "--master", master.address());
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).isEqualTo("TASK  APP  HOST  PORTS  STATE  HEALTH\n");
    CliRun missing = mezzo("tasks", "nope", "--master", master.address());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("mezzo tasks: app /nope not found\n");
  }
}
