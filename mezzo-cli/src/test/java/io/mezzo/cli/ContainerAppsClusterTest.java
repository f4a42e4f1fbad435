package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.testkit.LocalRegistry;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.TestFramework;
import io.mezzo.testkit.TestImages;
import io.mezzo.testkit.V2Client;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Container apps end to end on real processes (a master with the services scheduler, agents running
 * runc): an image imported with {@code mezzo image import} runs with no registry at all, host-path and
 * sandbox-relative volumes are mounted with their modes (a missing host path fails the launch naming
 * it), {@code force_pull_image} bypasses the agent's cache where the default uses it, and an app whose
 * image is not pushed yet keeps being relaunched with backoff until the image appears, without a new
 * deployment.
 */
class ContainerAppsClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String RESOURCES = "cpus:2;mem:2048;disk:1024";
  /** A name under the reserved {@code .invalid} TLD (RFC 2606): any pull of it fails before reaching a registry. */
  private static final String OFFLINE_IMAGE = "registry.invalid/demo/web:1";

  @TempDir
  Path dir;

  MezzoCluster cluster;
  LocalRegistry registry;
  TestFramework framework;

  @AfterEach
  void stop() {
    if (framework != null) {
      framework.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void importedImageRunsAsAnAppWithoutAnyRegistry() throws Exception {
    assertThatThrownBy(() -> InetAddress.getByName("registry.invalid")).as("registry.invalid must not resolve")
        .isInstanceOf(UnknownHostException.class);
    Path archive = dir.resolve("web.oci.tar");
    TestImages.Built built = TestImages.writeOciArchive(archive, OFFLINE_IMAGE);
    Path clusterDir = dir.resolve("cluster");
    for (int i = 0; i < 2; i++) { // each agent's work dir, filled before the agents start
      CliRun imported = mezzo("image", "import", archive.toString(), "--work-dir",
          MezzoCluster.agentWorkDir(clusterDir, i).toString());
      assertThat(imported.exit()).as(imported.toString()).isZero();
      assertThat(imported.out()).startsWith("imported " + OFFLINE_IMAGE + "@" + built.manifestDigest());
    }
    cluster = MezzoCluster.builder(clusterDir).agents(2).agentResources(RESOURCES).start();
    V2Client v2 = services();

    String app = "{\"id\":\"/offline\",\"instances\":2,\"cpus\":0.1,\"mem\":32,"
        + "\"cmd\":\"mkdir -p $MESOS_SANDBOX/www && echo offline $PORT0 > $MESOS_SANDBOX/www/index.html"
        + " && exec httpd -f -p $PORT0 -h $MESOS_SANDBOX/www\","
        + "\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"" + OFFLINE_IMAGE + "\"},"
        + "\"portMappings\":[{\"containerPort\":0,\"hostPort\":0,\"name\":\"http\"}]},"
        + "\"healthChecks\":[{\"protocol\":\"MESOS_HTTP\",\"path\":\"/\",\"portIndex\":0,\"gracePeriodSeconds\":30,"
        + "\"intervalSeconds\":1,\"timeoutSeconds\":5,\"maxConsecutiveFailures\":3}]}";
    assertThat(v2.post("/v2/apps", app).status()).isEqualTo(201);

    await("two healthy containers of the imported image").atMost(WAIT)
        .until(() -> LbClusterSupport.healthy(v2, "/offline") == 2);
    List<LbClusterSupport.Instance> instances = LbClusterSupport.instances(v2, "/offline");
    assertThat(instances).hasSize(2);
    for (LbClusterSupport.Instance i : instances) {
      assertThat(httpGet(i.host(), i.port())).isEqualTo("offline " + i.port() + "\n");
    }
    JsonNode shown = v2.get("/v2/apps/offline?embed=app.lastTaskFailure").json().path("app");
    assertThat(shown.path("lastTaskFailure").isMissingNode()).as("no launch failed: %s", shown).isTrue();
    assertThat(failedTasks("offline")).isEmpty();
  }

  @Test
  void volumesMountAHostFileReadOnlyAndASandboxDirectoryReadWrite() throws Exception {
    Path hostFile = dir.resolve("host/greeting.txt");
    Files.createDirectories(hostFile.getParent());
    Files.writeString(hostFile, "hello from the host\n");
    registry = LocalRegistry.start(dir.resolve("registry"));
    String image = TestImages.pushBusybox(registry, "vol/busybox", "1").reference();
    cluster = MezzoCluster.builder(dir.resolve("cluster")).agents(1).agentResources(RESOURCES).start();
    V2Client v2 = services();

    String cmd = "cat /config/greeting.txt > /scratch/copied.txt"
        + "; if echo overwritten 2>/scratch/ro-error.txt > /config/greeting.txt; then echo ro-writable > /scratch/ro-result;"
        + " else echo ro-refused > /scratch/ro-result; fi; exec sleep 3600";
    String app = "{\"id\":\"/volumes\",\"instances\":1,\"cpus\":0.1,\"mem\":32,\"cmd\":\"" + cmd + "\","
        + "\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"" + image + "\"},\"volumes\":["
        + "{\"containerPath\":\"/config/greeting.txt\",\"hostPath\":\"" + hostFile + "\",\"mode\":\"RO\"},"
        + "{\"containerPath\":\"/scratch\",\"hostPath\":\"data/scratch\",\"mode\":\"RW\"}]}}";
    assertThat(v2.post("/v2/apps", app).status()).isEqualTo(201);

    await("the container is running").atMost(WAIT)
        .until(() -> v2.get("/v2/apps/volumes").json().path("app").path("tasksRunning").asInt() == 1);
    String taskId = LbClusterSupport.instances(v2, "/volumes").get(0).id();
    Path scratch = sandbox(taskId).resolve("data/scratch");
    await("the container wrote its results into <sandbox>/data/scratch").atMost(WAIT)
        .until(() -> Files.isRegularFile(scratch.resolve("ro-result")));
    assertThat(Files.readString(scratch.resolve("copied.txt"))).isEqualTo("hello from the host\n");
    assertThat(Files.readString(scratch.resolve("ro-result"))).isEqualTo("ro-refused\n");
    assertThat(Files.readString(scratch.resolve("ro-error.txt"))).contains("Read-only file system");
    assertThat(Files.readString(hostFile)).isEqualTo("hello from the host\n");
  }

  @Test
  void volumeOfAMissingHostPathFailsTheLaunchWithThePreparationReasonNamingIt() throws Exception {
    Path missing = dir.resolve("no/such/dir");
    registry = LocalRegistry.start(dir.resolve("registry"));
    String image = TestImages.pushBusybox(registry, "vol/busybox", "1").reference();
    cluster = MezzoCluster.builder(dir.resolve("cluster")).agents(1).agentResources(RESOURCES).start();
    V2Client v2 = services();

    String app = "{\"id\":\"/nohost\",\"instances\":1,\"cpus\":0.1,\"mem\":32,\"cmd\":\"sleep 3600\","
        + "\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"" + image + "\"},\"volumes\":["
        + "{\"containerPath\":\"/data\",\"hostPath\":\"" + missing + "\",\"mode\":\"RO\"}]}}";
    assertThat(v2.post("/v2/apps", app).status()).isEqualTo(201);

    await("the launch fails").atMost(WAIT).until(() -> !failedTasks("nohost").isEmpty());
    JsonNode status = lastStatus(failedTasks("nohost").get(0));
    assertThat(status.path("reason").asText()).isEqualTo("REASON_CONTAINER_PREPARATION_FAILED");
    assertThat(status.path("message").asText()).isEqualTo("Failed to prepare the container: container.volumes[0].host_path: "
        + missing + " does not exist on the agent (expected: an existing file or directory)");
    assertThat(missing).as("an absolute host path is never made").doesNotExist();
  }

  @Test
  void forcePullImageFetchesATagAgainWhereTheCachedImageWouldRun() throws Exception {
    registry = LocalRegistry.start(dir.resolve("registry"));
    String image = TestImages.pushBusybox(registry, "force/web", "v1", "content-A").reference();
    cluster = MezzoCluster.builder(dir.resolve("cluster")).agents(1).services(false).agentResources(RESOURCES).start();
    framework = TestFramework.subscribe(cluster.masterAddress(), "force-pull", false);

    assertThat(markerSeenBy("first", image, false)).isEqualTo("content-A");
    TestImages.pushBusybox(registry, "force/web", "v1", "content-B");
    assertThat(markerSeenBy("cached", image, false)).as("without force pull, the agent's cached v1").isEqualTo("content-A");
    assertThat(markerSeenBy("forced", image, true)).as("force pull asks the registry again").isEqualTo("content-B");
    assertThat(markerSeenBy("after", image, false)).as("the tag now names what was pulled").isEqualTo("content-B");
  }

  @Test
  void appWhoseImageIsPushedLateIsRelaunchedWithBackoffUntilItRuns() throws Exception {
    registry = LocalRegistry.start(dir.resolve("registry"));
    cluster = MezzoCluster.builder(dir.resolve("cluster")).agents(1).agentResources(RESOURCES).start();
    V2Client v2 = services();
    String image = registry.hostPort() + "/late/web:1";

    long start = System.nanoTime();
    String app = "{\"id\":\"/late\",\"instances\":1,\"cpus\":0.1,\"mem\":32,"
        + "\"backoffSeconds\":1,\"backoffFactor\":2,\"maxLaunchDelaySeconds\":4,"
        + "\"cmd\":\"mkdir -p $MESOS_SANDBOX/www && echo late > $MESOS_SANDBOX/www/index.html"
        + " && exec httpd -f -p $PORT0 -h $MESOS_SANDBOX/www\","
        + "\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"" + image + "\"},"
        + "\"portMappings\":[{\"containerPort\":0,\"hostPort\":0,\"name\":\"http\"}]},"
        + "\"healthChecks\":[{\"protocol\":\"MESOS_HTTP\",\"path\":\"/\",\"portIndex\":0,\"gracePeriodSeconds\":30,"
        + "\"intervalSeconds\":1,\"timeoutSeconds\":5,\"maxConsecutiveFailures\":3}]}";
    V2Client.Answer created = v2.post("/v2/apps", app);
    assertThat(created.status()).isEqualTo(201);
    String version = created.json().path("version").asText();

    await("the launch fails for the missing image").atMost(WAIT).until(() -> v2.get("/v2/apps/late?embed=app.lastTaskFailure")
        .json().path("app").path("lastTaskFailure").path("state").asText().equals("TASK_FAILED"));
    assertThat(v2.get("/v2/apps/late?embed=app.lastTaskFailure").json().path("app").path("lastTaskFailure")
        .path("message").asText()).contains("Failed to pull image '" + image + "'").contains("unknown image");
    JsonNode failed = failedTasks("late").get(0);
    assertThat(lastStatus(failed).path("reason").asText()).isEqualTo("REASON_CONTAINER_PREPARATION_FAILED");
    // The delay grows past backoffSeconds (1 s): the queue shows the app held back by a longer one.
    await("the launch delay grows").atMost(WAIT).until(() -> queueDelaySeconds(v2, "/late") >= 2);
    int failures = failedTasks("late").size();
    double elapsed = (System.nanoTime() - start) / 1e9;
    assertThat(failures).as("failed launches after %.1f s", elapsed).isBetween(2, mostFailuresWithBackoff(elapsed));

    TestImages.pushBusybox(registry, "late/web", "1");
    await("the app runs once the image exists").atMost(WAIT).until(() -> LbClusterSupport.healthy(v2, "/late") == 1);
    LbClusterSupport.Instance i = LbClusterSupport.instances(v2, "/late").get(0);
    assertThat(httpGet(i.host(), i.port())).isEqualTo("late\n");
    JsonNode shown = v2.get("/v2/apps/late").json().path("app");
    assertThat(shown.path("version").asText()).as("no new version").isEqualTo(version);
    await("the one deployment ends").atMost(WAIT).until(() -> v2.get("/v2/deployments").json().isEmpty());
    assertThat(failedTasks("late").size()).as("failures before the push, and none after the launch that ran")
        .isLessThanOrEqualTo(mostFailuresWithBackoff((System.nanoTime() - start) / 1e9));
  }

  /**
   * The most launches that can fail within {@code seconds} when the app waits 1, 2, 4, 4... seconds after
   * each failure (backoffSeconds 1, factor 2, maxLaunchDelaySeconds 4): a bound a slow machine only stays
   * further under, and one that launches retried without a delay would soon pass.
   */
  private static int mostFailuresWithBackoff(double seconds) {
    int n = 1;
    double delay = 1;
    for (double t = delay; t <= seconds; t += delay) {
      n++;
      delay = Math.min(delay * 2, 4);
    }
    return n;
  }

  /** Seconds left on the app's launch delay, as {@code /v2/queue} shows it (0 when it is not queued). */
  private static long queueDelaySeconds(V2Client v2, String appId) {
    for (JsonNode q : v2.get("/v2/queue").json().path("queue")) {
      if (q.path("app").path("id").asText().equals(appId)) {
        return q.path("delay").path("timeLeftSeconds").asLong();
      }
    }
    return 0;
  }

  /** Runs a task of {@code image} printing {@code /marker}; returns what it printed. */
  private String markerSeenBy(String name, String image, boolean forcePull) throws Exception {
    Offer offer = framework.awaitOffer();
    TaskId id = TaskId.of(name);
    JsonNode container = Json.MAPPER.readTree("{\"type\":\"DOCKER\",\"docker\":{\"image\":\"" + image
        + "\",\"force_pull_image\":" + forcePull + "}}");
    TaskInfo task = new TaskInfo(name, id, offer.agentId(), Resources.parse("cpus:0.1;mem:32").toList(),
        CommandInfo.shell("cat /marker"), null, container, null);
    assertThat(framework.launch(offer, task)).isEqualTo(202);
    framework.awaitState(id, TaskState.TASK_FINISHED, WAIT);
    return Files.readString(sandbox(name).resolve("stdout")).strip();
  }

  private V2Client services() {
    V2Client v2 = new V2Client(cluster.masterAddress());
    await("the services scheduler").atMost(WAIT).until(() -> v2.get("/v2/info").json().path("frameworkId").isTextual());
    return v2;
  }

  /** The run directory of task {@code taskId} on whichever agent ran it. */
  private Path sandbox(String taskId) throws IOException {
    List<Path> runs = new ArrayList<>();
    try (Stream<Path> agents = Files.list(cluster.workDir())) {
      for (Path agent : agents.filter(p -> p.getFileName().toString().startsWith("agent-")).toList()) {
        Path frameworks = agent.resolve("frameworks");
        if (!Files.isDirectory(frameworks)) {
          continue;
        }
        try (Stream<Path> fws = Files.list(frameworks)) {
          for (Path fw : fws.toList()) {
            Path r = fw.resolve("tasks").resolve(taskId).resolve("runs");
            if (Files.isDirectory(r)) {
              try (Stream<Path> s = Files.list(r)) {
                runs.addAll(s.toList());
              }
            }
          }
        }
      }
    }
    assertThat(runs).as("the sandbox of %s", taskId).hasSize(1);
    return runs.get(0);
  }

  /** The tasks of app {@code name} that ended TASK_FAILED, from the master's operator API (GET_TASKS). */
  private List<JsonNode> failedTasks(String name) {
    V2Client.Answer r = new V2Client(cluster.masterAddress()).post("/api/v1", "{\"type\":\"GET_TASKS\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode t : r.json().path("get_tasks").path("completed_tasks")) {
      if (t.path("name").asText().equals(name) && t.path("state").asText().equals("TASK_FAILED")) {
        out.add(t);
      }
    }
    return out;
  }

  private static JsonNode lastStatus(JsonNode task) {
    JsonNode statuses = task.path("statuses");
    return statuses.get(statuses.size() - 1);
  }

  private static String httpGet(String host, int port) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }
}
