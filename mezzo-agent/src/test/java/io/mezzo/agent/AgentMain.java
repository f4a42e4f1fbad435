package io.mezzo.agent;

import io.mezzo.agent.recovery.RecoveryMode;
import io.mezzo.core.model.Resources;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An agent in a JVM of its own, for tests that {@code kill -9} it: {@code MASTER WORK_DIR RECOVER
 * [IMAGE_GC_INTERVAL_MS IMAGE_GC_MAX_BYTES]}.
 * Prints {@code port N} once listening, then runs until killed.
 */
final class AgentMain {
  private AgentMain() {}

  public static void main(String[] args) throws InterruptedException {
    AgentConfig config = AgentConfig.defaults(args[0], Path.of(args[1]))
        .withResources(Resources.parse("cpus:8;mem:4096;disk:1024;ports:[31000-31009]"))
        .withStatusRetryInterval(Duration.ofMillis(300))
        .withKillGracePeriod(Duration.ofMillis(500));
    Agent agent = args.length < 5 ? Agent.start(config, RecoveryMode.parse(args[2]))
        : Agent.start(config, io.mezzo.agent.isolation.IsolationConfig.defaults(), RecoveryMode.parse(args[2]),
            io.mezzo.agent.user.TaskUserConfig.defaults(), io.mezzo.core.auth.Security.NONE,
            io.mezzo.core.auth.Caller.NONE, new io.mezzo.agent.image.AgentImageConfig(
                io.mezzo.agent.image.RegistryOptions.defaults().withGc(Long.parseLong(args[4]), null),
                Duration.ofMillis(Long.parseLong(args[3]))));
    System.out.println("port " + agent.port());
    System.out.flush();
    Thread.currentThread().join();
  }
}
