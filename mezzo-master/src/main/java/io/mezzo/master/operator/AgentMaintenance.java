package io.mezzo.master.operator;

/**
 * An operator's maintenance order for one agent: hard state, persisted in ZooKeeper before the
 * operator is answered and recovered on master start. An agent with no order is in normal service.
 * Immutable.
 *
 * @param mode what the agent may do
 * @param maxGracePeriodNanos for a drain, the longest kill grace period its tasks get (null: the
 *     master's default kill grace period)
 * @param markGone for a drain, whether the agent is marked gone once drained
 */
public record AgentMaintenance(Mode mode, Long maxGracePeriodNanos, boolean markGone) {
  /** Maintenance modes; every one of them keeps the agent out of offers. */
  public enum Mode {
    /** No offers; tasks keep running. */
    DEACTIVATED,
    /** No offers; its tasks are being killed. */
    DRAINING,
    /** No offers, no tasks left. */
    DRAINED,
    /** Drained with {@code mark_gone}: removed, and refused if it subscribes again. */
    GONE
  }

  public AgentMaintenance {
    if (mode == null) {
      throw new IllegalArgumentException("mode: missing (expected: one of DEACTIVATED, DRAINING, DRAINED, GONE)");
    }
    if (maxGracePeriodNanos != null && maxGracePeriodNanos < 0) {
      throw new IllegalArgumentException("max_grace_period: " + maxGracePeriodNanos + " ns (expected: >= 0)");
    }
  }

  public static AgentMaintenance deactivated() {
    return new AgentMaintenance(Mode.DEACTIVATED, null, false);
  }

  public AgentMaintenance withMode(Mode next) {
    return new AgentMaintenance(next, maxGracePeriodNanos, markGone);
  }

  public boolean inDrain() {
    return mode == Mode.DRAINING || mode == Mode.DRAINED;
  }
}
