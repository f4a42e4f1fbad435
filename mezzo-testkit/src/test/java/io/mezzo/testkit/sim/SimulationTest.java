package io.mezzo.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.json.Json;
import io.mezzo.master.Master;
import io.mezzo.master.MasterConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator against a real in-process master on real sockets, so that it cannot rot silently:
 * simulated agents get admitted, and a simulated framework's tasks go through them to RUNNING and
 * FINISHED with every update acknowledged.
 */
class SimulationTest {
  @TempDir
  Path dir;

  Master master;
  Simulation sim;
  final JsonClient http = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10));

  @BeforeEach
  void startMaster() {
    master = Master.start(new MasterConfig("127.0.0.1", 0, dir, null, "127.0.0.1", Duration.ofMillis(500), 5,
        Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(1)));
  }

  @AfterEach
  void stop() {
    if (sim != null) {
      sim.close();
    }
    master.close();
  }

  @Test
  void simulatedFrameworkRunsTasksThroughSimulatedAgents() throws Exception {
    sim = Simulation.start(SimConfig.defaults("127.0.0.1:" + master.port(), 4)
        .withAgentResources("cpus:1;mem:1024;disk:1000;ports:[31000-31099]")
        .withTaskDuration(Duration.ofMillis(300)));

    await("4 agents subscribed").atMost(Duration.ofSeconds(30)).until(() -> sim.stats().agentsSubscribed() == 4);
    assertThat(activeAgentsOnMaster()).isEqualTo(4);

    sim.startFrameworks(1);
    // 4 agents of 1 cpu hold 40 tasks of 0.1 cpus; more than 40 finished means freed resources were re-offered.
    await("tasks running and finished").atMost(Duration.ofSeconds(60))
        .until(() -> sim.stats().tasksFinished() > 40);

    SimStats stats = sim.stats();
    assertThat(stats.frameworksSubscribed()).isEqualTo(1);
    assertThat(stats.offers()).isPositive();
    assertThat(stats.tasksRunning()).isGreaterThanOrEqualTo(stats.tasksFinished());
    assertThat(stats.acceptToRunningMicros().getTotalCount()).isEqualTo(stats.tasksRunning());
    assertThat(stats.tasksFailed()).as(stats.lastError()).isZero();
    assertThat(stats.callErrors()).as(stats.lastError()).isZero();
    await("agents heartbeat").atMost(Duration.ofSeconds(30)).until(() -> sim.stats().heartbeatsSent() >= 4);
  }

  private int activeAgentsOnMaster() throws Exception {
    JsonClient.Reply r = http.get(URI.create("http://127.0.0.1:" + master.port() + "/master/state")).join();
    JsonNode state = Json.MAPPER.readTree(r.body());
    int active = 0;
    for (JsonNode s : state.path("slaves")) {
      if (s.path("active").asBoolean() && s.path("hostname").asText().startsWith("sim-agent-")) {
        active++;
      }
    }
    return active;
  }
}
