package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.json.Json;
import io.mezzo.testkit.MezzoCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's commands against a real cluster (a master with the services scheduler and its
 * embedded ZooKeeper, two agent processes, tasks as OS processes): {@code app deploy --wait} shows its
 * progress bar and ends deployed; {@code agents}, {@code frameworks} and {@code top} show the cluster
 * as it is; {@code doctor} finds the master, its clock and its ZooKeeper; {@code agent drain --wait}
 * follows an agent holding tasks until it is DRAINED.
 */
class CliClusterTest {
  private static final String APP = "/sleepy";

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

  private JsonNode json(String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of(args));
    argv.addAll(List.of("--output", "json"));
    return Json.MAPPER.readTree(run(argv.toArray(String[]::new)).out());
  }

  @Test
  void operatorCommandsShowTheClusterCheckTheNodeAndDrainAnAgent() throws Exception {
    cluster = MezzoCluster.builder(dir).agents(2).start();
    await("the services scheduler subscribed").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> cluster.getJson(cluster.master().port(), "/v2/info").path("frameworkId").isTextual());

    Path app = Files.writeString(dir.resolve("sleepy.json"),
        "{\"id\": \"" + APP + "\", \"cmd\": \"sleep 600\", \"cpus\": 0.1, \"mem\": 16, \"instances\": 2}");
    CliRun deploy = run("app", "deploy", app.toString(), "--wait", "--timeout", "2m");
    assertThat(deploy.out()).containsPattern("deploying " + APP + " \\[[=> ]{20}] [0-2]/2 running, step 1/1, \\d+ s\n")
        .containsPattern("deployed " + APP + ": 2/2 running in \\d+s\n$");

    JsonNode agents = json("agents");
    assertThat(agents).hasSize(2).allSatisfy(a -> assertThat(a.path("state").asText()).isEqualTo("active"));
    JsonNode frameworks = json("frameworks");
    assertThat(frameworks).anySatisfy(f -> {
      assertThat(f.path("name").asText()).isEqualTo("mezzo-services");
      assertThat(f.path("tasks").asInt()).isEqualTo(2);
    });
    String top = run("top", "--once", "--width", "200").out();
    assertThat(top).contains("agents 2/2 active").contains("frameworks 1  tasks 2  apps 1");
    assertThat(top.lines().filter(l -> l.startsWith(APP)).findFirst().orElseThrow().split("\\s+"))
        .startsWith(APP, "2", "2", "-", "0");

    CliRun doctor = run("doctor", "--zk", cluster.masterZkConnect(), "--task-ports", "43500-43599", "--work-dir",
        dir.toString());
    assertThat(doctor.out()).contains("OK    master     " + cluster.masterAddress() + " answers; leader master@")
        .containsPattern("OK    clock      this clock is (ahead of|behind) the master's by")
        .contains("OK    zookeeper  " + cluster.masterZkConnect() + " imok, standalone");

    String agentId = json("tasks", APP).get(0).path("slaveId").asText();
    int onIt = (int) java.util.stream.StreamSupport.stream(json("tasks", APP).spliterator(), false)
        .filter(t -> t.path("slaveId").asText().equals(agentId)).count();
    CliRun drain = run("agent", "drain", agentId, "--grace", "1s", "--wait", "--timeout", "1m");
    assertThat(drain.out()).startsWith("draining agent " + agentId + "\n")
        .containsPattern("drained agent " + agentId + ": " + onIt + " task\\(s\\) ended in \\d+s\n$");
    JsonNode after = json("agents");
    assertThat(after).anySatisfy(a -> {
      assertThat(a.path("id").asText()).isEqualTo(agentId);
      assertThat(a.path("state").asText()).isEqualTo("DRAINED");
      assertThat(a.path("tasks").asInt()).isZero();
    });
  }
}
