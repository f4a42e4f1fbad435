package io.mezzo.balancer.health;

import java.util.Objects;

/**
 * Rise/fall for the balancer's own active health checks: {@code rise} consecutive passing checks bring a
 * DOWN backend UP, {@code fall} consecutive failing checks take an UP backend DOWN (HAProxy's
 * {@code rise}/{@code fall}, defaults 2 and 3).
 *
 * <p>Pure: {@link #onCheck} maps a state and a check result to the next state and says whether the status
 * changed and why. A check that agrees with the status clears the opposite streak; one that disagrees
 * extends it. Unlike HAProxy's single up/down counter, a streak is strictly consecutive: one passing check
 * in the middle of failures starts the count again, which is what the brief and the docs of most
 * balancers promise.
 *
 * <p>New backends start as the caller says ({@link #initial}): UP when the scheduler already reported them
 * healthy (their health checks passed), DOWN otherwise until {@code rise} checks pass.
 *
 * <p>Thread safety: immutable; states are values. The owner (the health checker's event loop) keeps the
 * current state per backend and replaces it with {@link Transition#state()}.
 */
public final class ActiveHealth {

  /** Whether the balancer's checks consider a backend routable. */
  public enum Status { UP, DOWN }

  /**
   * A backend's check state.
   *
   * @param passes consecutive passing checks while DOWN (toward {@code rise}); 0 when UP
   * @param failures consecutive failing checks while UP (toward {@code fall}); 0 when DOWN
   * @param reason why the status is what it is, for logs and the stats endpoint
   */
  public record State(Status status, int passes, int failures, String reason) {
    public State {
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(reason, "reason");
    }

    public boolean isUp() {
      return status == Status.UP;
    }
  }

  /** The next state and whether the status flipped (then {@code state.reason()} says why). */
  public record Transition(State state, boolean changed) {
  }

  private final int rise;
  private final int fall;

  private ActiveHealth(int rise, int fall) {
    this.rise = rise;
    this.fall = fall;
  }

  /** Rise/fall with the given streak lengths, both {@code >= 1}. */
  public static ActiveHealth of(int rise, int fall) {
    if (rise < 1) {
      throw new IllegalArgumentException("rise: " + rise + " (expected: >= 1)");
    }
    if (fall < 1) {
      throw new IllegalArgumentException("fall: " + fall + " (expected: >= 1)");
    }
    return new ActiveHealth(rise, fall);
  }

  /** HAProxy's defaults: rise 2, fall 3. */
  public static ActiveHealth defaults() {
    return of(2, 3);
  }

  public int rise() {
    return rise;
  }

  public int fall() {
    return fall;
  }

  /** The state of a newly discovered backend. */
  public State initial(boolean reportedHealthy) {
    return reportedHealthy
        ? new State(Status.UP, 0, 0, "reported healthy when discovered")
        : new State(Status.DOWN, 0, 0, "new backend: waiting for " + rise + " passing checks (rise " + rise + ")");
  }

  /**
   * The state after one check.
   *
   * @param detail what the check saw (e.g. {@code "HTTP 200"}, {@code "connection refused"}), kept in
   *     the reason when the status changes
   */
  public Transition onCheck(State state, boolean passed, String detail) {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(detail, "detail");
    if (state.isUp()) {
      if (passed) {
        return state.failures() == 0 ? new Transition(state, false)
            : new Transition(new State(Status.UP, 0, 0, state.reason()), false);
      }
      int failures = state.failures() + 1;
      if (failures >= fall) {
        return new Transition(new State(Status.DOWN, 0, 0,
            failures + " consecutive checks failed (fall " + fall + "): " + detail), true);
      }
      return new Transition(new State(Status.UP, 0, failures, state.reason()), false);
    }
    if (!passed) {
      return state.passes() == 0 ? new Transition(state, false)
          : new Transition(new State(Status.DOWN, 0, 0, state.reason()), false);
    }
    int passes = state.passes() + 1;
    if (passes >= rise) {
      return new Transition(new State(Status.UP, 0, 0,
          passes + " consecutive checks passed (rise " + rise + "): " + detail), true);
    }
    return new Transition(new State(Status.DOWN, passes, 0, state.reason()), false);
  }
}
