package io.mezzo.testkit.sim;

import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskStatus;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;

/**
 * A task on a simulated agent: no process, only its status updates. {@link #pending} holds the
 * updates not yet acknowledged, oldest first; only the head is in flight, as the real agent's status
 * update manager does. Owned by the agent's shard loop.
 */
final class SimTask {
  final FrameworkId frameworkId;
  final TaskInfo info;
  final ArrayDeque<TaskStatus> pending = new ArrayDeque<>(2);
  TaskStatus latest;
  ScheduledFuture<?> finish;
  /** UPDATE calls of this task queued or in flight in the call pool (a retry waits until they are answered). */
  int unanswered;

  SimTask(FrameworkId frameworkId, TaskInfo info) {
    this.frameworkId = frameworkId;
    this.info = info;
  }

  boolean isTerminal() {
    return latest != null && latest.state().isTerminal();
  }
}
