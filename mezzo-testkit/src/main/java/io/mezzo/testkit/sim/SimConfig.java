package io.mezzo.testkit.sim;

import io.mezzo.core.model.Resources;
import java.time.Duration;

/**
 * How a {@link Simulation} runs; validated when built.
 *
 * @param master the master's {@code HOST:PORT}
 * @param agents how many simulated agents to host
 * @param agentResources what each agent advertises, in the agent's {@code --resources} syntax
 * @param sourceAddresses how many loopback source addresses (127.0.0.2, 127.0.0.3, ...) the agents'
 *     subscription sockets are spread over, so that tens of thousands of them do not exhaust one
 *     address's ephemeral ports; 0 picks one per 20,000 agents. Unused when the master is not on
 *     loopback.
 * @param taskDuration how long a launched task "runs" before the agent reports TASK_FINISHED
 * @param statusRetryInterval how often an unacknowledged status update is sent again (the real
 *     agent's default is 10 s)
 * @param taskCpus cpus of each task the simulated frameworks launch
 * @param taskMem mem (MB) of each task the simulated frameworks launch
 * @param threads event loops (each owns a shard of the agents and frameworks)
 * @param callConnections keep-alive connections per shard for agent calls, and as many again for
 *     framework calls
 * @param maxSubscribing SUBSCRIBE calls in flight at once per shard (the rest queue)
 * @param maxLaunching tasks each framework may have between ACCEPT and TASK_RUNNING (it launches
 *     fewer, or declines, at that bound); 0 for no bound: every offer is filled
 */
public record SimConfig(
    String master,
    int agents,
    String agentResources,
    int sourceAddresses,
    Duration taskDuration,
    Duration statusRetryInterval,
    double taskCpus,
    double taskMem,
    int threads,
    int callConnections,
    int maxSubscribing,
    int maxLaunching) {

  public SimConfig {
    if (master == null || !master.matches("[^:]+:\\d{1,5}")) {
      throw new IllegalArgumentException("master: '" + master + "' (expected: HOST:PORT)");
    }
    if (agents < 0) {
      throw new IllegalArgumentException("agents: " + agents + " (expected: >= 0)");
    }
    Resources advertised = Resources.parse(agentResources);
    if (advertised.scalar("cpus") < taskCpus || advertised.scalar("mem") < taskMem) {
      throw new IllegalArgumentException("agent resources: '" + agentResources + "' (expected: room for one task of "
          + taskCpus + " cpus and " + taskMem + " MB)");
    }
    if (sourceAddresses < 0 || sourceAddresses > 250) {
      throw new IllegalArgumentException("source addresses: " + sourceAddresses + " (expected: 0..250)");
    }
    if (sourceAddresses == 0) {
      sourceAddresses = Math.max(1, (agents + 19_999) / 20_000);
    }
    requirePositive("task duration", taskDuration);
    requirePositive("status retry interval", statusRetryInterval);
    if (!(taskCpus > 0) || !(taskMem > 0)) {
      throw new IllegalArgumentException("task resources: cpus " + taskCpus + ", mem " + taskMem + " (expected: > 0)");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
    }
    if (callConnections < 1) {
      throw new IllegalArgumentException("call connections: " + callConnections + " (expected: >= 1)");
    }
    if (maxSubscribing < 1) {
      throw new IllegalArgumentException("max subscribing: " + maxSubscribing + " (expected: >= 1)");
    }
    if (maxLaunching < 0) {
      throw new IllegalArgumentException("max launching: " + maxLaunching + " (expected: >= 0, 0 for no bound)");
    }
  }

  /**
   * {@code agents} agents of {@code cpus:8;mem:32768;disk:100000;ports:[31000-32000]}, tasks of 0.1
   * cpus and 32 MB that run 10 s, 10 s status retries, 2 threads, 128 call connections and 256
   * concurrent SUBSCRIBEs per shard, frameworks filling every offer.
   */
  public static SimConfig defaults(String master, int agents) {
    return new SimConfig(master, agents, "cpus:8;mem:32768;disk:100000;ports:[31000-32000]", 0,
        Duration.ofSeconds(10), Duration.ofSeconds(10), 0.1, 32, 2, 128, 256, 0);
  }

  public SimConfig withTaskDuration(Duration d) {
    return new SimConfig(master, agents, agentResources, sourceAddresses, d, statusRetryInterval, taskCpus, taskMem,
        threads, callConnections, maxSubscribing, maxLaunching);
  }

  public SimConfig withStatusRetryInterval(Duration d) {
    return new SimConfig(master, agents, agentResources, sourceAddresses, taskDuration, d, taskCpus, taskMem,
        threads, callConnections, maxSubscribing, maxLaunching);
  }

  public SimConfig withAgentResources(String resources) {
    return new SimConfig(master, agents, resources, sourceAddresses, taskDuration, statusRetryInterval, taskCpus, taskMem,
        threads, callConnections, maxSubscribing, maxLaunching);
  }

  public SimConfig withThreads(int n, int connectionsPerShard) {
    return new SimConfig(master, agents, agentResources, sourceAddresses, taskDuration, statusRetryInterval, taskCpus,
        taskMem, n, connectionsPerShard, maxSubscribing, maxLaunching);
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
    }
  }
}
