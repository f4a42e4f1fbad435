package io.mezzo.services.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@link LaunchBackoff}: Marathon's restart delay, driven by explicit times. */
class LaunchBackoffTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void initialAllowsLaunchesAtAnyTime() {
    LaunchBackoff b = LaunchBackoff.initial();

    assertThat(b.failures()).isZero();
    assertThat(b.delay()).isEqualTo(Duration.ZERO);
    assertThat(b.allowsLaunchAt(Instant.MIN)).isTrue();
    assertThat(b.launchAllowedAt()).isEqualTo(Instant.MIN);
  }

  @Test
  void firstFailureDelaysByBackoffSeconds() {
    LaunchBackoff b = LaunchBackoff.initial().afterFailure(T0, 2.5, 2.0, 60);

    assertThat(b.failures()).isEqualTo(1);
    assertThat(b.delay()).isEqualTo(Duration.ofMillis(2500));
    assertThat(b.launchAllowedAt()).isEqualTo(T0.plusMillis(2500));
  }

  @Test
  void backoffGrowsByFactorUpToTheCap() {
    LaunchBackoff b = LaunchBackoff.initial();
    long[] expected = {1, 2, 4, 8, 10, 10};
    for (int i = 0; i < expected.length; i++) {
      b = b.afterFailure(T0.plusSeconds(i), 1, 2, 10);
      assertThat(b.delay()).as("delay after failure %d", i + 1).isEqualTo(Duration.ofSeconds(expected[i]));
    }
    assertThat(b.failures()).isEqualTo(6);
  }

  @Test
  void fractionalFactorsKeepSubSecondPrecision() {
    LaunchBackoff b = LaunchBackoff.initial().afterFailure(T0, 1, 1.15, 3600).afterFailure(T0, 1, 1.15, 3600);

    assertThat(b.delay()).isEqualTo(Duration.ofMillis(1150));
  }

  @Test
  void firstDelayIsCappedToo() {
    assertThat(LaunchBackoff.initial().afterFailure(T0, 30, 2, 5).delay()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void launchIsAllowedOnceTheDelayHasPassed() {
    LaunchBackoff b = LaunchBackoff.initial().afterFailure(T0, 3, 2, 60);

    assertThat(b.allowsLaunchAt(T0)).isFalse();
    assertThat(b.allowsLaunchAt(T0.plusMillis(2999))).isFalse();
    assertThat(b.timeLeftAt(T0.plusSeconds(1))).isEqualTo(Duration.ofSeconds(2));
    assertThat(b.allowsLaunchAt(T0.plusSeconds(3))).isTrue();
    assertThat(b.timeLeftAt(T0.plusSeconds(4))).isEqualTo(Duration.ZERO);
  }

  @Test
  void delayCountsFromTheLatestFailure() {
    LaunchBackoff b = LaunchBackoff.initial().afterFailure(T0, 1, 2, 60).afterFailure(T0.plusSeconds(30), 1, 2, 60);

    assertThat(b.launchAllowedAt()).isEqualTo(T0.plusSeconds(32));
  }

  @Test
  void aFailureLongAfterThePreviousOneStartsOver() {
    LaunchBackoff b = LaunchBackoff.initial().afterFailure(T0, 1, 2, 10).afterFailure(T0, 1, 2, 10);
    assertThat(b.delay()).isEqualTo(Duration.ofSeconds(2));

    assertThat(b.afterFailure(T0.plusSeconds(10), 1, 2, 10).delay()).as("within maxLaunchDelay: grows")
        .isEqualTo(Duration.ofSeconds(4));
    assertThat(b.afterFailure(T0.plusSeconds(11), 1, 2, 10).delay()).as("beyond maxLaunchDelay: forgotten")
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void resetForgetsEveryFailure() {
    LaunchBackoff b = LaunchBackoff.initial().afterFailure(T0, 5, 2, 60).afterFailure(T0, 5, 2, 60).reset();

    assertThat(b).isEqualTo(LaunchBackoff.initial());
    assertThat(b.allowsLaunchAt(T0)).isTrue();
    assertThat(b.afterFailure(T0, 5, 2, 60).delay()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void hugeDelaysSaturateInsteadOfOverflowing() {
    LaunchBackoff b = LaunchBackoff.initial().afterFailure(T0, 1e15, 1, Long.MAX_VALUE);

    assertThat(b.allowsLaunchAt(T0.plusSeconds(1_000_000))).isFalse();
    assertThat(LaunchBackoff.initial().afterFailure(Instant.MAX.minusSeconds(1), 10, 1, 10).launchAllowedAt())
        .isEqualTo(Instant.MAX);
  }

  @Test
  void invalidSettingsAreRejectedNamingTheField() {
    LaunchBackoff b = LaunchBackoff.initial();
    assertThatThrownBy(() -> b.afterFailure(T0, -1, 2, 10)).hasMessage("backoffSeconds: -1.0 (expected: >= 0)");
    assertThatThrownBy(() -> b.afterFailure(T0, 1, 0.5, 10)).hasMessage("backoffFactor: 0.5 (expected: >= 1)");
    assertThatThrownBy(() -> b.afterFailure(T0, 1, 2, -3))
        .hasMessage("maxLaunchDelaySeconds: -3 (expected: >= 0)");
  }
}
