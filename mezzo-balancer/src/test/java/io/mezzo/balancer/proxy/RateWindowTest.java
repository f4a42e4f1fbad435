package io.mezzo.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RateWindowTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void theRateIsTheIncreaseOverTheWindow() {
    RateWindow w = new RateWindow(5);
    assertThat(w.perSecond()).isZero();
    for (int i = 0; i <= 4; i++) {
      w.sample(100L * i, i * SECOND);
    }
    assertThat(w.perSecond()).isCloseTo(100, within(1e-9));
  }

  @Test
  void oldSamplesLeaveTheWindow() {
    RateWindow w = new RateWindow(3);
    w.sample(0, 0);
    w.sample(1000, SECOND); // a burst long gone
    w.sample(1000, 2 * SECOND);
    w.sample(1000, 3 * SECOND);
    assertThat(w.perSecond()).isZero();
    w.sample(1010, 4 * SECOND);
    assertThat(w.perSecond()).isCloseTo(5, within(1e-9));
  }

  @Test
  void aCountGoingDownRestartsTheWindow() {
    RateWindow w = new RateWindow(4);
    w.sample(500, 0);
    w.sample(600, SECOND);
    w.sample(10, 2 * SECOND);
    assertThat(w.perSecond()).isZero();
    w.sample(30, 3 * SECOND);
    assertThat(w.perSecond()).isCloseTo(20, within(1e-9));
  }
}
