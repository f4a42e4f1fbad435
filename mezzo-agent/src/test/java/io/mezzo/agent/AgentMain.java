package io.mezzo.agent;

import io.mezzo.agent.recovery.RecoveryMode;
import io.mezzo.core.model.Resources;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An agent in a JVM of its own, for tests that {@code kill -9} it: {@code MASTER WORK_DIR RECOVER}.
 * Prints {@code port N} once listening, then runs until killed.
 */
final class AgentMain {
  private AgentMain() {}

  public static void main(String[] args) throws InterruptedException {
    AgentConfig config = AgentConfig.defaults(args[0], Path.of(args[1]))
        .withResources(Resources.parse("cpus:8;mem:4096;disk:1024;ports:[31000-31009]"))
        .withStatusRetryInterval(Duration.ofMillis(300))
        .withKillGracePeriod(Duration.ofMillis(500));
    Agent agent = Agent.start(config, RecoveryMode.parse(args[2]));
    System.out.println("port " + agent.port());
    System.out.flush();
    Thread.currentThread().join();
  }
}
