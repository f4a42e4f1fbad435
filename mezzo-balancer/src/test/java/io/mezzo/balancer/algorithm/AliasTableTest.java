package io.mezzo.balancer.algorithm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Weighted O(1) draws: the exact probabilities of the alias table match the weights (property), and
 * samples follow them.
 */
class AliasTableTest {
  @Property
  void eachIndexIsDrawnWithProbabilityProportionalToItsWeight(
      @ForAll @Size(min = 1, max = 200) List<@IntRange(min = 1, max = 1000) Integer> weights) {
    long[] w = weights.stream().mapToLong(Integer::longValue).toArray();
    double total = weights.stream().mapToLong(Integer::longValue).sum();
    AliasTable table = new AliasTable(w);
    for (int i = 0; i < w.length; i++) {
      assertThat(table.probability(i)).as("index %d of weight %d", i, w[i]).isCloseTo(w[i] / total, offset(1e-9));
    }
  }

  @Test
  void samplesFollowTheWeights() {
    AliasTable table = new AliasTable(new long[] {1, 2, 7});
    SplittableRandom random = new SplittableRandom(3);
    int[] counts = new int[3];
    for (int i = 0; i < 100_000; i++) {
      counts[table.sample(random)]++;
    }
    assertThat(counts[0] / 100_000.0).isCloseTo(0.1, offset(0.01));
    assertThat(counts[1] / 100_000.0).isCloseTo(0.2, offset(0.01));
    assertThat(counts[2] / 100_000.0).isCloseTo(0.7, offset(0.01));
  }
}
