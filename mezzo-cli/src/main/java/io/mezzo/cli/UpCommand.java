package io.mezzo.cli;

import io.mezzo.agent.Agent;
import io.mezzo.agent.AgentConfig;
import io.mezzo.core.model.Resources;
import io.mezzo.master.Master;
import io.mezzo.master.MasterConfig;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mezzo up}: the embedded single-machine cluster. Embedded ZooKeeper, one master and N agents
 * in this JVM on loopback, each agent with its own work directory and port range; the machine's
 * cpus and memory are split between the agents. Ctrl-C stops everything and kills every task.
 */
@Command(name = "up", mixinStandardHelpOptions = true, description = "Start a single-machine cluster (ZooKeeper, master, agents).")
final class UpCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "5050", description = "Master port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--agents", defaultValue = "2", description = "How many agents (default: ${DEFAULT-VALUE}).")
  int agents;

  @Option(names = "--lb-port", defaultValue = "10080",
      description = "The load balancer's shared HTTP port (default: ${DEFAULT-VALUE}).")
  int lbPort;

  @Option(names = "--task-ports", defaultValue = "31000",
      description = "Agent N offers task ports from this + 1000 (N - 1), 1000 of them (default: ${DEFAULT-VALUE}).")
  int firstTaskPort;

  @Option(names = "--work-dir", defaultValue = "/tmp/mezzo/up", description = "Work directory (default: ${DEFAULT-VALUE}).")
  Path workDir;

  /** How the agents pull and collect container images (the same flags as {@code mezzo agent}). */
  @picocli.CommandLine.Mixin
  ImageOptions images;

  @Override
  public Integer call() throws Exception {
    if (agents < 1 || agents > 16) {
      throw new IllegalArgumentException("--agents: " + agents + " (expected: 1..16)");
    }
    if (firstTaskPort < 1024 || firstTaskPort + agents * 1000 > 65_536) {
      throw new IllegalArgumentException("--task-ports: " + firstTaskPort + " (expected: 1024.." + (65_536 - agents * 1000)
          + " for " + agents + " agents)");
    }
    io.mezzo.agent.image.AgentImageConfig imageConfig =
        new io.mezzo.agent.image.AgentImageConfig(images.registryOptions(), Duration.ofMinutes(1));
    Path dir = workDir.toAbsolutePath();
    MasterConfig defaults = MasterConfig.defaults(dir.resolve("master"));
    MasterConfig mc = new MasterConfig("127.0.0.1", port, dir.resolve("master"), null, "127.0.0.1",
        Duration.ofSeconds(5), 3, defaults.frameworkHeartbeatInterval(), defaults.allocationInterval(),
        defaults.killGracePeriod());
    List<AutoCloseable> parts = new ArrayList<>();
    // the autoscaler reads the embedded load balancer's /stats on its admin port (started below)
    ServicesHost services = new ServicesHost(List.of("127.0.0.1:" + (lbPort + 1)));
    Master master = Master.start(mc, services::routes);
    services.metrics(master.metrics()); // the master's /metrics shows the scheduler's and the autoscaler's
    parts.add(master);
    String masterAddress = "127.0.0.1:" + master.port();
    try {
      master.elected().get(30, java.util.concurrent.TimeUnit.SECONDS); // alone on its ZooKeeper: at once
      services.start(masterAddress, master.zkConnect(), masterAddress);
    } catch (RuntimeException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      master.close();
      throw e instanceof RuntimeException re ? re : new IllegalStateException("the master was not elected: " + e, e);
    }
    parts.add(services);
    int cpus = Math.max(1, Runtime.getRuntime().availableProcessors() / agents);
    long memMb = physicalMemoryMb() / 2 / agents;
    StringBuilder agentLines = new StringBuilder();
    try {
      for (int i = 0; i < agents; i++) {
        long firstPort = firstTaskPort + i * 1000L;
        Resources r = Resources.parse("cpus:" + cpus + ";mem:" + Math.max(256, memMb) + ";disk:10240;ports:["
            + firstPort + "-" + (firstPort + 999) + "]");
        // Agent N is host 127.0.0.N (all loopback), so that hostname constraints see distinct hosts.
        String ip = "127.0.0." + (i + 1);
        Agent agent = Agent.start(new AgentConfig(masterAddress, ip, 0, dir.resolve("agent-" + (i + 1)), r,
            ip, Duration.ofSeconds(10), Duration.ofSeconds(3), null), io.mezzo.agent.isolation.IsolationConfig.defaults(),
            io.mezzo.agent.recovery.RecoveryMode.RECONNECT, io.mezzo.agent.user.TaskUserConfig.defaults(),
            io.mezzo.core.auth.Security.NONE, io.mezzo.core.auth.Caller.NONE, imageConfig);
        parts.add(agent);
        agentLines.append(String.format("  agent %d   http://%s:%d  %s  (work dir %s)%n",
            i + 1, ip, agent.port(), r, dir.resolve("agent-" + (i + 1))));
      }
    } catch (RuntimeException e) {
      for (int i = parts.size() - 1; i >= 0; i--) {
        parts.get(i).close();
      }
      throw e;
    }
    io.mezzo.balancer.Balancer lb = io.mezzo.balancer.Balancer.start(masterAddress, "127.0.0.1", lbPort, null, lbPort + 1);
    parts.add(lb);
    System.out.printf("Mezzo is up.%n"
        + "  master    http://%s  (state: http://%s/master/state, scheduler API: /api/v1/scheduler)%n"
        + "  zookeeper embedded, data in %s%n"
        + "%s"
        + "  services  http://%s/v2  (Marathon API: apps, tasks, deployments, events; autoscaler: /v1/autoscaler/apps)%n"
        + "  lb        127.0.0.1:" + lbPort + " for vhost routes, and each app's MEZZO_LB_PORT_n; metrics on :"
        + (lbPort + 1) + "/metrics and /stats%n"
        + "Dashboard: http://" + masterAddress + "/ui/%n"
        + "Try: ./mezzo app deploy examples/sample-server.json --wait%n"
        + "Ctrl-C stops the cluster and kills every task it started.%n",
        masterAddress, masterAddress, dir.resolve("master/zookeeper"), agentLines, masterAddress);
    return Daemon.runUntilStopped(parts.toArray(new AutoCloseable[0]));
  }

  private static long physicalMemoryMb() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getTotalMemorySize() / (1024 * 1024);
    }
    return 4096;
  }
}
