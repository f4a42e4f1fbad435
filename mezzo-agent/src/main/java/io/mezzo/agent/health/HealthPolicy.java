package io.mezzo.agent.health;

import java.time.Duration;

/**
 * Decides what a health check result means, as Mesos does: a success resets the failure count and ends
 * the grace period; a failure within the grace period before the first success is ignored; otherwise
 * failures are counted and the task is to be killed when {@code consecutive_failures} are reached.
 * Only changes of health are reported (the first result, healthy to unhealthy and back), so that a
 * steady task does not fill its update stream.
 *
 * <p>Pure: no clock, no I/O; the caller passes the time since the launch and keeps the state.
 */
public final class HealthPolicy {
  private HealthPolicy() {}

  /**
   * What the policy remembers between results. Immutable.
   *
   * @param reported the health last reported, or null before the first report
   */
  public record State(int consecutiveFailures, boolean everHealthy, Boolean reported) {
    public static final State INITIAL = new State(0, false, null);
  }

  /**
   * What to do after one result.
   *
   * @param report the health to report in a status update, or null to report nothing
   * @param kill whether the task must now be killed
   */
  public record Decision(State next, Boolean report, boolean kill) {}

  public static Decision next(State state, boolean success, Duration sinceLaunch, ProbeSpec spec) {
    if (success) {
      State next = new State(0, true, Boolean.TRUE);
      return new Decision(next, Boolean.TRUE.equals(state.reported()) ? null : Boolean.TRUE, false);
    }
    if (!state.everHealthy() && sinceLaunch.compareTo(spec.gracePeriod()) < 0) {
      return new Decision(state, null, false); // still starting up
    }
    int failures = state.consecutiveFailures() + 1;
    State next = new State(failures, state.everHealthy(), Boolean.FALSE);
    return new Decision(next, Boolean.FALSE.equals(state.reported()) ? null : Boolean.FALSE,
        failures >= spec.consecutiveFailures());
  }
}
