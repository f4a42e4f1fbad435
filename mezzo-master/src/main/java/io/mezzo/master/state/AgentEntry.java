package io.mezzo.master.state;

import io.mezzo.core.http.HttpStream;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.AgentInfo;
import io.mezzo.core.model.OfferId;
import io.mezzo.core.model.Resources;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The master's record of one admitted agent. Its admission ({@link #info}) is hard state, persisted
 * before the agent hears SUBSCRIBED; everything else (connection, heartbeat time, usage) is soft
 * state rebuilt from the agent. Owned by the master loop thread.
 */
public final class AgentEntry {
  /** Connection state as the master sees it. */
  public enum Status {
    /** Subscribed with an open event stream. */
    ACTIVE,
    /** Stream closed; still within the heartbeat timeout, resources not offered. */
    DISCONNECTED,
    /** Missed too many heartbeats; its tasks were reported unreachable or lost. */
    UNREACHABLE
  }

  public final AgentId id;
  public AgentInfo info;
  public Resources total;
  public Resources used = Resources.EMPTY;
  public Resources offered = Resources.EMPTY;
  public Status status = Status.ACTIVE;
  public HttpStream stream;
  public long lastHeartbeatNanos;
  public double registeredTime;
  public double reregisteredTime;
  /** Tasks the master tracks on this agent that are not yet completed (an index over frameworks' tasks). */
  public final Set<TaskEntry> tasks = new LinkedHashSet<>();
  /** Outstanding offers of this agent's resources. */
  public final Set<OfferId> offers = new LinkedHashSet<>();
  /**
   * Dynamic reservations made on this agent through RESERVE (hard state, in ZooKeeper); part of
   * {@link #total}, which the agent advertises unreserved.
   */
  public Resources dynamicReservations = Resources.EMPTY;
  /**
   * The running tasks' usage as of the agent's last HEARTBEAT that carried any (soft state, never
   * persisted; empty until then and after the agent reregisters).
   */
  public java.util.List<io.mezzo.core.agentapi.AgentCall.TaskUsage> usage = java.util.List.of();
  /** Whether {@link #total} is counted in the cluster total the allocator shares against. */
  public boolean countedInTotal;

  public AgentEntry(AgentId id, AgentInfo info) {
    this.id = id;
    this.info = info;
    this.total = Resources.of(info.resources());
  }

  // The last available() result and the values it was computed from: allocation cycles ask every
  // agent, most of which did not change since the previous cycle.
  private Resources availableOf;
  private Resources availableTotal;
  private Resources availableUsed;
  private Resources availableOffered;

  /** Total minus used minus offered; recomputed only when one of the three was replaced. */
  public Resources available() {
    if (availableOf == null || total != availableTotal || used != availableUsed || offered != availableOffered) {
      availableTotal = total;
      availableUsed = used;
      availableOffered = offered;
      availableOf = total.minus(used).minus(offered);
    }
    return availableOf;
  }

  public boolean isActive() {
    return status == Status.ACTIVE && stream != null && stream.isOpen();
  }
}
