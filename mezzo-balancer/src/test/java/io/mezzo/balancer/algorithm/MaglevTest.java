package io.mezzo.balancer.algorithm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.assertj.core.data.Offset;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

/**
 * Maglev consistent hashing: keys map to present backends, spread by weight, move minimally when a
 * backend leaves and come back when it returns; retries are sticky.
 */
class MaglevTest {
  private static final int KEYS = 20_000;

  private static Picker maglev(BackendSet set) {
    return Algorithms.of("consistent_hash").newPicker(set);
  }

  private static String[] assign(Picker picker, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    String[] ids = new String[KEYS];
    for (int k = 0; k < KEYS; k++) {
      ids[k] = picker.pick(PickContext.hashed(random.nextLong(), 0)).id();
    }
    return ids;
  }

  @Property(tries = 100)
  void everyKeyMapsToAPresentBackend(@ForAll @IntRange(min = 1, max = 60) int n, @ForAll long seed) {
    BackendSet set = BackendSet.of(Fixtures.backends(n));
    Set<String> present = new HashSet<>();
    set.asList().forEach(b -> present.add(b.id()));
    for (String id : assign(maglev(set), seed)) {
      assertThat(present).contains(id);
    }
  }

  /** Removing one of N backends moves about 1/N of the keys; putting it back moves them all back. */
  @Property(tries = 60)
  void removingOneOfNMovesAboutOneNthOfTheKeysAndAddingItBackRestoresThem(
      @ForAll @IntRange(min = 3, max = 50) int n, @ForAll @IntRange(min = 0, max = 49) int victim,
      @ForAll long seed) {
    List<Backend> all = Fixtures.backends(n);
    BackendSet full = BackendSet.of(all);
    List<Backend> without = new ArrayList<>(all);
    String removed = without.remove(victim % n).id();
    BackendSet smaller = full.next(without, 1);
    BackendSet restored = smaller.next(all, 2);

    String[] before = assign(maglev(full), seed);
    String[] afterRemoval = assign(maglev(smaller), seed);
    String[] afterReturn = assign(maglev(restored), seed);
    int moved = 0;
    int movedThoughNotOnRemoved = 0;
    for (int k = 0; k < KEYS; k++) {
      if (!before[k].equals(afterRemoval[k])) {
        moved++;
        if (!before[k].equals(removed)) {
          movedThoughNotOnRemoved++;
        }
      }
    }
    assertThat(moved / (double) KEYS).as("share of keys moved, n=%d", n).isLessThanOrEqualTo(1.0 / n + 0.05);
    assertThat(movedThoughNotOnRemoved / (double) KEYS).as("collateral moves, n=%d", n).isLessThan(0.05);
    assertThat(afterReturn).isEqualTo(before);
  }

  @Test
  void removingOneOfTenMovesLittleMoreThanItsTenth() {
    for (int n : new int[] {3, 10, 50}) {
      List<Backend> all = Fixtures.backends(n);
      BackendSet full = BackendSet.of(all);
      String[] before = assign(maglev(full), 8);
      String[] after = assign(maglev(full.next(all.subList(1, n), 1)), 8);
      int moved = 0;
      for (int k = 0; k < KEYS; k++) {
        moved += before[k].equals(after[k]) ? 0 : 1;
      }
      System.out.printf("n=%d: %.4f of keys moved (ideal %.4f)%n", n, moved / (double) KEYS, 1.0 / n);
      assertThat(moved / (double) KEYS).isLessThan(1.0 / n + 0.015);
    }
  }

  @Test
  void keysSpreadEvenlyOverEqualBackends() {
    BackendSet set = BackendSet.of(Fixtures.backends(10));
    Maglev picker = (Maglev) maglev(set);
    for (int i = 0; i < 10; i++) {
      assertThat(picker.slotsOf(i)).isBetween(65537 / 10, 65537 / 10 + 1);
    }
    Map<String, Integer> counts = counts(picker, 200_000);
    counts.values().forEach(c -> assertThat(c / 200_000.0).isCloseTo(0.1, Offset.offset(0.003)));
  }

