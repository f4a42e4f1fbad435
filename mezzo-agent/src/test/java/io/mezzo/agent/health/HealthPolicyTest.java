package io.mezzo.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.model.CheckInfo;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.HealthCheck;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The health decision alone: grace, counting, reporting only changes, killing. */
class HealthPolicyTest {
  private static final ProbeSpec SPEC = ProbeSpec.of(new HealthCheck(CheckInfo.Type.COMMAND, null, null,
      CommandInfo.shell("true"), 0.0, 1.0, 1.0, 3, 10.0));

  @Test
  void failuresWithinTheGracePeriodAreIgnoredUntilTheFirstSuccess() {
    HealthPolicy.Decision d = HealthPolicy.next(HealthPolicy.State.INITIAL, false, Duration.ofSeconds(9), SPEC);
    assertThat(d.report()).isNull();
    assertThat(d.kill()).isFalse();
    assertThat(d.next()).isEqualTo(HealthPolicy.State.INITIAL);
  }

  @Test
  void aSuccessEndsTheGracePeriodEarly() {
    HealthPolicy.State healthy = HealthPolicy.next(HealthPolicy.State.INITIAL, true, Duration.ofSeconds(1), SPEC).next();
    HealthPolicy.Decision d = HealthPolicy.next(healthy, false, Duration.ofSeconds(2), SPEC);
    assertThat(d.report()).isFalse();
    assertThat(d.next().consecutiveFailures()).isEqualTo(1);
  }

  @Test
  void consecutiveFailuresReachingTheLimitKillAndOnlyTheFirstFailureIsReported() {
    HealthPolicy.State s = HealthPolicy.State.INITIAL;
    HealthPolicy.Decision first = HealthPolicy.next(s, false, Duration.ofSeconds(11), SPEC);
    HealthPolicy.Decision second = HealthPolicy.next(first.next(), false, Duration.ofSeconds(12), SPEC);
    HealthPolicy.Decision third = HealthPolicy.next(second.next(), false, Duration.ofSeconds(13), SPEC);

    assertThat(first.report()).isFalse();
    assertThat(second.report()).isNull();
    assertThat(third.report()).isNull();
    assertThat(first.kill()).isFalse();
    assertThat(second.kill()).isFalse();
    assertThat(third.kill()).isTrue();
    assertThat(third.next().consecutiveFailures()).isEqualTo(3);
  }

  @Test
  void aSuccessBetweenFailuresResetsTheCountAndIsReportedOnce() {
    HealthPolicy.State s = HealthPolicy.next(HealthPolicy.State.INITIAL, true, Duration.ofSeconds(20), SPEC).next();
    s = HealthPolicy.next(s, false, Duration.ofSeconds(21), SPEC).next();
    s = HealthPolicy.next(s, false, Duration.ofSeconds(22), SPEC).next();
    HealthPolicy.Decision recovered = HealthPolicy.next(s, true, Duration.ofSeconds(23), SPEC);
    HealthPolicy.Decision steady = HealthPolicy.next(recovered.next(), true, Duration.ofSeconds(24), SPEC);
    HealthPolicy.Decision failsAgain = HealthPolicy.next(steady.next(), false, Duration.ofSeconds(25), SPEC);

    assertThat(recovered.report()).isTrue();
    assertThat(steady.report()).isNull();
    assertThat(failsAgain.next().consecutiveFailures()).isEqualTo(1);
    assertThat(failsAgain.kill()).isFalse();
  }
}
