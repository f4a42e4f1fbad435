package io.mezzo.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The intended send times follow the rate profile: constant, a linear ramp, steps, behind a warm-up. */
class RateProfileTest {

  @Test
  void aConstantRateSpacesRequestsEvenly() {
    RateProfile p = RateProfile.constant(200, Duration.ofSeconds(5));
    assertThat(p.requests()).isEqualTo(1000);
    assertThat(p.secondsOf(0)).isZero();
    assertThat(p.secondsOf(1)).isCloseTo(0.005, within(1e-12));
    assertThat(p.secondsOf(999)).isCloseTo(4.995, within(1e-9));
    assertThat(p.secondsOf(1000)).isInfinite();
  }

  @Test
  void aLinearRampPacksRequestsCloserAsTheRateRises() {
    // 0 to 100 requests/s over 10 s: N(t) = 5 t^2, so request i is due at sqrt(i / 5), 500 in all
    RateProfile p = RateProfile.ramp(0, 100, Duration.ofSeconds(10));
    assertThat(p.requests()).isEqualTo(500);
    for (long i : new long[] {1, 5, 20, 125, 320, 499}) {
      assertThat(p.secondsOf(i)).as("request %d", i).isCloseTo(Math.sqrt(i / 5.0), within(1e-9));
    }
    // every second holds the integral of the rate over it: 5, 15, 25, ... 95 requests
    for (int s = 0; s < 10; s++) {
      assertThat(countIn(p, s, s + 1)).as("second %d", s).isEqualTo(10 * s + 5);
    }
    assertThat(p.rateAt(2.5)).isEqualTo(25);
  }

  @Test
  void aFallingRampSlowsDown() {
    RateProfile p = RateProfile.ramp(300, 100, Duration.ofSeconds(2));
    assertThat(p.requests()).isEqualTo(400);
    assertThat(countIn(p, 0, 1)).isEqualTo(250);
    assertThat(countIn(p, 1, 2)).isEqualTo(150);
    double gap = 0;
    for (long i = 1; i < 400; i++) { // the gaps between requests only grow
      double g = p.secondsOf(i) - p.secondsOf(i - 1);
      assertThat(g).as("gap before request %d", i).isGreaterThanOrEqualTo(gap - 1e-12);
      gap = g;
    }
  }

  @Test
  void stepsHoldEachRateForItsDuration() {
    RateProfile p = RateProfile.steps("50:2s, 200:1s,0:500ms,10:1s");
    assertThat(p.duration()).isEqualTo(Duration.ofMillis(4500));
    assertThat(p.requests()).isEqualTo(310);
    assertThat(countIn(p, 0, 2)).isEqualTo(100);
    assertThat(countIn(p, 2, 3)).isEqualTo(200);
    assertThat(countIn(p, 3, 3.5)).as("the pause").isZero();
    assertThat(countIn(p, 3.5, 4.5)).isEqualTo(10);
    assertThat(p.secondsOf(300)).as("the first request after the pause").isCloseTo(3.5, within(1e-9));
    assertThat(p.toString()).isEqualTo("50:2s,200:1s,0:0.5s,10:1s");
  }

  @Test
  void profilesChainOneAfterTheOther() {
    RateProfile p = RateProfile.ramp(10, 100, Duration.ofSeconds(10))
        .then(RateProfile.constant(100, Duration.ofSeconds(5))).then(RateProfile.constant(20, Duration.ofSeconds(5)));
    assertThat(p.duration()).isEqualTo(Duration.ofSeconds(20));
    assertThat(p.requests()).isEqualTo(550 + 500 + 100);
    assertThat(p.rateAt(5)).isEqualTo(55);
    assertThat(p.rateAt(12)).isEqualTo(100);
    assertThat(p.rateAt(17)).isEqualTo(20);
    assertThat(p.toString()).isEqualTo("10->100:10s,100:5s,20:5s");
  }

  @Test
  void aWarmUpRunsAtTheFirstRateAhead() {
    RateProfile p = RateProfile.ramp(100, 200, Duration.ofSeconds(1)).after(Duration.ofSeconds(2));
    assertThat(p.requests()).isEqualTo(350);
    assertThat(p.secondsOf(200)).isCloseTo(2, within(1e-9));
    assertThat(p.rateAt(1)).isEqualTo(100);
    assertThat(p.rateAt(2.5)).isEqualTo(150);
  }

  @Test
  void theScheduleSpreadsTheProfileRoundRobinOverConnections() {
    long start = 1_000_000_000L;
    Schedule s = new Schedule(start, RateProfile.steps("100:1s,1000:1s"), 4, start);
    assertThat(s.intended(0, 0)).isEqualTo(start);
    assertThat(s.intended(1, 0)).isEqualTo(start + 10_000_000L);
    assertThat(s.intended(0, 25)).as("request 100, the first at 1000/s").isEqualTo(start + 1_000_000_000L);
    assertThat(s.intended(1, 25)).isEqualTo(start + 1_001_000_000L);
    long all = 0;
    for (int c = 0; c < 4; c++) {
      all += s.measuredFrom(c, 0);
    }
    assertThat(all).isEqualTo(1100);
    assertThat(s.targetRate(start + 500_000_000L, start + 1_500_000_000L)).isCloseTo(550, within(1e-6));
    assertThat(s.targetRate(s.end(), s.end() + 1_000_000_000L)).isZero();
  }

  @Test
  void badProfilesNameTheFieldAndWhatWasExpected() {
    assertThatThrownBy(() -> RateProfile.steps("50:30s,abc:10s"))
        .hasMessage("ramp: rate 'abc' in 'abc:10s' (expected: a number of requests/s)");
    assertThatThrownBy(() -> RateProfile.steps("50:30x"))
        .hasMessage("ramp: duration '30x' in '50:30x' (expected: such as 500ms, 30s, 2m or 1h)");
    assertThatThrownBy(() -> RateProfile.steps("50"))
        .hasMessage("ramp: '50' (expected: RATE:DURATION such as 50:30s)");
    assertThatThrownBy(() -> RateProfile.steps("0:1s,0:2s"))
        .hasMessage("ramp: '0:1s,0:2s' (expected: some rate > 0 requests/s)");
    assertThatThrownBy(() -> RateProfile.steps("-5:1s"))
        .hasMessage("ramp: rate: -5.0 (expected: >= 0 requests/s)");
    assertThatThrownBy(() -> RateProfile.ramp(10, -1, Duration.ofSeconds(1)))
        .hasMessage("ramp-to: -1.0 (expected: >= 0 requests/s)");
    assertThatThrownBy(() -> RateProfile.constant(10, Duration.ZERO))
        .hasMessage("duration: PT0S (expected: > 0)");
  }

  /** Requests intended in [from, to) seconds. */
  private static long countIn(RateProfile p, double from, double to) {
    long n = 0;
    for (long i = 0; ; i++) {
      double t = p.secondsOf(i);
      if (t >= to) {
        return n;
      }
      if (t >= from) {
        n++;
      }
    }
  }
}
