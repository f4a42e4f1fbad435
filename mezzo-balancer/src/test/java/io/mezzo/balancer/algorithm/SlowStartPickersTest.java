package io.mezzo.balancer.algorithm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Slow start in the pickers that did not have it first (random, ewma), and what consistent hashing does
 * with it (nothing), over virtual time: two warm backends and {@code b02} joining at 100 s with a 30 s
 * linear window.
 */
class SlowStartPickersTest {
  private static final long SECOND = 1_000_000_000L;
  private static final AlgorithmOptions SLOW_START =
      AlgorithmOptions.defaults().withSlowStart(SlowStart.linear(Duration.ofSeconds(30)));

  private static BackendSet withNewBackend() {
    BackendSet initial = Fixtures.set(1, 1);
    List<Backend> withNew = new ArrayList<>(initial.asList());
    withNew.add(Fixtures.backend("b02", 1));
    return initial.next(withNew, 100 * SECOND);
  }

  private static double shareOf(Picker picker, String id, long nowNanos, int picks) {
    int hits = 0;
    for (int i = 0; i < picks; i++) {
      if (picker.pick(PickContext.hashed(i * 0x9E3779B97F4A7C15L, nowNanos)).id().equals(id)) {
        hits++;
      }
    }
    return hits / (double) picks;
  }

  @Test
  void randomRampsANewBackendsShareOverTheWindow() {
    Picker picker = Algorithms.of("random", SLOW_START, new SplittableRandom(5)).newPicker(withNewBackend());
    assertThat(shareOf(picker, "b02", 101 * SECOND, 20_000)).isBetween(0.03, 0.07); // 0.1 / 2.1
    assertThat(shareOf(picker, "b02", 115 * SECOND, 20_000)).isBetween(0.17, 0.23); // 0.5 / 2.5
    assertThat(shareOf(picker, "b02", 131 * SECOND, 20_000)).isBetween(0.31, 0.36);
  }

  @Test
  void randomWithoutSlowStartGivesANewBackendItsShareAtOnce() {
    Picker picker = Algorithms.of("random", AlgorithmOptions.defaults(), new SplittableRandom(5))
        .newPicker(withNewBackend());
    assertThat(shareOf(picker, "b02", 101 * SECOND, 20_000)).isBetween(0.31, 0.36);
  }

  @Test
  void ewmaGivesANewBackendASmallShareThatGrowsToAnEvenOneOverTheWindow() {
    Picker picker = Algorithms.of("ewma", SLOW_START, new SplittableRandom(7)).newPicker(withNewBackend());
    VirtualLoad load = new VirtualLoad(picker, 400, 11, (b, t) -> 5_000_000L); // all equally fast: 5 ms
    load.run(100 * SECOND);
    Map<String, Integer> early = load.run(103 * SECOND);
    load.run(113 * SECOND);
    Map<String, Integer> middle = load.run(117 * SECOND);
    load.run(130 * SECOND);
    Map<String, Integer> after = load.run(140 * SECOND);
    double e = VirtualLoad.share(early, "b02");
    double m = VirtualLoad.share(middle, "b02");
    double a = VirtualLoad.share(after, "b02");
    assertThat(e).as("early %s", early).isLessThan(0.12);
    assertThat(m).as("middle %s", middle).isGreaterThan(e).isLessThan(a);
    assertThat(a).as("after %s", after).isBetween(0.28, 0.39);
  }

  @Test
  void consistentHashingGivesANewBackendItsKeysAtOnceWhateverTheSlowStart() {
    Picker picker = Algorithms.of("consistent_hash", SLOW_START).newPicker(withNewBackend());
    assertThat(shareOf(picker, "b02", 101 * SECOND, 20_000)).isBetween(0.28, 0.39);
  }
}
