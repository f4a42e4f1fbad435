package io.mezzo.agent.status;

import io.mezzo.agent.recovery.TaskCheckpoint;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskStatus;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;

/**
 * The ordered updates of one task still to be acknowledged; the head is the one in flight. Made by
 * {@link StatusUpdateManager#open} and changed only by it.
 *
 * <p>Invariants: updates are appended in the order they were made; nothing follows a terminal update;
 * once the terminal update is acknowledged the stream is closed and accepts nothing more. Owner: the
 * agent loop.
 */
public final class UpdateStream {
  final FrameworkId frameworkId;
  final TaskId taskId;
  final Runnable onTerminalAcknowledged;
  final ArrayDeque<TaskStatus> pending = new ArrayDeque<>();
  final TaskCheckpoint checkpoint;
  ScheduledFuture<?> retry;
  long backoffMs;
  boolean terminalQueued;
  boolean closed;

  UpdateStream(FrameworkId frameworkId, TaskId taskId, Runnable onTerminalAcknowledged,
      TaskCheckpoint checkpoint) {
    this.checkpoint = checkpoint;
    this.frameworkId = frameworkId;
    this.taskId = taskId;
    this.onTerminalAcknowledged = onTerminalAcknowledged;
  }

  public FrameworkId frameworkId() {
    return frameworkId;
  }

  public TaskId taskId() {
    return taskId;
  }

  /** How many updates wait for their acknowledgement, the head included. */
  public int pendingCount() {
    return pending.size();
  }

  public boolean isClosed() {
    return closed;
  }
}
