package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.OfferId;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.core.scheduler.Call;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.TestFramework;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel end to end on a real cluster: a master and two agents as separate processes, a
 * framework on the v1 scheduler HTTP API, tasks as real OS processes.
 */
class KernelClusterTest {
  private static final Duration TASK_TIMEOUT = Duration.ofSeconds(30);
  private static final Resources SMALL = Resources.parse("cpus:0.1;mem:32");

  @TempDir
  static Path dir;

  static MezzoCluster cluster;
  static final JsonClient http = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10));

  @BeforeAll
  static void startCluster() {
    cluster = MezzoCluster.builder(dir).agents(2).start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static TaskId newTaskId(String name) {
    return new TaskId(name + "-" + UUID.randomUUID().toString().substring(0, 8));
  }

  @Test
  void taskThatExitsZeroFinishesWithItsStdoutInTheSandbox() throws IOException {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "finish", false)) {
      Offer offer = fw.awaitOffer();
      TaskId id = newTaskId("hello");
      assertThat(fw.launch(offer, id, "echo hello-from-$MESOS_TASK_ID", SMALL)).isEqualTo(202);

      fw.awaitState(id, TaskState.TASK_FINISHED, TASK_TIMEOUT);
      assertThat(fw.states(id)).containsSubsequence(TaskState.TASK_STARTING, TaskState.TASK_RUNNING,
          TaskState.TASK_FINISHED);
      Path stdout = sandboxFile(id, "stdout").orElseThrow();
      assertThat(Files.readString(stdout)).contains("hello-from-" + id.value());
    }
  }

  @Test
  void taskThatExitsThreeFailsWithItsExitCode() {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "fail", false)) {
      TaskId id = newTaskId("three");
      fw.launch(fw.awaitOffer(), id, "exit 3", SMALL);

      TaskStatus failed = fw.awaitState(id, TaskState.TASK_FAILED, TASK_TIMEOUT);
      assertThat(failed.message()).contains("3");
      assertThat(fw.states(id)).doesNotContain(TaskState.TASK_FINISHED);
    }
  }

  @Test
  void killedTaskEndsKilledWithNoProcessLeft() throws IOException {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "kill", false)) {
      Offer offer = fw.awaitOffer();
      TaskId id = newTaskId("sleeper");
      fw.launch(offer, id, "sleep 1000 & sleep 1000", SMALL);
      fw.awaitState(id, TaskState.TASK_RUNNING, TASK_TIMEOUT);
      Path pidFile = await().atMost(TASK_TIMEOUT).until(() -> sandboxFile(id, "task.pid"), Optional::isPresent).get();
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      assertThat(ProcessHandle.of(pid)).isPresent();

      assertThat(fw.kill(id, offer.agentId())).isEqualTo(202);

      fw.awaitState(id, TaskState.TASK_KILLED, TASK_TIMEOUT);
      await("no process left in group " + pid).atMost(TASK_TIMEOUT).until(() -> !groupAlive(pid));
    }
  }

  @Test
  void finishedTaskResourcesAreOfferedAgain() {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "reoffer", false)) {
      Offer offer = fw.awaitOffer();
      Resources all = Resources.of(offer.resources());
      TaskId id = newTaskId("whole");
      fw.launch(offer, id, "true", Resources.parse("cpus:" + all.scalar("cpus") + ";mem:" + all.scalar("mem")));
      fw.awaitState(id, TaskState.TASK_FINISHED, TASK_TIMEOUT);

      Offer again = fw.awaitOffer(o -> o.agentId().equals(offer.agentId())
          && Resources.of(o.resources()).scalar("cpus") == all.scalar("cpus"));
      assertThat(Resources.of(again.resources()).scalar("mem")).isEqualTo(all.scalar("mem"));
    }
  }

  @Test
  void twoFrameworksEachGetOffers() {
    try (TestFramework first = TestFramework.subscribe(cluster.masterAddress(), "first", false);
        TestFramework second = TestFramework.subscribe(cluster.masterAddress(), "second", false)) {
      await().atMost(TASK_TIMEOUT).until(() -> !first.outstandingOffers().isEmpty()
          || !second.outstandingOffers().isEmpty());
      // Whoever holds offers gives them back without a filter: DRF splits the agents between the two.
      first.declineAll(0);
      second.declineAll(0);
      await("both frameworks hold an offer").atMost(TASK_TIMEOUT)
          .until(() -> !first.outstandingOffers().isEmpty() && !second.outstandingOffers().isEmpty());
      assertThat(first.outstandingOffers().get(0).agentId())
          .isNotEqualTo(second.outstandingOffers().get(0).agentId());
    }
  }

  @Test
  void taskEnvironmentCarriesSandboxAndPorts() throws IOException {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "env", false)) {
      Offer offer = fw.awaitOffer(o -> !Resources.of(o.resources()).ranges("ports").isEmpty());
      long port = Resources.of(offer.resources()).ranges("ports").first(1).get(0);
      TaskId id = newTaskId("env");
      fw.launch(offer, id, "echo \"port=$PORT0 ports=$PORTS sandbox=$MESOS_SANDBOX host=$HOST mezzo=$MEZZO_TASK_ID\"",
          Resources.parse("cpus:0.1;mem:32;ports:[" + port + "-" + port + "]"));
      fw.awaitState(id, TaskState.TASK_FINISHED, TASK_TIMEOUT);

      Path stdout = sandboxFile(id, "stdout").orElseThrow();
      String out = Files.readString(stdout);
      assertThat(out).contains("port=" + port, "ports=" + port, "sandbox=" + stdout.getParent(), "host=127.0.0.1",
          "mezzo=" + id.value());
    }
  }

  @Test
  void launchBeyondTheOfferIsATaskError() {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "greedy", false)) {
      Offer offer = fw.awaitOffer();
      TaskId id = newTaskId("greedy");
      fw.launch(offer, id, "true", Resources.parse("cpus:1000;mem:32"));

      TaskStatus error = fw.awaitState(id, TaskState.TASK_ERROR, TASK_TIMEOUT);
      assertThat(error.message()).contains("cpus:1000").contains("more resources");
      assertThat(healthy()).isTrue();
    }
  }

  @Test
  void launchOnAnUnknownOfferIsReportedLost() {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "stale", false)) {
      Offer offer = fw.awaitOffer();
      Offer bogus = new Offer(new OfferId("no-such-offer"), offer.frameworkId(), offer.agentId(), offer.hostname(),
          offer.resources(), offer.allocationInfo());
      TaskId id = newTaskId("stale");
      fw.launch(bogus, id, "true", SMALL);

      TaskStatus lost = fw.awaitState(id, TaskState.TASK_LOST, TASK_TIMEOUT);
      assertThat(lost.reason()).isEqualTo("REASON_INVALID_OFFERS");
      assertThat(lost.message()).contains("no-such-offer");
    }
  }

  @Test
  void taskIdInUseIsATaskError() {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "dupe", false)) {
      TaskId id = newTaskId("dupe");
      fw.launch(fw.awaitOffer(), id, "sleep 1000", SMALL);
      fw.awaitState(id, TaskState.TASK_RUNNING, TASK_TIMEOUT);

      fw.launch(fw.awaitOffer(), id, "sleep 1000", SMALL);

      TaskStatus error = fw.awaitState(id, TaskState.TASK_ERROR, TASK_TIMEOUT);
      assertThat(error.message()).contains("in use");
      assertThat(fw.states(id)).doesNotContain(TaskState.TASK_KILLED);
    }
  }

  @Test
  void malformedAndUnknownCallsAreRejectedWithAMessage() {
    URI scheduler = URI.create("http://" + cluster.masterAddress() + "/api/v1/scheduler");
    JsonClient.Reply malformed = postRaw(scheduler, "{not json", "application/json");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.body()).contains("malformed JSON");

    JsonClient.Reply unknownType = postRaw(scheduler, "{\"type\":\"FROBNICATE\"}", "application/json");
    assertThat(unknownType.status()).isEqualTo(400);
    assertThat(unknownType.body()).contains("type").contains("FROBNICATE").contains("SUBSCRIBE");

    JsonClient.Reply noSubscribe = postRaw(scheduler, "{\"type\":\"SUBSCRIBE\"}", "application/json");
    assertThat(noSubscribe.status()).isEqualTo(400);
    assertThat(noSubscribe.body()).contains("subscribe.framework_info");

    JsonClient.Reply notSubscribed = postRaw(scheduler,
        "{\"type\":\"DECLINE\",\"framework_id\":{\"value\":\"nobody\"},\"decline\":{\"offer_ids\":[]}}", "application/json");
    assertThat(notSubscribed.status()).isEqualTo(403);

    JsonClient.Reply protobuf = postRaw(scheduler, "x", "application/x-protobuf");
    assertThat(protobuf.status()).isEqualTo(400);
    assertThat(protobuf.body()).contains("mesos.v1.scheduler.Call");

    JsonClient.Reply text = postRaw(scheduler, "x", "text/plain");
    assertThat(text.status()).isEqualTo(415);
    assertThat(text.body()).contains("application/json").contains("application/x-protobuf");

    assertThat(healthy()).isTrue();
  }

  @Test
  void callWithoutTheStreamIdIsRejected() {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "nostream", false)) {
      JsonClient.Reply r = http.post(URI.create("http://" + cluster.masterAddress() + "/api/v1/scheduler"),
          Call.of(fw.client().frameworkId(), Call.Type.REVIVE), Map.of()).join();
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body()).contains("Mesos-Stream-Id");
    }
  }

  @Test
  void masterStateShowsAgentsFrameworksAndTasks() {
    try (TestFramework fw = TestFramework.subscribe(cluster.masterAddress(), "stateful", false)) {
      Offer offer = fw.awaitOffer();
      TaskId id = newTaskId("listed");
      fw.launch(offer, id, "sleep 1000", SMALL);
      fw.awaitState(id, TaskState.TASK_RUNNING, TASK_TIMEOUT);

      JsonNode state = cluster.masterState();
      assertThat(state.path("slaves")).hasSize(2);
      JsonNode agent = find(state.path("slaves"), "id", offer.agentId().value());
      assertThat(agent.path("resources").path("cpus").asDouble()).isEqualTo(2.0);
      assertThat(agent.path("used_resources").path("cpus").asDouble()).isGreaterThanOrEqualTo(0.1);
      assertThat(agent.path("resources").path("ports").asText()).matches("\\[\\d+-\\d+\\]");
      JsonNode framework = find(state.path("frameworks"), "id", fw.client().frameworkId().value());
      assertThat(framework.path("name").asText()).isEqualTo("stateful");
      JsonNode task = find(framework.path("tasks"), "id", id.value());
      assertThat(task.path("state").asText()).isEqualTo("TASK_RUNNING");
      assertThat(task.path("slave_id").asText()).isEqualTo(offer.agentId().value());
    }
  }

  @Test
  void executeRunsOneTaskAndExitsWithItsCode() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"), "io.mezzo.cli.Main", "execute",
        "--master", cluster.masterAddress(), "--name", "exec-test", "--command", "echo out; exit 3",
        "--resources", "cpus:0.1;mem:32").redirectErrorStream(true);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(output).isEqualTo(3);
    assertThat(output).contains("TASK_RUNNING").contains("TASK_FAILED").contains("exited with status 3");
  }

  @Test
  void executeRejectsBadFlagsWithAMessage() throws Exception {
    assertThat(Main.run("execute", "--master", "nonsense", "--name", "x", "--command", "true")).isEqualTo(1);
    assertThat(Main.run("execute", "--name", "x")).isEqualTo(2);
  }

  private static JsonNode find(JsonNode array, String field, String value) {
    for (JsonNode n : array) {
      if (n.path(field).asText().equals(value)) {
        return n;
      }
    }
    throw new AssertionError("no element with " + field + "=" + value + " in " + array);
  }

  private static JsonClient.Reply postRaw(URI uri, String body, String contentType) {
    try {
      var request = java.net.http.HttpRequest.newBuilder(uri).header("Content-Type", contentType)
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
      var response = java.net.http.HttpClient.newHttpClient().send(request,
          java.net.http.HttpResponse.BodyHandlers.ofString());
      return new JsonClient.Reply(response.statusCode(), Map.of(), response.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean healthy() {
    return http.get(URI.create("http://" + cluster.masterAddress() + "/health")).join().ok();
  }

  static Optional<Path> sandboxFile(TaskId id, String name) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.getFileName().toString().equals(name))
          .filter(p -> p.toString().contains("/tasks/" + id.value() + "/"))
          .findFirst();
    }
  }

  static boolean groupAlive(long pgid) throws Exception {
    Process p = new ProcessBuilder("kill", "-0", "--", "-" + pgid).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor() == 0;
  }

}
