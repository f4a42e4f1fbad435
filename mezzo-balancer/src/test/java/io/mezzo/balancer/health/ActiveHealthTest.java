package io.mezzo.balancer.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.balancer.health.ActiveHealth.State;
import io.mezzo.balancer.health.ActiveHealth.Status;
import io.mezzo.balancer.health.ActiveHealth.Transition;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ActiveHealthTest {

  private final ActiveHealth health = ActiveHealth.of(2, 3);

  private State run(State state, boolean... checks) {
    for (boolean passed : checks) {
      state = health.onCheck(state, passed, passed ? "HTTP 200" : "connection refused").state();
    }
    return state;
  }

  @Test
  void newBackendsStartDownUnlessReportedHealthy() {
    assertThat(health.initial(false).status()).isEqualTo(Status.DOWN);
    assertThat(health.initial(false).reason()).isEqualTo("new backend: waiting for 2 passing checks (rise 2)");
    assertThat(health.initial(true).status()).isEqualTo(Status.UP);
  }

  @Test
  void riseConsecutiveSuccessesBringABackendUp() {
    State once = run(health.initial(false), true);
    assertThat(once.status()).isEqualTo(Status.DOWN);

    Transition t = health.onCheck(once, true, "HTTP 200");

    assertThat(t.changed()).isTrue();
    assertThat(t.state().status()).isEqualTo(Status.UP);
    assertThat(t.state().reason()).isEqualTo("2 consecutive checks passed (rise 2): HTTP 200");
  }

  @Test
  void fallConsecutiveFailuresTakeABackendDown() {
    State twice = run(health.initial(true), false, false);
    assertThat(twice.status()).isEqualTo(Status.UP);

    Transition t = health.onCheck(twice, false, "connection refused");

    assertThat(t.changed()).isTrue();
    assertThat(t.state().status()).isEqualTo(Status.DOWN);
    assertThat(t.state().reason()).isEqualTo("3 consecutive checks failed (fall 3): connection refused");
  }

  @Test
  void aPassBetweenFailuresRestartsTheFallCount() {
    State state = run(health.initial(true), false, false, true, false, false);

    assertThat(state.status()).isEqualTo(Status.UP);
    assertThat(state.failures()).isEqualTo(2);
  }

  @Test
  void aFailureBetweenPassesRestartsTheRiseCount() {
    State state = run(health.initial(false), true, false, true);

    assertThat(state.status()).isEqualTo(Status.DOWN);
    assertThat(run(state, true).status()).isEqualTo(Status.UP);
  }

  @Test
  void checksThatAgreeWithTheStatusChangeNothing() {
    State up = health.initial(true);
    Transition t = health.onCheck(up, true, "HTTP 200");

    assertThat(t.changed()).isFalse();
    assertThat(t.state()).isEqualTo(up);
  }

  @Test
  void riseAndFallMustBePositive() {
    assertThatThrownBy(() -> ActiveHealth.of(0, 3)).hasMessage("rise: 0 (expected: >= 1)");
    assertThatThrownBy(() -> ActiveHealth.of(2, -1)).hasMessage("fall: -1 (expected: >= 1)");
  }

  /** The status flips exactly when the last {@code rise} (or {@code fall}) checks all disagree with it. */
  @Property
  void statusFlipsExactlyAfterAStreakOfTheThresholdLength(
      @ForAll @IntRange(min = 1, max = 5) int rise,
      @ForAll @IntRange(min = 1, max = 5) int fall,
      @ForAll boolean startHealthy,
      @ForAll @Size(max = 100) List<Boolean> checks) {
    ActiveHealth h = ActiveHealth.of(rise, fall);
    State state = h.initial(startHealthy);
    int streak = 0; // checks in a row that disagree with the current status
    for (boolean passed : checks) {
      boolean disagrees = passed != state.isUp();
      streak = disagrees ? streak + 1 : 0;
      Transition t = h.onCheck(state, passed, "x");
      int threshold = state.isUp() ? fall : rise;
      assertThat(t.changed()).isEqualTo(streak == threshold);
      assertThat(t.state().isUp() != state.isUp()).isEqualTo(t.changed());
      if (t.changed()) {
        streak = 0;
      }
      state = t.state();
    }
  }
}
