package io.mezzo.balancer.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PanicTest {

  private static final List<String> ALL = List.of("a", "b", "c", "d", "e", "f");

  @Test
  void panicRoutesToAllWhenMostAreUnhealthy() {
    Panic panic = Panic.defaults();

    List<String> routable = panic.routable(ALL, Set.of("a", "b")::contains); // 2 of 6 < 50%

    assertThat(routable).containsExactlyElementsOf(ALL);
    assertThat(panic.decide(6, 2).panic()).isTrue();
  }

  @Test
  void enoughHealthyBackendsTakeAllTheTraffic() {
    List<String> routable = Panic.defaults().routable(ALL, Set.of("a", "c", "e")::contains); // 50% exactly

    assertThat(routable).containsExactly("a", "c", "e");
  }

  @Test
  void noHealthyBackendPanicsButNoBackendAtAllDoesNot() {
    assertThat(Panic.defaults().decide(3, 0).panic()).isTrue();
    assertThat(Panic.threshold(1).decide(3, 0).panic()).isTrue();
    assertThat(Panic.defaults().decide(0, 0).panic()).isFalse();
    assertThat(Panic.defaults().routable(List.<String>of(), s -> true)).isEmpty();
  }

  @Test
  void zeroThresholdDisablesPanic() {
    assertThat(Panic.threshold(0).routable(ALL, s -> false)).isEmpty();
  }

  @Test
  void badCountsNameTheField() {
    assertThatThrownBy(() -> Panic.threshold(101)).hasMessage("thresholdPercent: 101 (expected: 0..100)");
    assertThatThrownBy(() -> Panic.defaults().decide(3, 4)).hasMessage("healthy: 4 (expected: 0..total 3)");
  }

  @Property
  void panicIsExactlyAHealthyShareBelowTheThreshold(
      @ForAll @IntRange(min = 0, max = 500) int total,
      @ForAll @IntRange(min = 0, max = 500) int healthySeed,
      @ForAll @IntRange(min = 0, max = 100) int threshold) {
    int healthy = total == 0 ? 0 : healthySeed % (total + 1);

    Panic.Decision d = Panic.threshold(threshold).decide(total, healthy);

    assertThat(d.panic()).isEqualTo(total > 0 && (double) healthy / total < threshold / 100.0);
  }

  @Property
  void withAThresholdSomeBackendIsAlwaysRoutable(
      @ForAll @IntRange(min = 1, max = 40) int total,
      @ForAll long healthyMask,
      @ForAll @IntRange(min = 1, max = 100) int threshold) {
    List<Integer> all = java.util.stream.IntStream.range(0, total).boxed().toList();

    List<Integer> routable = Panic.threshold(threshold).routable(all, i -> (healthyMask >>> i & 1) == 1);

    assertThat(routable).isNotEmpty();
  }
}
