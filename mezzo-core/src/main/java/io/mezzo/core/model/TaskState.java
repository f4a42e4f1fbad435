package io.mezzo.core.model;

/**
 * Task states as Mesos names them, and the one place that says which transitions are allowed.
 *
 * <p>Non-terminal states move forward (STAGING, STARTING, RUNNING, KILLING); any non-terminal state
 * may end in any terminal one; UNREACHABLE and UNKNOWN are non-terminal and may become any state once
 * the agent is heard from again. Terminal states never change.
 */
public enum TaskState {
  TASK_STAGING(0, false),
  TASK_STARTING(1, false),
  TASK_RUNNING(2, false),
  TASK_KILLING(3, false),
  TASK_FINISHED(9, true),
  TASK_FAILED(9, true),
  TASK_KILLED(9, true),
  TASK_ERROR(9, true),
  TASK_LOST(9, true),
  TASK_DROPPED(9, true),
  TASK_UNREACHABLE(-1, false),
  TASK_GONE(9, true),
  TASK_GONE_BY_OPERATOR(9, true),
  TASK_UNKNOWN(-1, false);

  private final int rank;
  private final boolean terminal;

  TaskState(int rank, boolean terminal) {
    this.rank = rank;
    this.terminal = terminal;
  }

  public boolean isTerminal() {
    return terminal;
  }

  /** Whether a task in this state may next be reported in {@code next}. */
  public boolean canBecome(TaskState next) {
    if (terminal) {
      return false;
    }
    if (next == this) {
      return true;
    }
    if (rank < 0 || next.terminal || next.rank < 0) {
      return true;
    }
    return next.rank > rank;
  }
}
