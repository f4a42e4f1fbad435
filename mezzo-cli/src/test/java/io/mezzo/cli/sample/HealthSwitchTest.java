package io.mezzo.cli.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@code --fail-health-after} and {@code POST /health/fail}, on a fake clock. */
class HealthSwitchTest {
  private final AtomicLong now = new AtomicLong(1_000);

  @Test
  void aPlainNumberCountsRequestsAndAUnitMeansTimeSinceTheStart() {
    assertThat(SampleConfig.FailHealth.parse("100")).isEqualTo(new SampleConfig.FailHealth.AfterRequests(100));
    assertThat(SampleConfig.FailHealth.parse("500ms")).isEqualTo(new SampleConfig.FailHealth.AfterTime(Duration.ofMillis(500)));
    assertThat(SampleConfig.FailHealth.parse("30s")).isEqualTo(new SampleConfig.FailHealth.AfterTime(Duration.ofSeconds(30)));
    assertThat(SampleConfig.FailHealth.parse("2m")).isEqualTo(new SampleConfig.FailHealth.AfterTime(Duration.ofMinutes(2)));
    for (String bad : new String[] {"ten", "-1", "5h", "99999999999999999999"}) {
      assertThatThrownBy(() -> SampleConfig.FailHealth.parse(bad))
          .hasMessage("--fail-health-after: '" + bad
              + "' (expected: a count of requests such as 100, or a time such as 500ms, 30s or 2m)");
    }
  }

  @Test
  void failsOnceTheRequestCountIsReachedAndStaysFailing() {
    HealthSwitch health = new HealthSwitch(new SampleConfig.FailHealth.AfterRequests(2), now::get);
    health.requestServed();
    assertThat(health.failure()).isEmpty();
    health.requestServed();
    assertThat(health.failure()).contains("failing after 2 requests (--fail-health-after)");
    health.fail("told to fail");
    assertThat(health.failure()).contains("failing after 2 requests (--fail-health-after)");
  }

  @Test
  void failsOnceTheTimeHasPassedOnTheInjectedClock() {
    HealthSwitch health = new HealthSwitch(new SampleConfig.FailHealth.AfterTime(Duration.ofSeconds(30)), now::get);
    now.addAndGet(Duration.ofSeconds(30).toNanos() - 1);
    assertThat(health.failure()).isEmpty();
    now.addAndGet(1);
    assertThat(health.failure()).contains("failing 30000 ms after the start (--fail-health-after)");
    now.addAndGet(-Duration.ofMinutes(1).toNanos()); // a clock going back does not heal it
    assertThat(health.failure()).isPresent();
  }

  @Test
  void zeroRequestsFailsAtOnceAndNeverNeverFailsUnlessTold() {
    assertThat(new HealthSwitch(new SampleConfig.FailHealth.AfterRequests(0), now::get).failure()).isPresent();
    HealthSwitch never = new HealthSwitch(new SampleConfig.FailHealth.Never(), now::get);
    for (int i = 0; i < 1000; i++) {
      never.requestServed();
    }
    now.addAndGet(Duration.ofDays(365).toNanos());
    assertThat(never.failure()).isEmpty();
    never.fail("told to fail (POST /health/fail)");
    assertThat(never.failure()).contains("told to fail (POST /health/fail)");
  }
}
