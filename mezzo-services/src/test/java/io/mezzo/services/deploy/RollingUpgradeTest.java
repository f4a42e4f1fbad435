package io.mezzo.services.deploy;

import static io.mezzo.services.app.KillSelection.OLDEST_FIRST;
import static io.mezzo.services.app.KillSelection.YOUNGEST_FIRST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.services.deploy.RollingUpgrade.UpgradeStep;
import io.mezzo.services.deploy.RollingUpgrade.UpgradeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Single steps of {@link RollingUpgrade}, one behaviour each. */
class RollingUpgradeTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static Member healthy(String id, int startedSecond) {
    return new Member(id, true, T0.plusSeconds(startedSecond));
  }

  private static Member unhealthy(String id, Integer startedSecond) {
    return new Member(id, false, startedSecond == null ? null : T0.plusSeconds(startedSecond));
  }

  /** {@code n} healthy members named {@code prefix0..}, started one second apart. */
  private static List<Member> healthyMembers(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> healthy(prefix + i, i)).toList();
  }

  private static UpgradeStep step(int target, double min, double over, List<Member> old, List<Member> fresh) {
    return RollingUpgrade.next(new UpgradeView(target, min, over, old, fresh, 0), YOUNGEST_FIRST);
  }

  @Test
  void halfCapacityUpgradeDrainsHalfAtOnce() {
    UpgradeStep s = step(4, 0.5, 0.0, healthyMembers("old", 4), List.of());

    assertThat(s.drain()).hasSize(2);
    assertThat(s.launch()).isEqualTo(2);
    assertThat(s.done()).isFalse();
  }

  @Test
  void halfCapacityUpgradeDrainsTheRestOnceTheNewAreHealthy() {
    UpgradeStep s = step(4, 0.5, 0.0, healthyMembers("old", 2), healthyMembers("new", 2));

    assertThat(s.drain()).containsExactlyInAnyOrder("old0", "old1");
    assertThat(s.launch()).isEqualTo(2);
  }

  @Test
  void fullCapacityWithoutOverCapacityGoesOneAtATime() {
    List<Member> old = healthyMembers("old", 3);

    UpgradeStep first = step(3, 1.0, 0.0, old, List.of());
    assertThat(first.launch()).as("one over capacity").isEqualTo(1);
    assertThat(first.drain()).isEmpty();

    UpgradeStep waiting = step(3, 1.0, 0.0, old, List.of(unhealthy("new0", null)));
    assertThat(waiting.launch()).isZero();
    assertThat(waiting.drain()).as("no old goes before the new one is healthy").isEmpty();

    UpgradeStep second = step(3, 1.0, 0.0, old, List.of(healthy("new0", 10)));
    assertThat(second.drain()).hasSize(1);
    assertThat(second.launch()).isEqualTo(1);
  }

  @Test
  void singleInstanceAppKeepsItsOldInstanceUntilTheNewOneIsHealthy() {
    List<Member> old = List.of(healthy("old0", 0));

    assertThat(step(1, 1.0, 0.0, old, List.of()).launch()).isEqualTo(1);
    assertThat(step(1, 1.0, 0.0, old, List.of(unhealthy("new0", 5))).drain()).isEmpty();
    assertThat(step(1, 1.0, 0.0, old, List.of(healthy("new0", 5))).drain()).containsExactly("old0");
  }

  @Test
  void defaultStrategyLaunchesAllNewBeforeDrainingAnyOld() {
    UpgradeStep s = step(3, 1.0, 1.0, healthyMembers("old", 3), List.of());

    assertThat(s.launch()).isEqualTo(3);
    assertThat(s.drain()).isEmpty();
  }

  @Test
  void zeroMinimumHealthCapacityDrainsEveryOldAtOnce() {
    UpgradeStep s = step(3, 0.0, 0.0, healthyMembers("old", 3), List.of());

    assertThat(s.drain()).hasSize(3);
    assertThat(s.launch()).isEqualTo(3);
  }

  @Test
  void unhealthyOldAreDrainedEvenAtFullMinimumHealthCapacity() {
    List<Member> old = List.of(healthy("old0", 0), unhealthy("old1", 1), healthy("old2", 2));

    UpgradeStep s = step(3, 1.0, 0.0, old, List.of());

    assertThat(s.drain()).containsExactly("old1");
    assertThat(s.launch()).as("room freed by the unhealthy one, plus the one-at-a-time extra").isEqualTo(2);
  }

  @Test
  void healthyOldAreDrainedInKillOrder() {
    List<Member> old = healthyMembers("old", 4);

    assertThat(RollingUpgrade.next(new UpgradeView(4, 0.5, 0, old, List.of(), 0), YOUNGEST_FIRST).drain())
        .containsExactly("old3", "old2");
    assertThat(RollingUpgrade.next(new UpgradeView(4, 0.5, 0, old, List.of(), 0), OLDEST_FIRST).drain())
        .containsExactly("old0", "old1");
  }

  @Test
  void leavingMembersDoNotHoldBackLaunches() {
    UpgradeView view = new UpgradeView(4, 0.5, 0.0, healthyMembers("old", 2), List.of(), 2);

    assertThat(RollingUpgrade.next(view, YOUNGEST_FIRST).launch()).isEqualTo(2);
  }

  @Test
  void extraNewAreDrainedWhenScaledDownDuringTheUpgrade() {
    List<Member> fresh = List.of(healthy("new0", 0), healthy("new1", 1), unhealthy("new2", null),
        healthy("new3", 3), healthy("new4", 4));

    UpgradeStep s = step(3, 1.0, 0.0, List.of(), fresh);

    assertThat(s.drain()).containsExactly("new2", "new4");
    assertThat(s.launch()).isZero();
    assertThat(s.done()).as("done on the next step, once the extra ones are gone").isFalse();
  }

  @Test
  void scaleUpDuringTheUpgradeLaunchesUpToTheNewTarget() {
    UpgradeStep s = step(4, 1.0, 0.5, healthyMembers("old", 2), List.of());

    assertThat(s.launch()).isEqualTo(4);
    assertThat(s.drain()).isEmpty();
  }

  @Test
  void doneOnlyWhenNoOldIsLeftAndEveryNewIsHealthy() {
    assertThat(step(2, 1.0, 1.0, List.of(), healthyMembers("new", 2)).done()).isTrue();
    assertThat(step(2, 1.0, 1.0, List.of(), List.of(healthy("new0", 0), unhealthy("new1", 1))).done())
        .isFalse();
    assertThat(step(2, 1.0, 1.0, List.of(healthy("old0", 0)), healthyMembers("new", 2)).done()).isFalse();
    assertThat(step(2, 1.0, 1.0, List.of(), healthyMembers("new", 1)).done()).isFalse();
  }

  @Test
  void aDoneStepLaunchesAndDrainsNothing() {
    UpgradeStep s = RollingUpgrade.next(new UpgradeView(2, 0.5, 0.5, List.of(), healthyMembers("new", 2), 3),
        YOUNGEST_FIRST);

    assertThat(s.done()).isTrue();
    assertThat(s.launch()).isZero();
    assertThat(s.drain()).isEmpty();
    assertThat(s.explanation()).contains("3 still leaving");
  }

  @Test
  void stoppingDrainsEveryOldAndIsDoneWhenTheyAreGone() {
    UpgradeStep s = step(0, 1.0, 1.0, healthyMembers("old", 3), List.of());

    assertThat(s.drain()).hasSize(3);
    assertThat(s.launch()).isZero();
    assertThat(step(0, 1.0, 1.0, List.of(), List.of()).done()).isTrue();
  }

  @Test
  void capacityIsComputedInDecimalNotBinary() {
    // 10 * 0.7 is 7.000000000000001 in binary floating point, and 20 * 1.15 is 22.999999999999996
    assertThat(new UpgradeView(10, 0.7, 0.0, List.of(), List.of(), 0).minHealthy()).isEqualTo(7);
    assertThat(new UpgradeView(20, 1.0, 0.15, List.of(), List.of(), 0).maxCapacity()).isEqualTo(23);
  }

  @Test
  void explanationNamesTheCountsAndTheDecision() {
    UpgradeStep s = step(4, 0.5, 0.0, healthyMembers("old", 2), List.of(healthy("new0", 9), healthy("new1", 9),
        unhealthy("new2", null)));

    assertThat(s.explanation())
        .startsWith("2 of 4 new healthy (3 launched), 2 old; keeping >= 2 healthy (minimumHealthCapacity 0.5)")
        .endsWith("launching 1, draining 2");
  }

  @Test
  void invalidViewsAreRejectedNamingTheField() {
    assertThatThrownBy(() -> new UpgradeView(-1, 1, 1, List.of(), List.of(), 0))
        .hasMessage("target: -1 (expected: >= 0)");
    assertThatThrownBy(() -> new UpgradeView(1, 1.5, 1, List.of(), List.of(), 0))
        .hasMessage("minimumHealthCapacity: 1.5 (expected: 0 to 1)");
    assertThatThrownBy(() -> new UpgradeView(1, 1, Double.NaN, List.of(), List.of(), 0))
        .hasMessage("maximumOverCapacity: NaN (expected: 0 to 1)");
    assertThatThrownBy(() -> new UpgradeView(1, 1, 1, List.of(), List.of(), -2))
        .hasMessage("leaving: -2 (expected: >= 0)");
    assertThatThrownBy(() -> new UpgradeView(1, 1, 1, List.of(healthy("a", 0)), List.of(healthy("a", 1)), 0))
        .hasMessage("fresh: a (expected: each instance id once)");
  }

  @Test
  void viewCopiesItsLists() {
    List<Member> old = new ArrayList<>(healthyMembers("old", 2));
    UpgradeView view = new UpgradeView(2, 1, 1, old, List.of(), 0);
    old.clear();

    assertThat(view.old()).hasSize(2);
  }
}
