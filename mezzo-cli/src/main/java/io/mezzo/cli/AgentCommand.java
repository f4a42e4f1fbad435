package io.mezzo.cli;

import io.mezzo.agent.Agent;
import io.mezzo.agent.AgentConfig;
import io.mezzo.agent.recovery.RecoveryMode;
import io.mezzo.core.model.Resources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mezzo agent}: runs one agent until stopped; stopping it kills its tasks. Its subcommand
 * {@code mezzo agent drain ID} is a client of the master's operator API instead ({@link AgentDrainCommand}),
 * so {@code --master} is checked here rather than required by picocli (which would ask it of the
 * subcommand's parent too).
 */
@Command(name = "agent", mixinStandardHelpOptions = true, description = "Run an agent (or drain one: agent drain ID).",
    subcommands = AgentDrainCommand.class)
final class AgentCommand implements Callable<Integer> {
  @picocli.CommandLine.Mixin
  SecurityOptions security;

  /** How container tasks' images are pulled and collected: the same flags as {@code mezzo image}. */
  @picocli.CommandLine.Mixin
  ImageOptions images;

  @Option(names = "--image-gc-interval", defaultValue = "1m", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "How often the agent collects images past --image-gc-max-bytes or --image-gc-max-age; 0 for never"
          + " (default: ${DEFAULT-VALUE}).")
  Duration imageGcInterval;

  @Option(names = "--master",
      description = "The master's HOST:PORT, every master's HOST:PORT,HOST:PORT,... or zk://HOST:PORT,.../PATH"
          + " (the agent follows the leader).")
  String master;

  @Option(names = "--port", defaultValue = "5051", description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--ip", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String ip;

  @Option(names = "--hostname", description = "Host name advertised to the master (default: the --ip).")
  String hostname;

  @Option(names = "--work-dir", defaultValue = "/tmp/mezzo/agent", description = "Work directory (default: ${DEFAULT-VALUE}).")
  Path workDir;

  @Option(names = "--resources", description = "Resources in Mesos syntax, e.g. \"cpus:4;mem:8192;disk:20000;ports:[31000-32000]\" (default: detected).")
  String resources;

  @Option(names = "--status-retry-interval", defaultValue = "10s", converter = DurationConverter.class,
      description = "How often an unacknowledged status update is resent (default: ${DEFAULT-VALUE}).")
  Duration statusRetry;

  @Option(names = "--kill-grace-period", defaultValue = "3s", converter = DurationConverter.class,
      description = "SIGTERM to SIGKILL delay (default: ${DEFAULT-VALUE}).")
  Duration killGrace;

  @Option(names = "--gc-delay", defaultValue = "7d", converter = DurationConverter.class,
      description = "How long the sandbox of a finished task is kept; disk pressure shortens it (default: ${DEFAULT-VALUE}).")
  Duration gcDelay;

  @Option(names = "--isolation", defaultValue = "auto",
      description = "auto (cgroups v2, else v1, else posix), cgroups, cgroups/v2, cgroups/v1 or posix (default: ${DEFAULT-VALUE}).")
  String isolation;

  @Option(names = "--cgroups-enable-cfs", description = "Hold tasks to their cpus with a hard CFS quota, not only shares.")
  boolean enableCfs;

  @Option(names = "--memory-headroom-mb", defaultValue = "0",
      description = "MiB added to each task's mem to make its memory limit (default: ${DEFAULT-VALUE}).")
  long memoryHeadroomMb;

  @Option(names = "--recover", defaultValue = "reconnect",
      description = "On start, tasks left by a previous run of this work dir: reconnect (re-adopt them) or cleanup (kill them) (default: ${DEFAULT-VALUE}).")
  String recover;

  @Option(names = "--switch-user", arity = "1", defaultValue = "true",
      description = "Run tasks as their user (command user, else framework user, else --task-user) when the agent "
          + "runs as root; false runs them as the agent's user (default: ${DEFAULT-VALUE}).")
  boolean switchUser;

  @Option(names = "--task-user", defaultValue = "nobody",
      description = "The user of tasks that name none, and of tasks asking for root unless --allow-root-tasks "
          + "(default: ${DEFAULT-VALUE}).")
  String taskUser;

  @Option(names = "--allow-root-tasks", description = "Let tasks that ask for root run as root.")
  boolean allowRootTasks;

  @Override
  public Integer call() throws Exception {
    if (master == null) {
      throw new IllegalArgumentException("--master: missing (expected: the master's HOST:PORT, HOST:PORT,HOST:PORT,..."
          + " or zk://HOST:PORT[,HOST:PORT...]/PATH)");
    }
    if (!io.mezzo.core.ha.MasterDetector.isHostList(master) && !io.mezzo.master.ha.ZkMasterDetector.isZk(master)) {
      throw new IllegalArgumentException("--master: '" + master + "' (expected: HOST:PORT[,HOST:PORT...] or"
          + " zk://HOST:PORT[,HOST:PORT...]/PATH)");
    }
    if (imageGcInterval.isNegative()) {
      throw new IllegalArgumentException("--image-gc-interval: " + imageGcInterval + " (expected: >= 0, 0 for never)");
    }
    io.mezzo.agent.image.AgentImageConfig imageConfig =
        new io.mezzo.agent.image.AgentImageConfig(images.registryOptions(), imageGcInterval);
    Resources r = resources == null ? null : Resources.parse(resources);
    if (memoryHeadroomMb < 0) {
      throw new IllegalArgumentException("--memory-headroom-mb: " + memoryHeadroomMb + " (expected: >= 0)");
    }
    io.mezzo.agent.isolation.IsolationConfig isolationConfig = io.mezzo.agent.isolation.IsolationConfig.defaults()
        .withMode(isolation).withEnableCfs(enableCfs).withMemoryHeadroomBytes(memoryHeadroomMb << 20);
    Agent agent = Agent.start(new AgentConfig(master, ip, port, workDir.toAbsolutePath(), r,
        hostname == null ? ip : hostname, statusRetry, killGrace, gcDelay), isolationConfig,
        RecoveryMode.parse(recover), new io.mezzo.agent.user.TaskUserConfig(switchUser, taskUser, allowRootTasks),
        security.security(), security.caller(), imageConfig);
    System.out.println("mezzo agent listening on " + (security.tlsCert == null ? "http" : "https") + "://" + ip + ":" + agent.port() + ", master " + master);
    return Daemon.runUntilStopped(agent);
  }
}
