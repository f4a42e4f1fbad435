package io.mezzo.agent.ports;

import io.mezzo.core.model.RangeSet;
import io.mezzo.core.model.Resources;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a task may have the ports it was launched with: every port must lie in the agent's
 * {@code ports} ranges, appear once in the task, and not be held by another live task on this agent.
 * The master assigns ports from offers, so a refusal here means the master and agent disagree (a bug or
 * a stale launch); the agent then refuses the task rather than hand two tasks the same {@code PORT0}.
 *
 * <p>Pure: reads the values it is given, no I/O, no clock; immutable and thread-safe.
 */
public final class PortCheck {
  private final RangeSet agentPorts;

  /** @param agentResources everything the agent offers; its {@code ports} ranges are the pool */
  public PortCheck(Resources agentResources) {
    this.agentPorts = agentResources == null ? RangeSet.EMPTY : agentResources.ranges("ports");
  }

  /**
   * The problem with {@code requested}, naming the field, the port and what was expected; empty if
   * the task may run.
   *
   * @param requested the task's ports in the order it lists them
   * @param held the ports of every other live task on this agent, by task id
   */
  public Optional<String> problem(List<Long> requested, Map<String, List<Long>> held) {
    Set<Long> seen = new HashSet<>();
    for (long port : requested) {
      if (!agentPorts.contains(RangeSet.range(port, port))) {
        return Optional.of("resources.ports: " + port + " (expected: a port in this agent's ranges " + agentPorts + ")");
      }
      if (!seen.add(port)) {
        return Optional.of("resources.ports: " + port + " listed twice (expected: distinct ports)");
      }
    }
    for (Map.Entry<String, List<Long>> other : held.entrySet()) {
      for (long port : other.getValue()) {
        if (seen.contains(port)) {
          return Optional.of("resources.ports: " + port + " is held by task '" + other.getKey()
              + "' (expected: a port no live task on this agent holds)");
        }
      }
    }
    return Optional.empty();
  }
}
