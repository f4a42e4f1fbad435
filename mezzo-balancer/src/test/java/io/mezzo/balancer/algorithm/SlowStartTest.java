package io.mezzo.balancer.algorithm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.time.Duration;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * The slow start multiplier: linear and aggressive ramps, warm backends, a backwards clock, validation
 * messages.
 */
class SlowStartTest {
  private static final long SECOND = 1_000_000_000L;

  /** A backend that joined at {@code joinedAt} (seconds) after a warm one. */
  private static Backend joinedAt(long joinedAt) {
    BackendSet initial = BackendSet.of(List.of(Fixtures.backend("warm", 1)));
    List<Backend> next = List.of(Fixtures.backend("warm", 1), Fixtures.backend("new", 2));
    return initial.next(next, joinedAt * SECOND).byId("new");
  }

  @Test
  void linearRampGoesFromTheMinimumToOneOverTheWindow() {
    SlowStart slowStart = SlowStart.linear(Duration.ofSeconds(30));
    Backend backend = joinedAt(100);
    assertThat(slowStart.factor(backend, 100 * SECOND)).isEqualTo(0.1);
    assertThat(slowStart.factor(backend, 102 * SECOND)).isEqualTo(0.1); // 2/30 is below the minimum
    assertThat(slowStart.factor(backend, 115 * SECOND)).isCloseTo(0.5, offset(1e-9));
    assertThat(slowStart.factor(backend, 127 * SECOND)).isCloseTo(0.9, offset(1e-9));
    assertThat(slowStart.factor(backend, 130 * SECOND)).isEqualTo(1.0);
    assertThat(slowStart.ramping(backend, 129 * SECOND)).isTrue();
    assertThat(slowStart.ramping(backend, 130 * SECOND)).isFalse();
  }

  @Test
  void aggressionAboveOneRampsFasterEarly() {
    SlowStart aggressive = new SlowStart(Duration.ofSeconds(30), 2.0, 0.1);
    Backend backend = joinedAt(0);
    assertThat(aggressive.factor(backend, 15 * SECOND)).isCloseTo(Math.sqrt(0.5), offset(1e-9));
    assertThat(aggressive.factor(backend, 30 * SECOND)).isEqualTo(1.0);
  }

  @Test
  void backendsPresentAtStartAndDisabledSlowStartAreNotRamped() {
    SlowStart slowStart = SlowStart.linear(Duration.ofSeconds(30));
    Backend warm = BackendSet.of(List.of(Fixtures.backend("warm", 1))).get(0);
    assertThat(slowStart.factor(warm, 0)).isEqualTo(1.0);
    assertThat(slowStart.ramping(warm, 0)).isFalse();
    assertThat(SlowStart.disabled().factor(joinedAt(0), 0)).isEqualTo(1.0);
  }

  @Property
  void theFactorNeverFallsAsTimePassesAndStaysBetweenTheMinimumAndOne(
      @ForAll @DoubleRange(min = 0.2, max = 5) double aggression,
      @ForAll @DoubleRange(min = 0.01, max = 1) double minimum,
      @ForAll @LongRange(min = 0, max = 40_000) long fromMillis,
      @ForAll @LongRange(min = 0, max = 40_000) long stepMillis) {
    SlowStart slowStart = new SlowStart(Duration.ofSeconds(30), aggression, minimum);
    Backend backend = joinedAt(0);
    double earlier = slowStart.factor(backend, fromMillis * 1_000_000L);
    double later = slowStart.factor(backend, (fromMillis + stepMillis) * 1_000_000L);
    assertThat(earlier).isBetween(minimum, 1.0);
    assertThat(later).isGreaterThanOrEqualTo(earlier).isLessThanOrEqualTo(1.0);
  }

  @Test
  void aClockGoingBackwardsGivesTheMinimum() {
    assertThat(SlowStart.linear(Duration.ofSeconds(30)).factor(joinedAt(10), 5 * SECOND)).isEqualTo(0.1);
  }

  @Test
  void invalidSettingsNameTheFieldAndTheExpectation() {
    assertThatThrownBy(() -> new SlowStart(Duration.ofSeconds(-1), 1, 0.1))
        .hasMessage("slowStart.window: PT-1S (expected: >= 0s, 0 disables)");
    assertThatThrownBy(() -> new SlowStart(Duration.ofSeconds(1), 0, 0.1))
        .hasMessage("slowStart.aggression: 0.0 (expected: > 0)");
    assertThatThrownBy(() -> new SlowStart(Duration.ofSeconds(1), 1, 1.5))
        .hasMessage("slowStart.minWeightFraction: 1.5 (expected: > 0 and <= 1)");
  }
}
