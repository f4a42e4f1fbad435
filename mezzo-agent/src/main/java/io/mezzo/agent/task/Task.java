package io.mezzo.agent.task;

import io.mezzo.agent.status.UpdateStream;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskStatus;
import java.nio.file.Path;
import java.util.concurrent.ScheduledFuture;

/**
 * One task the agent tracks: what was launched, its process, and the latest status it reported.
 *
 * <p>Invariants: {@code latest} only moves along {@link io.mezzo.core.model.TaskState#canBecome};
 * {@code pid > 1} once spawned and is also the task's process group id; {@code exited} is set once the
 * process is gone and its group was killed. Owner: the agent loop ({@link TaskManager}).
 */
final class Task {
  final FrameworkId frameworkId;
  final TaskInfo info;
  final Resources resources;
  final UpdateStream updates;
  TaskStatus latest;
  Path sandbox;
  io.mezzo.agent.recovery.TaskCheckpoint checkpoint;
  Process process;
  /** The user the command runs as, or null when the agent does not choose users. */
  io.mezzo.agent.user.TaskUsers.Choice runAs;
  long pid;
  boolean exited;
  boolean killRequested;
  ScheduledFuture<?> escalation;
  /** Health checks and checks being run for this task, or null. */
  io.mezzo.agent.health.TaskChecks.Running checks;
  /** Why the task was killed for failing its health checks, or null. */
  String unhealthy;
  /** Isolation (owned with the rest; see {@link io.mezzo.agent.isolation.Isolator}). */
  String containerId;
  io.mezzo.agent.isolation.Limits limits;
  /** Set when the isolator reported the task out of memory; the exit is then reported with it. */
  String limitation;
  io.mezzo.agent.isolation.Usage lastUsage;
  double cpusUsed;
  /** The container the task asked for, or null for a plain command task. */
  io.mezzo.core.model.ContainerInfo container;
  /** The runc container's name once its bundle is made, or null. */
  String ociId;

  Task(FrameworkId frameworkId, TaskInfo info, Resources resources, UpdateStream updates) {
    this.frameworkId = frameworkId;
    this.info = info;
    this.resources = resources;
    this.updates = updates;
  }

  /** Whether the process was started and has not been seen to exit. */
  boolean isLive() {
    return process != null && !exited;
  }
}
