package io.mezzo.agent;

import static io.mezzo.agent.FakeMaster.shellTask;
import static io.mezzo.core.model.TaskState.TASK_FINISHED;
import static io.mezzo.core.model.TaskState.TASK_RUNNING;
import static io.mezzo.core.model.TaskState.TASK_STARTING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.core.model.TaskStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Status updates reach the master at least once, in order, one in flight per task. */
class StatusUpdateDeliveryTest {
  @RegisterExtension
  final FakeMaster master = new FakeMaster();

  @TempDir
  Path workDir;

  @Test
  void unacknowledgedUpdateIsResentUntilAckedAndTheNextOnlyFollowsTheAck() {
    master.autoAck = false;
    Agent agent = master.startSubscribedAgent(workDir);

    master.launch(shellTask("slow-acks", "true"));

    // STARTING is resent every 300 ms while nobody acknowledges it; RUNNING waits behind it.
    await().atMost(Duration.ofSeconds(10)).until(() -> master.updates("slow-acks").size() >= 3);
    assertThat(master.updates("slow-acks")).extracting(TaskStatus::state).containsOnly(TASK_STARTING);
    TaskStatus starting = master.updates("slow-acks").get(0);
    assertThat(master.updates("slow-acks")).extracting(TaskStatus::uuid).containsOnly(starting.uuid());
    assertThat(Base64.getDecoder().decode(starting.uuid())).hasSize(16);

    master.acknowledge(starting);
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("slow-acks").contains(TASK_RUNNING));
    assertThat(master.states("slow-acks")).containsExactly(TASK_STARTING, TASK_RUNNING);

    master.acknowledge(master.last("slow-acks"));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.states("slow-acks").contains(TASK_FINISHED));
    assertThat(master.states("slow-acks")).containsExactly(TASK_STARTING, TASK_RUNNING, TASK_FINISHED);
    assertThat(stateOf(agent)).contains("\"id\":\"slow-acks\"");

    master.acknowledge(master.last("slow-acks"));
    // Acknowledged terminal update: the task is forgotten and nothing more is sent.
    await().atMost(Duration.ofSeconds(10)).until(() -> !stateOf(agent).contains("slow-acks"));
    int sent = master.updates("slow-acks").size();
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2))
        .until(() -> master.updates("slow-acks").size() == sent);
  }

  @Test
  void pendingUpdatesAreResentAtOnceWhenTheAgentResubscribes() {
    master.autoAck = false;
    Agent agent = master.startAgent(workDir, c -> c.withStatusRetryInterval(Duration.ofMinutes(10)));
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.agentId().isPresent());
    master.launch(shellTask("resent", "true"));
    await().atMost(Duration.ofSeconds(10)).until(() -> master.updates("resent").size() == 1);

    master.endStream();

    await().atMost(Duration.ofSeconds(10)).until(() -> master.updates("resent").size() == 2);
    assertThat(master.updates("resent")).extracting(TaskStatus::uuid).containsOnly(master.updates("resent").get(0).uuid());
  }

  private static String stateOf(Agent agent) {
    return Processes.get(agent.port(), "/state").body();
  }
}
