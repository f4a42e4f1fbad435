package io.mezzo.services.instance;

/**
 * The life of one instance (one Mesos task) of an app, as the services scheduler tracks it.
 *
 * <p>{@code PROVISIONED}: the launch was recorded and sent, no status yet. {@code STAGING},
 * {@code STARTING}, {@code RUNNING}: as the agent reports them. {@code DRAINING}: chosen for removal
 * (scale-in, upgrade, kill request); still running and serving, killed once its drain period ends.
 * {@code KILLING}: the kill was sent. {@code UNREACHABLE}: its agent is unreachable; it may come back.
 * The rest are terminal: the instance is gone and is kept only until it is expunged.
 */
public enum InstanceState {
  PROVISIONED,
  STAGING,
  STARTING,
  RUNNING,
  DRAINING,
  KILLING,
  UNREACHABLE,
  FINISHED,
  FAILED,
  KILLED,
  ERROR,
  GONE;

  /** True when the task no longer runs and never will. */
  public boolean isTerminal() {
    return ordinal() >= FINISHED.ordinal();
  }

  /** True while the instance counts towards its app's instances (not leaving, not gone, reachable). */
  public boolean isActive() {
    return this == PROVISIONED || this == STAGING || this == STARTING || this == RUNNING;
  }

  /** The Mesos task state name Marathon clients expect in {@code /v2/tasks}. */
  public String mesosName() {
    return switch (this) {
      case PROVISIONED, STAGING -> "TASK_STAGING";
      case STARTING -> "TASK_STARTING";
      case RUNNING, DRAINING -> "TASK_RUNNING";
      case KILLING -> "TASK_KILLING";
      case UNREACHABLE -> "TASK_UNREACHABLE";
      case FINISHED -> "TASK_FINISHED";
      case FAILED -> "TASK_FAILED";
      case KILLED -> "TASK_KILLED";
      case ERROR -> "TASK_ERROR";
      case GONE -> "TASK_GONE";
    };
  }
}
