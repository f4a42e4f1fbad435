package io.mezzo.master.state;

import io.mezzo.core.http.HttpStream;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.model.OfferId;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.master.allocator.AllocationView;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The master's record of one subscribed framework. {@link #info} is hard state (persisted before
 * SUBSCRIBED is sent); the stream, offers and filters are soft state. Owned by the master loop
 * thread.
 */
public final class FrameworkEntry {
  /** How many finished tasks are kept for {@code /master/state}. */
  public static final int MAX_COMPLETED_TASKS = 1000;

  public final FrameworkId id;
  public FrameworkInfo info;
  public HttpStream stream;
  public String streamId;
  /** Roles the framework asked not to be offered resources for (SUPPRESS), until it REVIVEs them. */
  public final Set<String> suppressedRoles = new java.util.HashSet<>();
  public double registeredTime;
  public double unregisteredTime;
  /** Incremented on every (re)subscription, so that a stale failover timer can tell it is stale. */
  public long generation;
  public final Map<TaskId, TaskEntry> tasks = new LinkedHashMap<>();
  public final Deque<TaskEntry> completed = new ArrayDeque<>();
  public final Set<OfferId> offers = new LinkedHashSet<>();
  public final Map<AgentId, AllocationView.Filter> filters = new HashMap<>();
  /** Executors of the framework's live task groups, by executor id. */
  public final Map<String, ExecutorEntry> executors = new HashMap<>();
  /** What the framework holds per role: resources of its live tasks plus its outstanding offers. */
  public final Map<String, Resources> allocated = new HashMap<>();

  public FrameworkEntry(FrameworkId id, FrameworkInfo info) {
    this.id = id;
    this.info = info;
  }

  public boolean isConnected() {
    return stream != null && stream.isOpen();
  }

  /** The roles the framework subscribed under: {@code roles} for MULTI_ROLE frameworks, else its one role. */
  public java.util.List<String> roles() {
    return rolesOf(info);
  }

  /** The roles {@code info} subscribes under. */
  public static java.util.List<String> rolesOf(FrameworkInfo info) {
    if (info.hasCapability("MULTI_ROLE") && info.roles() != null && !info.roles().isEmpty()) {
      return info.roles();
    }
    return java.util.List.of(info.role() == null || info.role().isEmpty() ? "*" : info.role());
  }

  /** True when every role of the framework is suppressed. */
  public boolean suppressed() {
    return suppressedRoles.containsAll(roles());
  }

  public boolean partitionAware() {
    return info.hasCapability("PARTITION_AWARE");
  }

  /** Adds {@code r} to what the framework holds under {@code role}. */
  public void hold(String role, Resources r) {
    allocated.merge(role, r, Resources::plus);
  }

  /** Removes {@code r} from what the framework holds under {@code role}. */
  public void release(String role, Resources r) {
    Resources left = allocated.getOrDefault(role, Resources.EMPTY).minus(r);
    if (left.isEmpty()) {
      allocated.remove(role);
    } else {
      allocated.put(role, left);
    }
  }

  public void complete(TaskEntry task) {
    tasks.remove(task.info.taskId());
    completed.addLast(task);
    while (completed.size() > MAX_COMPLETED_TASKS) {
      completed.removeFirst();
    }
  }
}
