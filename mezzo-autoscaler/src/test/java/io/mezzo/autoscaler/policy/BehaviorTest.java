package io.mezzo.autoscaler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.autoscaler.policy.ScaleHistory.Change;
import io.mezzo.autoscaler.policy.ScaleHistory.Recommendation;
import io.mezzo.autoscaler.policy.ScalingPolicy.BehaviorSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.DirectionSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.RateSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.RateType;
import io.mezzo.autoscaler.policy.ScalingPolicy.Select;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HPA behaviour: stabilization windows, rate limits from the start of each period, selectPolicy, cooldown, bounds, bounded history. */
class BehaviorTest {
  private static final BehaviorSpec DEFAULTS = BehaviorSpec.defaults();

  private static Behavior.Outcome apply(BehaviorSpec spec, int cooldown, List<Recommendation> recs,
      List<Change> changes, long now, int current, int recommendation) {
    return Behavior.apply(spec, cooldown, recs, changes, Obs.at(now), current, recommendation, 1, 100);
  }

  @Test
  void aScaleDownWaitsForTheHighestRecommendationOfItsWindow() {
    List<Recommendation> recs = List.of(new Recommendation(Obs.at(0), 10), new Recommendation(Obs.at(100), 8),
        new Recommendation(Obs.at(200), 6));
    Behavior.Outcome o = apply(DEFAULTS, 0, recs, List.of(), 250, 10, 4);
    assertThat(o.desired()).isEqualTo(10);
    assertThat(o.limitedBy()).isEqualTo("scaleDown stabilization window 300s");
    assertThat(apply(DEFAULTS, 0, recs, List.of(), 300, 10, 4).desired()).as("0 s is out at 300 s").isEqualTo(8);
    assertThat(apply(DEFAULTS, 0, recs, List.of(), 501, 10, 4).desired()).isEqualTo(4);
  }

  @Test
  void aScaleUpWindowTakesTheLowestRecommendation() {
    BehaviorSpec slowUp = new BehaviorSpec(new DirectionSpec(60, DirectionSpec.defaultScaleUp().policies(),
        Select.MAX), DirectionSpec.defaultScaleDown());
    List<Recommendation> recs = List.of(new Recommendation(Obs.at(0), 3), new Recommendation(Obs.at(30), 6));
    assertThat(apply(slowUp, 0, recs, List.of(), 45, 3, 8).desired()).isEqualTo(3);
    assertThat(apply(slowUp, 0, recs, List.of(), 61, 3, 8).desired()).isEqualTo(6);
  }

  @Test
  void theDefaultScaleUpDoublesOrAddsFourPerFifteenSeconds() {
    assertThat(apply(DEFAULTS, 0, List.of(), List.of(), 0, 2, 50).desired()).isEqualTo(6);
    assertThat(apply(DEFAULTS, 0, List.of(), List.of(), 0, 10, 50).desired()).isEqualTo(20);
    Behavior.Outcome o = apply(DEFAULTS, 0, List.of(), List.of(), 0, 10, 50);
    assertThat(o.limitedBy()).isEqualTo("scaleUp rate 100%/15s, 4/15s (Max)");
  }

  @Test
  void theRateCountsFromTheStartOfThePeriod() {
    List<Change> changes = List.of(new Change(Obs.at(5), 4)); // 2 -> 6 at 5 s
    assertThat(apply(DEFAULTS, 0, List.of(), changes, 10, 6, 50).desired()).as("from 2: at most 6").isEqualTo(6);
    assertThat(apply(DEFAULTS, 0, List.of(), changes, 20, 6, 50).desired()).as("period over: from 6").isEqualTo(12);
    List<Change> upDown = List.of(new Change(Obs.at(1), 4), new Change(Obs.at(2), -2)); // 10 -> 14 -> 12
    assertThat(apply(DEFAULTS, 0, List.of(), upDown, 3, 12, 50).desired()).as("from 10: at most 20").isEqualTo(20);
  }

  @Test
  void selectPolicyMinTakesTheSmallestChange() {
    BehaviorSpec min = new BehaviorSpec(new DirectionSpec(0, DirectionSpec.defaultScaleUp().policies(), Select.MIN),
        DirectionSpec.defaultScaleDown());
    assertThat(apply(min, 0, List.of(), List.of(), 0, 10, 50).desired()).isEqualTo(14);
    assertThat(apply(min, 0, List.of(), List.of(), 0, 2, 50).desired()).isEqualTo(4);
  }

  @Test
  void aDisabledDirectionNeverMoves() {
    BehaviorSpec noDown = new BehaviorSpec(DirectionSpec.defaultScaleUp(),
        new DirectionSpec(0, List.of(), Select.DISABLED));
    Behavior.Outcome o = apply(noDown, 0, List.of(), List.of(), 0, 10, 2);
    assertThat(o.desired()).isEqualTo(10);
    assertThat(o.limitedBy()).isEqualTo("scaleDown disabled");
  }

  @Test
  void aPercentScaleDownRoundsTowardsFewerRemovals() {
    BehaviorSpec gentle = new BehaviorSpec(DirectionSpec.defaultScaleUp(),
        new DirectionSpec(0, List.of(new RateSpec(RateType.PERCENT, 10, 60)), Select.MAX));
    assertThat(apply(gentle, 0, List.of(), List.of(), 0, 25, 1).desired()).as("25 * 0.9 = 22.5").isEqualTo(22);
    assertThat(apply(gentle, 0, List.of(), List.of(), 0, 5, 1).desired()).as("5 * 0.9 = 4.5").isEqualTo(4);
  }

  @Test
  void noChangeWithinTheCooldown() {
    List<Change> changes = List.of(new Change(Obs.at(0), 2));
    Behavior.Outcome o = apply(DEFAULTS, 60, List.of(), changes, 30, 4, 8);
    assertThat(o.desired()).isEqualTo(4);
    assertThat(o.limitedBy()).isEqualTo("cooldown 60s (last change 30s ago)");
    assertThat(apply(DEFAULTS, 60, List.of(), changes, 60, 4, 8).desired()).isEqualTo(8);
  }

  @Test
  void theBoundsApplyLast() {
    Behavior.Outcome o = Behavior.apply(DEFAULTS, 0, List.of(), List.of(), Obs.at(0), 4, 9, 1, 6);
    assertThat(o.desired()).isEqualTo(6);
    assertThat(o.limitedBy()).isEqualTo("maxInstances 6");
    assertThat(Behavior.apply(DEFAULTS, 0, List.of(), List.of(), Obs.at(0), 1, 1, 3, 6).desired())
        .as("below the minimum: straight to it").isEqualTo(3);
    assertThat(Behavior.apply(DEFAULTS, 0, List.of(), List.of(), Obs.at(0), 9, 9, 3, 6).desired()).isEqualTo(6);
  }

  @Test
  void theHistoryForgetsWhatNoWindowCanSee() {
    ScaleHistory h = ScaleHistory.forBehavior(DEFAULTS, 0);
    for (int i = 0; i < 1000; i++) {
      h.recommend(Obs.at(i * 15L), i);
      h.change(Obs.at(i * 15L), 1);
    }
    assertThat(h.recommendations()).hasSize(21); // 300 s of 15 s evaluations, both ends
    assertThat(h.changes()).hasSize(2);
  }
}
