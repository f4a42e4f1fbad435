package io.mezzo.balancer.algorithm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Weighted random choice follows the weights and honours exclusions. */
class RandomPickerTest {
  private static Picker random(BackendSet set) {
    return Algorithms.of("random", AlgorithmOptions.defaults(), new SplittableRandom(31)).newPicker(set);
  }

  private static Map<String, Integer> counts(Picker picker, PickContext ctx, int picks) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < picks; i++) {
      counts.merge(picker.pick(ctx).id(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void choicesFollowTheWeights() {
    Map<String, Integer> counts = counts(random(Fixtures.set(1, 3, 6)), PickContext.at(0), 100_000);
    assertThat(counts.get("b00") / 100_000.0).isCloseTo(0.1, Offset.offset(0.01));
    assertThat(counts.get("b01") / 100_000.0).isCloseTo(0.3, Offset.offset(0.01));
    assertThat(counts.get("b02") / 100_000.0).isCloseTo(0.6, Offset.offset(0.01));
  }

  @Test
  void equalWeightsAreUniform() {
    Map<String, Integer> counts = counts(random(Fixtures.set(1, 1, 1, 1)), PickContext.at(0), 100_000);
    counts.values().forEach(c -> assertThat(c / 100_000.0).isCloseTo(0.25, Offset.offset(0.01)));
  }

  @Test
  void excludedBackendsAreNeverChosenAndTheRestKeepTheirProportions() {
    BackendSet set = Fixtures.set(1, 3, 6);
    Map<String, Integer> counts = counts(random(set), PickContext.at(0).excluding(set.get(2)), 40_000);
    assertThat(counts).doesNotContainKey("b02");
    assertThat(counts.get("b00") / 40_000.0).isCloseTo(0.25, Offset.offset(0.015));
    assertThat(random(set).pick(PickContext.at(0).excludingIf(b -> true))).isNull();
    assertThat(random(BackendSet.empty()).pick(PickContext.at(0))).isNull();
  }
}
