package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code mezzo deployments} against a real HTTP server answering in Marathon's shapes: one row per
 * deployment with its apps, its current actions and its step.
 */
class DeploymentsCommandTest {
  private final FakeMarathon master = new FakeMarathon();

  @AfterEach
  void stop() {
    master.close();
  }

  @Test
  void eachDeploymentShowsItsAppsCurrentActionsAndStep() {
    master.on("GET", "/v2/deployments", 200, "["
        + "{\"id\":\"d-1\",\"version\":\"v1\",\"affectedApps\":[\"/web\"],\"steps\":[{\"actions\":[]}],"
        + "\"currentActions\":[{\"action\":\"ScaleApplication\",\"app\":\"/web\"}],\"currentStep\":1,\"totalSteps\":1},"
        + "{\"id\":\"d-2\",\"version\":\"v2\",\"affectedApps\":[\"/a\",\"/b\"],\"currentActions\":["
        + "{\"action\":\"StartApplication\",\"app\":\"/a\"},{\"action\":\"StopApplication\",\"app\":\"/b\"}],"
        + "\"currentStep\":2,\"totalSteps\":3}]");
    CliRun run = mezzo("deployments", "--master", master.address());
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).isEqualTo(
        "ID   APPS   ACTION                            STEP\n"
            + "d-1  /web   ScaleApplication                  1/1\n"
            + "d-2  /a,/b  StartApplication,StopApplication  2/3\n");
  }

  @Test
  void noDeploymentsPrintsOnlyTheHeader() {
    master.on("GET", "/v2/deployments", 200, "[]");
    CliRun run = mezzo("deployments", "--master", master.address());
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).isEqualTo("ID  APPS  ACTION  STEP\n");
  }
}