  /** Each backend's share of the table (hence of uniformly spread keys) is within 5% of its weight's. */
  @Property(tries = 40)
  void tableSharesFollowAnyWeights(
      @ForAll @Size(min = 2, max = 30) List<@IntRange(min = 1, max = 10) Integer> weights) {
    BackendSet set = Fixtures.set(weights.stream().mapToInt(Integer::intValue).toArray());
    Maglev picker = (Maglev) maglev(set);
    double total = weights.stream().mapToInt(Integer::intValue).sum();
    for (int i = 0; i < set.size(); i++) {
      double expected = set.get(i).weight() / total;
      double share = picker.slotsOf(i) / (double) picker.tableSize();
      assertThat(share).as("share of weight %d of %s", set.get(i).weight(), weights)
          .isCloseTo(expected, Offset.offset(0.05 * expected));
    }
  }

  @Test
  void keysSpreadByWeight() {
    BackendSet set = Fixtures.set(1, 2, 3, 4);
    Maglev picker = (Maglev) maglev(set);
    for (int i = 0; i < 4; i++) {
      double share = picker.slotsOf(i) / 65537.0;
      assertThat(share).as("table share of weight %d", i + 1).isCloseTo((i + 1) / 10.0,
          Percentage.withPercentage(1));
    }
    Map<String, Integer> counts = counts(picker, 200_000);
    for (int i = 0; i < 4; i++) {
      assertThat(counts.get(set.get(i).id()) / 200_000.0).isCloseTo((i + 1) / 10.0,
          Percentage.withPercentage(3));
    }
  }

  @Test
  void everyBalancerBuildsTheSameTableWhateverTheOrderBackendsArrivedIn() {
    List<Backend> a = Fixtures.backends(7);
    List<Backend> b = new ArrayList<>(Fixtures.backends(7));
    Collections.reverse(b);
    assertThat(assign(maglev(BackendSet.of(a)), 3)).isEqualTo(assign(maglev(BackendSet.of(b)), 3));
  }

  @Test
  void sameKeySameBackendAndItsRetryIsStickyToo() {
    BackendSet set = BackendSet.of(Fixtures.backends(5));
    Picker picker = maglev(set);
    Map<String, Integer> retryTargets = new HashMap<>();
    for (int k = 0; k < 1000; k++) {
      PickContext ctx = PickContext.hashed(HashKeys.of("user-" + k), 0);
      Backend first = picker.pick(ctx);
      assertThat(picker.pick(ctx)).isSameAs(first);
      Backend retry = picker.pick(ctx.excluding(first));
      assertThat(retry.id()).isNotEqualTo(first.id());
      assertThat(picker.pick(ctx.excluding(first))).isSameAs(retry);
      retryTargets.merge(retry.id(), 1, Integer::sum);
    }
    assertThat(retryTargets).hasSize(5);
    assertThat(picker.pick(PickContext.hashed(1, 0).excludingIf(b -> true))).isNull();
    assertThat(maglev(BackendSet.empty()).pick(PickContext.hashed(1, 0))).isNull();
  }

  @Test
  void tableGrowsToAPrimeOfAtLeastHundredTimesTheBackends() {
    Maglev picker = (Maglev) maglev(BackendSet.of(Fixtures.backends(1000)));
    assertThat(picker.tableSize()).isGreaterThanOrEqualTo(100_000);
    assertThat(Maglev.isPrime(picker.tableSize())).isTrue();
    Maglev small = (Maglev) Algorithms.of("consistent_hash", AlgorithmOptions.defaults().withHashTableSize(101))
        .newPicker(BackendSet.of(Fixtures.backends(3)));
    assertThat(small.tableSize()).isEqualTo(307);
  }

  @Test
  void tableSizeMustBePrime() {
    assertThatThrownBy(() -> AlgorithmOptions.defaults().withHashTableSize(65536))
        .hasMessage("hashTableSize: 65536 (expected: a prime >= 3, e.g. 65537)");
  }

  private static Map<String, Integer> counts(Picker picker, int keys) {
    SplittableRandom random = new SplittableRandom(99);
    Map<String, Integer> counts = new HashMap<>();
    for (int k = 0; k < keys; k++) {
      counts.merge(picker.pick(PickContext.hashed(random.nextLong(), 0)).id(), 1, Integer::sum);
    }
    return counts;
  }
}
