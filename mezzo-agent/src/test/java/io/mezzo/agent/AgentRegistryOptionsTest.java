package io.mezzo.agent;

import static io.mezzo.core.model.TaskState.TASK_FAILED;
import static io.mezzo.core.model.TaskState.TASK_FINISHED;
import static io.mezzo.core.model.TaskState.TASK_RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.agent.image.AgentImageConfig;
import io.mezzo.agent.image.RegistryOptions;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.testkit.LocalRegistry;
import io.mezzo.testkit.TestImages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running agent's image store takes the registry options it is started with (credentials of a
 * registry that asks for basic auth: the real docker-registry with htpasswd) and collects images on
 * its schedule: an image goes once the container using it has ended, never while it runs, nor while a
 * container re-adopted after an agent restart (kill -9 of an agent in its own JVM) runs.
 */
class AgentRegistryOptionsTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension
  final FakeMaster master = new FakeMaster();

  @TempDir
  Path workDir;

  @AfterEach
  void cleanUp() throws Exception {
    io.mezzo.agent.TestImages.cleanUp(workDir);
  }

  private LocalRegistry securedRegistry() throws Exception {
    return LocalRegistry.start(workDir.resolveSibling(workDir.getFileName() + "-registry"), "mezzo", "s3cret");
  }

  private static String docker(String image) {
    return "{\"type\":\"DOCKER\",\"docker\":{\"image\":\"" + image + "\"}}";
  }

  @Test
  void agentWithTheRegistrysCredentialsRunsAContainerFromIt() throws Exception {
    try (LocalRegistry registry = securedRegistry()) {
      String image = TestImages.pushBusybox(registry, "auth/busybox", "1").reference();
      RegistryOptions withCredentials = RegistryOptions.defaults()
          .withCredentials(Map.of(registry.hostPort(), new RegistryOptions.Credentials("mezzo", "s3cret")));
      master.startSubscribedAgent(workDir, new AgentImageConfig(withCredentials, AgentImageConfig.DEFAULT_GC_INTERVAL));

      master.launch(ContainerTaskTest.task("authed", docker(image), null, 32, null));

      await().atMost(WAIT).until(() -> master.states("authed").contains(TASK_FINISHED));
      assertThat(Files.readString(sandbox("authed").resolve("stdout"))).isEqualTo("hello\n");
    }
  }

  @Test
  void agentWithoutCredentialsFailsTheTaskSayingTheRegistryRefusedAuthentication() throws Exception {
    try (LocalRegistry registry = securedRegistry()) {
      String image = TestImages.pushBusybox(registry, "auth/busybox", "1").reference();
      master.startSubscribedAgent(workDir, AgentImageConfig.defaults());

      master.launch(ContainerTaskTest.task("anonymous", docker(image), null, 32, null));

      await().atMost(WAIT).until(() -> master.states("anonymous").contains(TASK_FAILED));
      TaskStatus failed = master.last("anonymous");
      assertThat(failed.reason()).isEqualTo("REASON_CONTAINER_PREPARATION_FAILED");
      assertThat(failed.message()).startsWith("Failed to pull image '" + image + "': auth refused")
          .contains(registry.hostPort());
      assertThat(master.states("anonymous")).doesNotContain(TASK_RUNNING);
    }
  }

  @Test
  void imageGcSparesTheImageOfARunningContainerAndRemovesItOnceTheTaskFinished() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start(workDir.resolveSibling(workDir.getFileName() + "-registry"))) {
      TestImages.Pushed pushed = TestImages.pushBusybox(registry, "gc/busybox", "1");
      // max-bytes 0: every image no container uses goes at the next round.
      Agent agent = master.startSubscribedAgent(workDir,
          new AgentImageConfig(RegistryOptions.defaults().withGc(0, null), Duration.ofMillis(100)));
      Path imageDir = workDir.resolve("images/images").resolve(pushed.manifestDigest().substring("sha256:".length()));

      master.launch(ContainerTaskTest.task("waiting", docker(pushed.reference()), CommandInfo.shell(
          "while [ ! -f $MESOS_SANDBOX/go ]; do sleep 0.1; done; echo went"), 32, null));
      await().atMost(WAIT).until(() -> master.states("waiting").contains(TASK_RUNNING));
      long runsWhenRunning = metric(agent, "mezzo_agent_image_gc_runs_total");
      await().atMost(WAIT).until(() -> metric(agent, "mezzo_agent_image_gc_runs_total") >= runsWhenRunning + 5);
      assertThat(imageDir.resolve("rootfs/bin/busybox")).isRegularFile();
      assertThat(metric(agent, "mezzo_agent_images_removed_total")).isZero();
      assertThat(metric(agent, "mezzo_agent_image_store_bytes")).isPositive();

      Files.writeString(sandbox("waiting").resolve("go"), "");

      await().atMost(WAIT).until(() -> master.states("waiting").contains(TASK_FINISHED));
      await().atMost(WAIT).until(() -> !Files.exists(imageDir));
      assertThat(metric(agent, "mezzo_agent_images_removed_total")).isEqualTo(1);
      assertThat(metric(agent, "mezzo_agent_image_store_bytes")).isZero();
      assertThat(Files.readString(sandbox("waiting").resolve("stdout"))).isEqualTo("went\n");
    }
  }

  @Test
  void imageOfAContainerReadoptedAfterAnAgentRestartIsSparedUntilItsTaskEnds() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start(workDir.resolveSibling(workDir.getFileName() + "-registry"))) {
      TestImages.Pushed pushed = TestImages.pushBusybox(registry, "readopt/busybox", "1");
      Path imageDir = workDir.resolve("images/images").resolve(pushed.manifestDigest().substring("sha256:".length()));
      AgentProcess agent = AgentProcess.start(master.hostPort(), workDir, "reconnect", "100", "0");
      try {
        await().atMost(WAIT).until(() -> subscribes() >= 1 && master.streamOpen());
        master.launch(ContainerTaskTest.task("long", docker(pushed.reference()), CommandInfo.shell("exec sleep 1000"),
            32, null));
        await().atMost(WAIT).until(() -> master.states("long").contains(TASK_RUNNING));

        agent.kill9();
        agent = AgentProcess.start(master.hostPort(), workDir, "reconnect", "100", "0");
        await().atMost(WAIT).until(() -> subscribes() >= 2 && master.streamOpen());
        int port = agent.port();
        await().atMost(WAIT).until(() -> metric(port, "mezzo_agent_image_gc_runs_total") >= 5);
        assertThat(imageDir.resolve("rootfs/bin/busybox")).isRegularFile();
        assertThat(metric(port, "mezzo_agent_images_removed_total")).isZero();

        master.kill("long", 1);

        await().atMost(WAIT).until(() -> master.states("long").contains(io.mezzo.core.model.TaskState.TASK_KILLED));
        await().atMost(WAIT).until(() -> !Files.exists(imageDir));
      } finally {
        agent.close();
        FakeMaster.killLeftovers(workDir);
      }
    }
  }

  private int subscribes() {
    return master.calls(io.mezzo.core.agentapi.AgentCall.Type.SUBSCRIBE).size();
  }

  @Test
  void agentWithoutGcThresholdsKeepsItsImages() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start(workDir.resolveSibling(workDir.getFileName() + "-registry"))) {
      TestImages.Pushed pushed = TestImages.pushBusybox(registry, "kept/busybox", "1");
      Agent agent = master.startSubscribedAgent(workDir,
          new AgentImageConfig(RegistryOptions.defaults(), Duration.ofMillis(100)));

      master.launch(ContainerTaskTest.task("once", docker(pushed.reference()), null, 32, null));

      await().atMost(WAIT).until(() -> master.states("once").contains(TASK_FINISHED));
      assertThat(workDir.resolve("images/images").resolve(pushed.manifestDigest().substring("sha256:".length())))
          .isDirectory();
      assertThat(scrape(agent)).doesNotContain("mezzo_agent_image_gc_runs_total"); // no thresholds: no collector
    }
  }

  private Path sandbox(String taskId) throws Exception {
    try (Stream<Path> runs = Files.list(workDir.resolve("frameworks/fw-1/tasks/" + taskId + "/runs"))) {
      return runs.findFirst().orElseThrow();
    }
  }

  private static String scrape(Agent agent) throws Exception {
    return scrape(agent.port());
  }

  private static String scrape(int port) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  private static long metric(Agent agent, String name) throws Exception {
    return metric(agent.port(), name);
  }

  private static long metric(int port, String name) throws Exception {
    Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(scrape(port));
    assertThat(m.find()).as(name).isTrue();
    return (long) Double.parseDouble(m.group(2));
  }
}
