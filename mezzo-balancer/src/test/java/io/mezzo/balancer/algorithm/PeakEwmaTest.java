package io.mezzo.balancer.algorithm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Peak EWMA: a seeded virtual-time simulation of a latency spike and recovery, a slow backend, probing
 * of backends without samples, cost growing with in-flight.
 */
class PeakEwmaTest {
  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000_000_000L;

  private static Picker ewma(BackendSet set, long seed) {
    return Algorithms.of("ewma", AlgorithmOptions.defaults(), new SplittableRandom(seed)).newPicker(set);
  }

  @Test
  void loadShiftsAwayFromABackendWhoseLatencySpikesAndBackAfterItRecovers() {
    Picker picker = ewma(Fixtures.set(1, 1, 1), 21);
    SplittableRandom jitter = new SplittableRandom(5);
    // b01 answers in 200 ms instead of 10 ms between 30 s and 60 s of virtual time; +-20% jitter
    VirtualLoad load = new VirtualLoad(picker, 300, 77, (b, t) -> (long) (jitter.nextDouble(0.8, 1.2)
        * (b.id().equals("b01") && t >= 30 * SECOND && t < 60 * SECOND ? 200 * MS : 10 * MS)));
    Map<String, Integer> before = load.run(30 * SECOND);
    load.run(35 * SECOND); // the first seconds of the spike: it is found out
    Map<String, Integer> during = load.run(60 * SECOND);
    // the 200 ms peak decays with the 10 s time constant (about 3 of them to get back to 10 ms), then the
    // backend is probed again and its share grows back
    Map<String, Integer> recovering = load.run(100 * SECOND);
    Map<String, Integer> after = load.run(130 * SECOND);
    System.out.printf("b01 share: before %.3f, during %.3f, recovering %.3f, after %.3f%n",
        VirtualLoad.share(before, "b01"), VirtualLoad.share(during, "b01"), VirtualLoad.share(recovering, "b01"),
        VirtualLoad.share(after, "b01"));
    assertThat(VirtualLoad.share(before, "b01")).isBetween(0.28, 0.40);
    assertThat(VirtualLoad.share(during, "b01")).isLessThan(0.02);
    assertThat(VirtualLoad.share(recovering, "b01")).isBetween(0.02, 0.28);
    assertThat(VirtualLoad.share(after, "b01")).isBetween(0.28, 0.40);
  }

  @Test
  void aFiveTimesSlowerBackendGetsLittleTraffic() {
    Picker picker = ewma(Fixtures.set(1, 1), 22);
    VirtualLoad load = new VirtualLoad(picker, 100, 78, (b, t) -> b.id().equals("b00") ? 20 * MS : 100 * MS);
    assertThat(VirtualLoad.share(load.run(120 * SECOND), "b00")).isGreaterThan(0.8);
  }

  @Test
  void aBackendWithoutSamplesIsProbedNotFlooded() {
    BackendSet set = Fixtures.set(1, 1);
    Backend known = set.get(0);
    Backend fresh = set.get(1);
    known.stats().onStart();
    known.stats().onComplete(50 * MS, 0);
    Picker picker = ewma(set, 23);
    PickContext ctx = PickContext.at(1 * MS);
    // idle and unknown: costs 0, so it gets the first request
    assertThat(picker.pick(ctx)).isSameAs(fresh);
    fresh.stats().onStart();
    // unknown with a request outstanding: the penalty (1 s) makes it the worse choice until it answers
    for (int i = 0; i < 3; i++) {
      assertThat(picker.pick(ctx)).isSameAs(known);
      known.stats().onStart();
    }
    fresh.stats().onComplete(5 * MS, 2 * MS);
    assertThat(picker.pick(PickContext.at(2 * MS))).isSameAs(fresh);
  }

  @Test
  void costGrowsWithRequestsInFlight() {
    BackendSet set = Fixtures.set(1, 1);
    Backend slowIdle = set.get(0);
    Backend fastBusy = set.get(1);
    slowIdle.stats().onStart();
    slowIdle.stats().onComplete(30 * MS, 0);
    fastBusy.stats().onStart();
    fastBusy.stats().onComplete(10 * MS, 0);
    Picker picker = ewma(set, 24);
    assertThat(picker.pick(PickContext.at(0))).isSameAs(fastBusy); // 10 ms x 1 < 30 ms x 1
    fastBusy.stats().onStart();
    fastBusy.stats().onStart();
    fastBusy.stats().onStart(); // 10 ms x 4 > 30 ms x 1
    assertThat(picker.pick(PickContext.at(0))).isSameAs(slowIdle);
  }
}
