package io.mezzo.agent;

import static io.mezzo.agent.FakeMaster.shellTask;
import static io.mezzo.core.model.TaskState.TASK_RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Subscribing, heartbeats and subscribing again, against a fake master. */
class MasterLinkTest {
  @RegisterExtension
  final FakeMaster master = new FakeMaster();

  @TempDir
  Path workDir;

  @Test
  void firstSubscribeAdvertisesTheAgentAndTheGivenIdIsPersisted() throws IOException {
    Agent agent = master.startAgent(workDir);

    await().atMost(Duration.ofSeconds(10)).until(() -> agent.agentId().isPresent());
    AgentCall.Subscribe first = master.calls(AgentCall.Type.SUBSCRIBE).get(0).subscribe();
    assertThat(first.agentInfo().id()).isNull();
    assertThat(first.agentInfo().hostname()).isEqualTo("127.0.0.1");
    assertThat(first.agentInfo().port()).isEqualTo(agent.port());
    assertThat(Resources.of(first.agentInfo().resources()))
        .isEqualTo(Resources.parse("cpus:2;mem:1024;disk:1024;ports:[31000-31009]"));
    assertThat(first.tasks()).isEmpty();
    assertThat(Files.readString(workDir.resolve("agent.id")).strip()).isEqualTo(agent.agentId().orElseThrow().value());
  }

  @Test
  void agentResubscribesWithItsIdAndTasksAfterTheMasterStreamEnds() {
    Agent agent = master.startSubscribedAgent(workDir);
    AgentId id = agent.agentId().orElseThrow();
    master.launch(shellTask("survivor", "sleep 1000"));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("survivor").contains(TASK_RUNNING));

    master.endStream();

    await().atMost(Duration.ofSeconds(10)).until(() -> master.calls(AgentCall.Type.SUBSCRIBE).size() == 2);
    AgentCall.Subscribe again = master.calls(AgentCall.Type.SUBSCRIBE).get(1).subscribe();
    assertThat(again.agentInfo().id()).isEqualTo(id);
    assertThat(again.tasks()).singleElement().satisfies(t -> {
      assertThat(t.frameworkId()).isEqualTo(FakeMaster.FRAMEWORK);
      assertThat(t.task().taskId().value()).isEqualTo("survivor");
      assertThat(t.status().state()).isEqualTo(TASK_RUNNING);
    });
  }

  @Test
  void agentGivenSeveralMastersSubscribesToTheLeaderAStandbyNames() throws IOException {
    // a standby: every request is redirected to the leader (the fake master)
    io.mezzo.core.http.HttpServer standby = io.mezzo.core.http.HttpServer.builder()
        .prefixRoute("GET", "/", io.mezzo.core.auth.Access.PUBLIC, req -> java.util.concurrent.CompletableFuture.completedFuture(
            new io.mezzo.core.http.HttpResponse(307, "text/plain", new byte[0],
                java.util.Map.of("Location", "//" + master.hostPort() + req.path()), null)))
        .prefixRoute("POST", "/", io.mezzo.core.auth.Access.PUBLIC, req -> java.util.concurrent.CompletableFuture.completedFuture(
            new io.mezzo.core.http.HttpResponse(307, "text/plain", new byte[0],
                java.util.Map.of("Location", "//" + master.hostPort() + req.path()), null)))
        .bind("127.0.0.1", 0).start();
    int dead;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    try {
      String masters = "127.0.0.1:" + dead + ",127.0.0.1:" + standby.port();

      Agent agent = master.startAgent(workDir, c -> new io.mezzo.agent.AgentConfig(masters, c.bindHost(), c.port(),
          c.workDir(), c.resources(), c.hostname(), c.statusRetryInterval(), c.killGracePeriod(), c.gcDelay()));

      await().atMost(Duration.ofSeconds(10)).until(() -> agent.agentId().isPresent());
      assertThat(master.calls(AgentCall.Type.SUBSCRIBE)).isNotEmpty();
    } finally {
      standby.close();
    }
  }

  @Test
  void restartedAgentSubscribesWithItsPersistedId() {
    Agent first = master.startAgent(workDir);
    await().atMost(Duration.ofSeconds(10)).until(() -> first.agentId().isPresent());
    AgentId id = first.agentId().orElseThrow();
    first.close();

    Agent second = master.startAgent(workDir);

    await().atMost(Duration.ofSeconds(10)).until(() -> second.agentId().isPresent());
    List<AgentCall> subscribes = master.calls(AgentCall.Type.SUBSCRIBE);
    assertThat(subscribes.get(subscribes.size() - 1).subscribe().agentInfo().id()).isEqualTo(id);
    assertThat(second.agentId()).contains(id);
  }

  @Test
  void heartbeatsFlowAndASilentMasterIsDroppedAfterThreeIntervals() {
    master.heartbeatSeconds = 0.2; // the fake master never sends HEARTBEAT events
    Agent agent = master.startSubscribedAgent(workDir);

    await().atMost(Duration.ofSeconds(10)).until(() -> master.calls(AgentCall.Type.SUBSCRIBE).size() >= 2);
    assertThat(master.calls(AgentCall.Type.HEARTBEAT)).isNotEmpty()
        .allSatisfy(c -> assertThat(c.agentId()).isEqualTo(agent.agentId().orElseThrow()));
  }

  @Test
  void heartbeatAnsweredNotFoundMakesTheAgentSubscribeAgain() {
    master.heartbeatSeconds = 0.2;
    master.sendHeartbeats = true; // so that only the 404 can end the stream
    master.heartbeatsToForget = 1;
    Agent agent = master.startSubscribedAgent(workDir);

    await().atMost(Duration.ofSeconds(10)).until(() -> master.calls(AgentCall.Type.SUBSCRIBE).size() >= 2);
    assertThat(master.calls(AgentCall.Type.SUBSCRIBE).get(1).subscribe().agentInfo().id())
        .isEqualTo(agent.agentId().orElseThrow());
    // Heartbeat events keep the new stream alive well past three intervals.
    await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3))
        .until(() -> master.calls(AgentCall.Type.SUBSCRIBE).size() == 2);
  }

  @Test
  void refusedSubscribeIsRetriedWithBackoff() {
    master.refuseSubscribes = 2;
    Agent agent = master.startAgent(workDir);

    await().atMost(Duration.ofSeconds(10)).until(() -> agent.agentId().isPresent());
    assertThat(master.calls(AgentCall.Type.SUBSCRIBE)).hasSize(3);
  }
}
