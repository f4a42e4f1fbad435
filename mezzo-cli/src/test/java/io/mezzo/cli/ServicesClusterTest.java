package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.V2Client;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services scheduler on a real cluster (a master running it, two agents on hosts 127.0.0.1 and
 * 127.0.0.2), driven through its {@code /v2} API: placement constraints, replacement of killed and
 * unhealthy instances, rolling upgrades under {@code minimumHealthCapacity}, and recovery of apps and
 * deployments after {@code kill -9} of the master process.
 */
class ServicesClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  MezzoCluster cluster;
  V2Client v2;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private void start(String agentResources) {
    cluster = MezzoCluster.builder(dir).distinctAgentHosts().agentResources(agentResources).start();
    v2 = new V2Client(cluster.masterAddress());
    await("services scheduler subscribed").atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> v2.get("/v2/info").json().path("frameworkId").isTextual());
  }

  private static String sleepApp(String id, int instances, String extra) {
    return "{\"id\":\"" + id + "\",\"cmd\":\"sleep 3600\",\"cpus\":0.1,\"mem\":32,\"instances\":" + instances
        + extra + "}";
  }

  private JsonNode app(String id) {
    V2Client.Answer a = v2.get("/v2/apps" + id + "?embed=app.tasks");
    assertThat(a.status()).as("GET %s: %s", id, a).isEqualTo(200);
    return a.json().path("app");
  }

  private boolean deploymentsDone() {
    return v2.get("/v2/deployments").json().isEmpty();
  }

  private List<JsonNode> tasks(String id) {
    List<JsonNode> out = new ArrayList<>();
    app(id).path("tasks").forEach(out::add);
    return out;
  }

  @Test
  void uniqueHostnameConstraintPlacesOneInstancePerAgentAndQueuesWhatCannotBeMet() {
    start("cpus:2;mem:1024;disk:1024");
    // Met: two instances, two hosts.
    assertThat(v2.post("/v2/apps", sleepApp("/pair", 2, ",\"constraints\":[[\"hostname\",\"UNIQUE\"]]")).status())
        .isEqualTo(201);
    await("both instances running").atMost(WAIT).until(() -> app("/pair").path("tasksRunning").asInt() == 2
        && deploymentsDone());
    Set<String> hosts = new HashSet<>();
    tasks("/pair").forEach(t -> hosts.add(t.path("host").asText()));
    assertThat(hosts).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2");

    // Not met: four instances, two hosts. Two run, two wait in the queue, which says why.
    V2Client.Answer created = v2.post("/v2/apps", sleepApp("/spread", 4, ",\"constraints\":[[\"hostname\",\"UNIQUE\"]]"));
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    await("the queue explains the unmet constraint").atMost(WAIT).until(() -> {
      JsonNode queue = v2.get("/v2/queue").json().path("queue");
      return queue.size() == 1 && queue.get(0).path("app").path("id").asText().equals("/spread")
          && queue.get(0).path("count").asInt() == 2
          && queue.get(0).path("lastUnusedOffers").toString().contains("[hostname, UNIQUE] not met");
    });
    await("two run").atMost(WAIT).until(() -> app("/spread").path("tasksRunning").asInt() == 2);
    Set<String> spreadHosts = new HashSet<>();
    tasks("/spread").forEach(t -> spreadHosts.add(t.path("host").asText()));
    assertThat(spreadHosts).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2");
    assertThat(v2.get("/v2/deployments").json().findValues("affectedApps").toString()).contains("/spread");

    // Scaled to what the constraint allows, the deployment completes and the queue empties.
    assertThat(v2.patch("/v2/apps/spread?force=true", "{\"instances\":2}").status()).isEqualTo(200);
    await("back to two and done").atMost(WAIT).until(this::deploymentsDone);
    assertThat(v2.get("/v2/queue").json().path("queue").size()).isZero();
    assertThat(app("/spread").path("tasksRunning").asInt()).isEqualTo(2);
  }

  @Test
  void anInstanceKilledWithSigkillIsReplaced() throws Exception {
    start("cpus:2;mem:1024;disk:1024");
    assertThat(v2.post("/v2/apps", sleepApp("/keep", 2, "")).status()).isEqualTo(201);
    await().atMost(WAIT).until(() -> app("/keep").path("tasksRunning").asInt() == 2 && deploymentsDone());
    String victim = tasks("/keep").get(0).path("id").asText();
    long pid = taskPid(victim);
    new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor();

    await("a replacement runs").atMost(WAIT).until(() -> {
      List<JsonNode> now = tasks("/keep");
      return now.size() == 2 && now.stream().noneMatch(t -> t.path("id").asText().equals(victim))
          && now.stream().allMatch(t -> t.path("state").asText().equals("TASK_RUNNING"));
    });
    assertThat(app("/keep").path("lastTaskFailure").isMissingNode()).isTrue();
    V2Client.Answer withFailure = v2.get("/v2/apps/keep?embed=app.lastTaskFailure");
    assertThat(withFailure.json().path("app").path("lastTaskFailure").path("taskId").asText()).isEqualTo(victim);
  }

  @Test
  void anInstanceWhoseHealthCheckFailsIsKilledAndReplaced() throws Exception {
    start("cpus:2;mem:2048;disk:1024");
    assertThat(v2.post("/v2/apps", sampleApp("/healthy", 1, "")).status()).isEqualTo(201);
    await("healthy").atMost(WAIT).until(() -> app("/healthy").path("tasksHealthy").asInt() == 1 && deploymentsDone());
    JsonNode task = tasks("/healthy").get(0);
    String first = task.path("id").asText();
    String url = "http://" + task.path("host").asText() + ":" + task.path("ports").get(0).asInt() + "/health/fail";
    HttpResponse<String> failed = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(failed.statusCode()).isEqualTo(200);

    await("replaced by a healthy instance").atMost(WAIT).until(() -> {
      List<JsonNode> now = tasks("/healthy");
      return now.size() == 1 && !now.get(0).path("id").asText().equals(first)
          && app("/healthy").path("tasksHealthy").asInt() == 1;
    });
    V2Client.Answer withFailure = v2.get("/v2/apps/healthy?embed=app.lastTaskFailure");
    assertThat(withFailure.json().path("app").path("lastTaskFailure").path("taskId").asText()).isEqualTo(first);
  }

  @Test
  void aRollingUpgradeNeverHasFewerThanHalfTheInstancesHealthy() {
    start("cpus:2;mem:2048;disk:1024");
    String v1 = sampleApp("/rolling", 4, ",\"upgradeStrategy\":{\"minimumHealthCapacity\":0.5,\"maximumOverCapacity\":0}");
    assertThat(v2.post("/v2/apps", v1).status()).isEqualTo(201);
    await("four healthy").atMost(WAIT).until(() -> app("/rolling").path("tasksHealthy").asInt() == 4 && deploymentsDone());
    Set<String> oldIds = new HashSet<>();
    tasks("/rolling").forEach(t -> oldIds.add(t.path("id").asText()));

    String upgraded = sampleApp("/rolling", 4, ",\"env\":{\"GENERATION\":\"2\"},"
        + "\"upgradeStrategy\":{\"minimumHealthCapacity\":0.5,\"maximumOverCapacity\":0}");
    V2Client.Answer put = v2.put("/v2/apps/rolling", upgraded);
    assertThat(put.status()).as("%s", put).isEqualTo(200);
    String deploymentId = put.json().path("deploymentId").asText();

    List<Integer> samples = new ArrayList<>();
    await("upgrade done").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(100)).until(() -> {
      int healthyServing = 0;
      for (JsonNode t : tasks("/rolling")) {
        if (t.path("mezzoState").asText().equals("RUNNING")
            && t.path("healthCheckResults").path(0).path("alive").asBoolean(false)) {
          healthyServing++;
        }
      }
      samples.add(healthyServing);
      return v2.get("/v2/deployments").json().findValues("id").stream()
          .noneMatch(id -> id.asText().equals(deploymentId));
    });
    assertThat(samples).hasSizeGreaterThan(5);
    assertThat(samples).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(2));
    List<JsonNode> after = tasks("/rolling");
    assertThat(after).hasSize(4);
    assertThat(after).noneMatch(t -> oldIds.contains(t.path("id").asText()));
    assertThat(app("/rolling").path("tasksHealthy").asInt()).isEqualTo(4);
  }

  @Test
  void aNewInstanceThatIsNotReadyHoldsTheUpgradeUntilItsReadinessCheckPasses() {
    start("cpus:2;mem:2048;disk:1024");
    String strategy = ",\"upgradeStrategy\":{\"minimumHealthCapacity\":1,\"maximumOverCapacity\":0.5}";
    assertThat(v2.post("/v2/apps", sampleApp("/gated", 2, strategy)).status()).isEqualTo(201);
    await("two healthy").atMost(WAIT).until(() -> app("/gated").path("tasksHealthy").asInt() == 2 && deploymentsDone());
    Set<String> oldIds = new HashSet<>();
    tasks("/gated").forEach(t -> oldIds.add(t.path("id").asText()));

    // Version 2's readiness path does not exist (404): its instance turns healthy but never ready.
    String notReady = strategy + ",\"env\":{\"GENERATION\":\"2\"},\"readinessChecks\":[{\"name\":\"ready\","
        + "\"protocol\":\"HTTP\",\"path\":\"/not-ready\",\"portName\":\"http\",\"intervalSeconds\":2,"
        + "\"timeoutSeconds\":1,\"httpStatusCodesForReady\":[200]}]";
    assertThat(v2.put("/v2/apps/gated", sampleApp("/gated", 2, notReady)).status()).isEqualTo(200);
    await("the new instance is healthy and probed, not ready").atMost(WAIT).until(() -> {
      JsonNode d = v2.get("/v2/deployments").json();
      return d.size() == 1 && d.get(0).path("currentActions").get(0).path("readinessCheckResults").toString()
          .contains("not ready: HTTP 404");
    });
    await().atMost(WAIT).until(() -> tasks("/gated").stream().anyMatch(t -> !oldIds.contains(t.path("id").asText())
        && t.path("healthCheckResults").path(0).path("alive").asBoolean(false)));
    // Held: both old instances still run (not even draining).
    assertThat(tasks("/gated").stream().filter(t -> oldIds.contains(t.path("id").asText())
        && t.path("mezzoState").asText().equals("RUNNING")).count()).isEqualTo(2);

    // A readiness check that passes lets the (forced) upgrade through.
    String ready = notReady.replace("/not-ready", "/health");
    assertThat(v2.put("/v2/apps/gated?force=true", sampleApp("/gated", 2, ready)).status()).isEqualTo(200);
    await("upgraded").atMost(Duration.ofMinutes(3)).until(() -> deploymentsDone()
        && tasks("/gated").size() == 2 && tasks("/gated").stream().noneMatch(t -> oldIds.contains(t.path("id").asText())));
  }

  @Test
  void theAppItsVersionsAndAnUnfinishedDeploymentSurviveKill9OfTheMaster() throws Exception {
    start("cpus:2;mem:1024;disk:1024");
    Path marker = dir.resolve("ready");
    String v1 = sleepApp("/durable", 2, "");
    assertThat(v2.post("/v2/apps", v1).status()).isEqualTo(201);
    await().atMost(WAIT).until(() -> app("/durable").path("tasksRunning").asInt() == 2 && deploymentsDone());

    // Version 2 becomes healthy only once the marker exists: the deployment stays open until then.
    String v2App = sleepApp("/durable", 2, ",\"env\":{\"GENERATION\":\"2\"},\"healthChecks\":[{\"protocol\":\"COMMAND\","
        + "\"command\":{\"value\":\"test -f " + marker + "\"},\"gracePeriodSeconds\":300,\"intervalSeconds\":1,"
        + "\"timeoutSeconds\":1,\"maxConsecutiveFailures\":3,\"delaySeconds\":0}],"
        + "\"upgradeStrategy\":{\"minimumHealthCapacity\":1,\"maximumOverCapacity\":1}");
    V2Client.Answer put = v2.put("/v2/apps/durable", v2App);
    assertThat(put.status()).as("%s", put).isEqualTo(200);
    String deploymentId = put.json().path("deploymentId").asText();
    await("new instances started").atMost(WAIT).until(() -> tasks("/durable").size() == 4);

    cluster.master().kill9();
    cluster.startMaster();
    await("services scheduler back").atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> v2.get("/v2/info").status() == 200);

    assertThat(v2.get("/v2/apps/durable/versions").json().path("versions").size()).isEqualTo(2);
    assertThat(v2.get("/v2/deployments").json().findValues("id")).extracting(JsonNode::asText).containsExactly(deploymentId);
    assertThat(app("/durable").path("env").path("GENERATION").asText()).isEqualTo("2");

    Files.createFile(marker);
    await("deployment completes after the restart").atMost(WAIT).until(this::deploymentsDone);
    await("exactly two instances, all of the new version, none duplicated").atMost(WAIT).until(() -> {
      List<JsonNode> now = tasks("/durable");
      String version = app("/durable").path("versionInfo").path("lastConfigChangeAt").asText();
      return now.size() == 2 && now.stream().allMatch(t -> t.path("version").asText().equals(version)
          && t.path("state").asText().equals("TASK_RUNNING"));
    });
    await("the master runs exactly those two tasks").atMost(WAIT).until(() -> cluster.runningTaskIds().size() == 2);
  }

  static String sampleApp(String id, int instances, String extra) {
    return "{\"id\":\"" + id + "\","
        + "\"cmd\":\"$MEZZO_JAVA -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp $MEZZO_JAR io.mezzo.cli.Main "
        + "sample-server --port $PORT0\","
        + "\"cpus\":0.1,\"mem\":192,\"instances\":" + instances + ","
        + "\"portDefinitions\":[{\"port\":0,\"name\":\"http\"}],"
        + "\"labels\":{\"mezzo.drain.seconds\":\"1\"},"
        + "\"healthChecks\":[{\"protocol\":\"MESOS_HTTP\",\"path\":\"/health\",\"portIndex\":0,"
        + "\"gracePeriodSeconds\":60,\"intervalSeconds\":2,\"timeoutSeconds\":5,\"maxConsecutiveFailures\":3,"
        + "\"delaySeconds\":0}]" + extra + "}";
  }

  private long taskPid(String taskId) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      Path pidFile = files.filter(p -> p.endsWith("task.pid") && p.toString().contains("/" + taskId + "/"))
          .findFirst().orElseThrow(() -> new AssertionError("no task.pid for " + taskId));
      return Long.parseLong(Files.readString(pidFile).trim());
    }
  }
}
