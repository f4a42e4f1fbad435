package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.balancer.Balancer;
import io.mezzo.load.LoadResult;
import io.mezzo.load.OpenLoopLoad;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.V2Client;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The web dashboard end to end: a real cluster (master with the services scheduler and the autoscaler,
 * two agents running sample-server JVMs, an in-process load balancer reporting to the master) and
 * the page in headless Chromium, read and clicked through its {@code data-testid}s the way a person
 * would use it. The overview counts the agents; an app deployed through the form shows its instances
 * become healthy; the scale form changes the instance count; an autoscaled app under load through
 * the balancer shows a decision in its panel. Every page is saved as a screenshot in
 * {@code target/screenshots/} on the way. The tests share the cluster and run in order.
 */
@Tag("browser")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
  private static final String IMPORTED_IMAGE = "registry.invalid/dash/web:1";

  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final Duration SHORT = Duration.ofSeconds(30);

  @TempDir
  static Path dir;

  static MezzoCluster cluster;
  static Balancer balancer;
  static V2Client v2;
  static Browser browser;
  static String ui;

  @BeforeAll
  static void start() throws Exception {
    // an image in the first agent's store, imported before it starts, for the agents page to list
    Path archive = dir.resolve("web.tar");
    io.mezzo.testkit.TestImages.writeOciArchive(archive, IMPORTED_IMAGE);
    CliRun imported = CliRun.mezzo("image", "import", archive.toString(), "--work-dir",
        io.mezzo.testkit.MezzoCluster.agentWorkDir(dir, 0).toString());
    if (imported.exit() != 0) {
      throw new IllegalStateException("mezzo image import: " + imported);
    }
    LbClusterSupport.AutoscaledCluster started = LbClusterSupport.AutoscaledCluster.start(dir, WAIT);
    cluster = started.cluster();
    balancer = started.balancer();
    v2 = started.v2();
    ui = "http://" + cluster.masterAddress() + "/ui/";
    browser = Browser.start(Files.createDirectories(dir.resolve("chromium-profile")));
  }

  @AfterAll
  static void stop() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (balancer != null) {
        balancer.close();
      }
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  @Test
  @Order(1)
  void overviewShowsTheAgentCountAndTheCpusOfEveryAgent() {
    await().atMost(WAIT).until(() -> cluster.activeAgents() == 2);
    browser.open(ui);
    browser.awaitText(SHORT, null, "agent-count", "2"::equals);
    // the page re-renders on every refresh: each read waits for its element's text
    browser.awaitText(SHORT, null, "agent-active", "2"::equals);
    browser.awaitText(SHORT, null, "resource-cpus", t -> t.contains("total 4"));
    browser.awaitText(SHORT, null, "framework-count", "1"::equals);
    browser.screenshot("overview");
  }

  @Test
  @Order(2)
  void anAppDeployedThroughTheFormShowsItsInstancesBecomeHealthy() {
    browser.open(ui + "#/apps");
    browser.awaitText(SHORT, null, "apps-empty", t -> t.startsWith("No apps"));
    WebElement text = browser.find("deploy-json");
    // the master's validation error is shown as it names the field
    text.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
    text.sendKeys("{\"id\":\"/ui/bad\",\"cmd\":\"true\",\"instances\":-1}");
    browser.find("deploy-submit").click();
    browser.awaitText(SHORT, null, "deploy-result", t -> t.contains("/instances"));
    text.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
    text.sendKeys(ServicesClusterTest.sampleApp("/ui/web", 2, ""));
    browser.find("deploy-submit").click();
    browser.awaitText(SHORT, null, "deploy-result", t -> t.equals("deploying /ui/web"));
    browser.awaitText(SHORT, "app-row-ui_web", "instances-wanted", "2"::equals);
    browser.screenshot("apps-deploying");
    browser.awaitText(WAIT, "app-row-ui_web", "instances-healthy", "2"::equals);
    assertThat(LbClusterSupport.healthy(v2, "/ui/web")).isEqualTo(2);
    browser.awaitText(SHORT, null, "deployments-empty", t -> t.startsWith("None"));
    browser.screenshot("apps");

    browser.click(() -> browser.find("app-row-ui_web").findElement(Browser.testId("app-link")));
    browser.awaitText(SHORT, null, "instances-healthy", "2"::equals);
    assertThat(browser.all("task-row")).hasSize(2);
    browser.screenshot("app");

    // a task's page tails its stdout through the master's files API
    browser.click(() -> browser.all("task-row").get(0).findElement(org.openqa.selenium.By.tagName("a")));
    browser.awaitText(SHORT, null, "log-stdout", t -> t.contains("mezzo sample-server listening on"));
    browser.screenshot("task");
  }

  @Test
  @Order(3)
  void scalingFromTheAppPageChangesTheInstanceCount() {
    V2Client.Answer posted = v2.post("/v2/apps", ServicesClusterTest.sampleApp("/ui/scale", 1, ""));
    assertThat(posted.status()).as(posted.toString()).isEqualTo(201);
    await().atMost(WAIT).until(() -> LbClusterSupport.healthy(v2, "/ui/scale") == 1
        && LbClusterSupport.deployed(v2, "/ui/scale"));
    browser.open(ui + "#/app/" + "%2Fui%2Fscale");
    browser.awaitText(SHORT, null, "instances-healthy", "1"::equals);
    WebElement input = browser.find("scale-input");
    input.sendKeys(Keys.chord(Keys.CONTROL, "a"), "3");
    browser.find("scale-submit").click();
    browser.awaitText(SHORT, null, "toast", "Scaling /ui/scale to 3"::equals);
    browser.awaitText(SHORT, null, "instances-wanted", "3"::equals);
    browser.awaitText(WAIT, null, "instances-running", "3"::equals);
    assertThat(v2.get("/v2/apps/ui/scale").json().path("app").path("instances").asInt()).isEqualTo(3);
    browser.awaitText(WAIT, null, "instances-healthy", "3"::equals);
  }

  @Test
  @Order(4)
  void theAutoscalingPanelShowsADecisionAfterLoadThroughTheBalancer() throws Exception {
    int lbPort = MezzoCluster.freeLoopbackPort();
    String policy = ",\"autoscaling\":{\"minInstances\":1,\"maxInstances\":3,\"evaluationSeconds\":2,"
        + "\"metrics\":[{\"name\":\"inFlight\",\"target\":1}]}";
    String app = LbClusterSupport.sampleApp("/ui/auto", 1, Map.of("mezzo.drain.seconds", "1",
        "MEZZO_LB_PORT_0", String.valueOf(lbPort)), policy)
        .replace("sample-server --port $PORT0", "sample-server --port $PORT0 --latency-ms 100 --concurrency 4");
    V2Client.Answer posted = v2.post("/v2/apps", app);
    assertThat(posted.status()).as(posted.toString()).isEqualTo(201);
    await().atMost(WAIT).until(() -> LbClusterSupport.healthy(v2, "/ui/auto") == 1);
    await("the route serves").atMost(WAIT).ignoreExceptions()
        .until(() -> LbClusterSupport.get(lbPort, "x", "/").status() == 200);

    browser.open(ui + "#/app/" + "%2Fui%2Fauto");
    browser.awaitText(SHORT, null, "autoscaler-status", t -> !t.isBlank());
    // about 3 requests in flight on one instance (30/s of 100 ms each) against a target of 1
    OpenLoopLoad.Config load = OpenLoopLoad.Config.of("http://127.0.0.1:" + lbPort + "/", 30, 16,
        Duration.ofSeconds(40), Duration.ZERO);
    CompletableFuture<LoadResult> running = CompletableFuture.supplyAsync(() -> {
      try {
        return OpenLoopLoad.run(load);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("load interrupted", e);
      }
    });
    try {
      // the log (newest first) also lists the decisions held at the minimum before the load
      String reason = await("a scale-up from 1 instance").atMost(WAIT).ignoreExceptions()
          .until(() -> browser.all("decision-row").stream()
              .filter(r -> r.findElement(Browser.testId("decision-change")).getText().matches("(?s)1 → [23]\\b.*"))
              .map(r -> r.findElement(Browser.testId("decision-reason")).getText())
              .findFirst().orElse(null), java.util.Objects::nonNull);
      assertThat(reason).contains("inFlight");
      browser.awaitText(WAIT, null, "instances-running", t -> Integer.parseInt(t) >= 2);
      // the charts draw once the history has two evaluations; a few more (one per 2 s) make a picture
      await("evaluations under load").atMost(WAIT).until(() -> cluster.getJson(cluster.master().port(),
          "/v1/autoscaler/apps/ui/auto/history").path("points").size() >= 10);
      browser.awaitPresent(WAIT, "[data-testid='metric-chart'] .uplot");
      browser.awaitPresent(WAIT, "[data-testid='instances-chart'] .uplot");
      browser.awaitText(WAIT, null, "lb-panel", t -> t.contains("route"));
      browser.screenshot("autoscaling");
      browser.go("#/balancers");
      browser.awaitText(SHORT, null, "lb-rps", t -> !t.equals("–") && Double.parseDouble(t) > 0);
      browser.screenshot("balancers");
      browser.go("#/agents");
      browser.awaitText(SHORT, null, "page", t -> t.contains("ui_auto") || t.contains("auto.ui"));
      browser.awaitText(SHORT, null, "agent-image-row", t -> t.contains(IMPORTED_IMAGE) && t.contains("no task"));
      browser.screenshot("agents");
      browser.go("#/");
      browser.awaitText(SHORT, null, "framework-count", "1"::equals);
      browser.screenshot("overview-busy");
    } finally {
      LoadResult result = running.get();
      System.out.println("load: " + result.line());
    }
  }

  /** Drains the agent with the fewest tasks through its button (two clicks) on the agents page. */
  @Test
  @Order(5)
  void drainingAnAgentFromTheAgentsPageMarksItDraining() {
    String agentId = null;
    int fewest = Integer.MAX_VALUE;
    var state = cluster.masterState();
    for (var slave : state.path("slaves")) {
      int tasks = 0;
      for (var f : state.path("frameworks")) {
        for (var t : f.path("tasks")) {
          tasks += t.path("slave_id").asText().equals(slave.path("id").asText()) ? 1 : 0;
        }
      }
      if (tasks < fewest) {
        fewest = tasks;
        agentId = slave.path("id").asText();
      }
    }
    String tid = agentId.replaceAll("[^A-Za-z0-9_.-]", "_");
    String section = "agent-" + tid;
    browser.open(ui + "#/agents");
    browser.awaitText(SHORT, section, "agent-state", "active"::equals);
    browser.click(() -> browser.find(section, "drain-" + tid));
    browser.awaitText(SHORT, section, "drain-" + tid, "Really drain?"::equals);
    browser.click(() -> browser.find(section, "drain-" + tid));
    browser.awaitText(SHORT, section, "agent-state", t -> t.startsWith("drain"));
    String id = agentId;
    await("the master drains " + id).atMost(SHORT).until(() -> {
      for (var slave : cluster.masterState().path("slaves")) {
        if (slave.path("id").asText().equals(id)) {
          return slave.has("drain_info");
        }
      }
      return false;
    });
    browser.screenshot("agents-draining");
  }
}
