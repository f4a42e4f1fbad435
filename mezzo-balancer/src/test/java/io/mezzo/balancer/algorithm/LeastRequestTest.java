package io.mezzo.balancer.algorithm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Power-of-two-choices least request: seeded virtual-time simulations with a slow backend, weights,
 * exclusions for retries and slow start.
 */
class LeastRequestTest {
  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000_000_000L;

  private static Picker leastRequest(BackendSet set, long seed) {
    return Algorithms.of("least_request", AlgorithmOptions.defaults(), new SplittableRandom(seed)).newPicker(set);
  }

  @Test
  void fastBackendGetsTheLargeMajorityWhenTheOtherIsFiveTimesSlower() {
    Picker picker = leastRequest(Fixtures.set(1, 1), 11);
    VirtualLoad load = new VirtualLoad(picker, 100, 42, (b, t) -> b.id().equals("b00") ? 20 * MS : 100 * MS);
    Map<String, Integer> picks = load.run(120 * SECOND);
    // in-flight balances when the fast one takes about 5/6 of the requests
    assertThat(VirtualLoad.share(picks, "b00")).isGreaterThan(0.75);
  }

  @Test
  void slowBackendAmongFourGetsFarLessThanItsEvenShare() {
    Picker picker = leastRequest(Fixtures.set(1, 1, 1, 1), 12);
    VirtualLoad load = new VirtualLoad(picker, 200, 43, (b, t) -> b.id().equals("b03") ? 100 * MS : 20 * MS);
    Map<String, Integer> picks = load.run(120 * SECOND);
    assertThat(VirtualLoad.share(picks, "b03")).isLessThan(0.15);
    for (String fast : List.of("b00", "b01", "b02")) {
      assertThat(VirtualLoad.share(picks, fast)).isBetween(0.25, 0.34);
    }
  }

  @Test
  void withTwoBackendsTheOneWithFewerInFlightIsAlwaysChosen() {
    BackendSet set = Fixtures.set(1, 1);
    set.get(0).stats().onStart();
    set.get(0).stats().onStart();
    set.get(1).stats().onStart();
    Picker picker = leastRequest(set, 1);
    for (int i = 0; i < 100; i++) {
      assertThat(picker.pick(PickContext.at(0)).id()).isEqualTo("b01");
    }
  }

  @Test
  void theMostLoadedOfThreeIsNeverChosen() {
    BackendSet set = Fixtures.set(1, 1, 1);
    for (int i = 0; i < 10; i++) {
      set.get(1).stats().onStart();
    }
    Picker picker = leastRequest(set, 2);
    for (int i = 0; i < 1000; i++) {
      assertThat(picker.pick(PickContext.at(0)).id()).isNotEqualTo("b01");
    }
  }

  @Test
  void inFlightIsWeighedAgainstWeight() {
    BackendSet set = Fixtures.set(4, 1);
    for (int i = 0; i < 3; i++) {
      set.get(0).stats().onStart(); // 3 in flight / weight 4 = 0.75 per unit of weight
    }
    set.get(1).stats().onStart(); // 1 / 1 = 1.0
    Picker picker = leastRequest(set, 3);
    assertThat(picker.pick(PickContext.at(0)).id()).isEqualTo("b00");
  }

  @Test
  void idleBackendsShareSequentialTrafficByWeight() {
    Picker picker = leastRequest(Fixtures.set(3, 1), 4);
    assertThat(shareOf(picker, "b00", 0L, 20_000)).isBetween(0.73, 0.77);
    Picker many = leastRequest(Fixtures.set(1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 5);
    assertThat(shareOf(many, "b07", 0L, 20_000)).isBetween(0.08, 0.12);
  }

  @Test
  void retryExcludingTheBetterBackendGetsTheOther() {
    BackendSet two = Fixtures.set(1, 1);
    two.get(1).stats().onStart();
    Picker pair = leastRequest(two, 6);
    PickContext ctx = PickContext.at(0);
    assertThat(pair.pick(ctx).id()).isEqualTo("b00");
    assertThat(pair.pick(ctx.excluding(two.get(0))).id()).isEqualTo("b01");

    Picker picker = leastRequest(Fixtures.set(1, 1, 1), 7);
    for (int i = 0; i < 50; i++) {
      Backend first = picker.pick(ctx);
      Backend retry = picker.pick(ctx.excluding(first));
      assertThat(retry.id()).isNotEqualTo(first.id());
      Backend third = picker.pick(ctx.excluding(first).excluding(retry));
      assertThat(third.id()).isNotIn(first.id(), retry.id());
    }
    assertThat(picker.pick(ctx.excludingIf(b -> true))).isNull();
    assertThat(leastRequest(BackendSet.empty(), 1).pick(ctx)).isNull();
  }

  @Test
  void slowStartGivesANewBackendAGrowingShare() {
    BackendSet initial = Fixtures.set(1, 1);
    List<Backend> withNew = new ArrayList<>(initial.asList());
    withNew.add(Fixtures.backend("b02", 1));
    BackendSet set = initial.next(withNew, 100 * SECOND);
    Picker picker = Algorithms.of("least_request",
        AlgorithmOptions.defaults().withSlowStart(SlowStart.linear(Duration.ofSeconds(30))), new SplittableRandom(9))
        .newPicker(set);
    // idle backends: the share follows the effective weights 1, 1 and the factor
    double early = shareOf(picker, "b02", 101 * SECOND, 20_000);
    double middle = shareOf(picker, "b02", 115 * SECOND, 20_000);
    double after = shareOf(picker, "b02", 131 * SECOND, 20_000);
    assertThat(early).isBetween(0.03, 0.07); // 0.1 / 2.1
    assertThat(middle).isBetween(0.17, 0.23); // 0.5 / 2.5
    assertThat(after).isBetween(0.31, 0.36);
  }

  private static double shareOf(Picker picker, String id, long nowNanos, int picks) {
    int hits = 0;
    for (int i = 0; i < picks; i++) {
      if (picker.pick(PickContext.at(nowNanos)).id().equals(id)) {
        hits++;
      }
    }
    return hits / (double) picks;
  }
}
