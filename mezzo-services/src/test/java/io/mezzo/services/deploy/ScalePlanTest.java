package io.mezzo.services.deploy;

import static io.mezzo.services.app.KillSelection.OLDEST_FIRST;
import static io.mezzo.services.app.KillSelection.YOUNGEST_FIRST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.services.deploy.ScalePlan.ScaleStep;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ScalePlan}: launches the missing, drains the surplus in kill order. */
class ScalePlanTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static Member m(String id, boolean healthy, Integer startedSecond) {
    return new Member(id, healthy, startedSecond == null ? null : T0.plusSeconds(startedSecond));
  }

  private static final List<Member> THREE_HEALTHY = List.of(m("b", true, 20), m("a", true, 10), m("c", true, 30));

  @Test
  void scaleUpLaunchesTheMissing() {
    ScaleStep s = ScalePlan.scale(5, THREE_HEALTHY, YOUNGEST_FIRST);

    assertThat(s.launch()).isEqualTo(2);
    assertThat(s.drain()).isEmpty();
    assertThat(s.explanation()).isEqualTo("scaling 3 -> 5: launching 2");
  }

  @Test
  void youngestAreDrainedFirstOnScaleDown() {
    ScaleStep s = ScalePlan.scale(1, THREE_HEALTHY, YOUNGEST_FIRST);

    assertThat(s.drain()).containsExactly("c", "b");
    assertThat(s.launch()).isZero();
  }

  @Test
  void oldestAreDrainedFirstWhenTheAppSaysSo() {
    assertThat(ScalePlan.scale(1, THREE_HEALTHY, OLDEST_FIRST).drain()).containsExactly("a", "b");
  }

  @Test
  void notYetStartedCountAsTheYoungest() {
    List<Member> active = List.of(m("old", true, 10), m("pending", true, null), m("young", true, 90));

    assertThat(ScalePlan.scale(2, active, YOUNGEST_FIRST).drain()).containsExactly("pending");
    assertThat(ScalePlan.scale(2, active, OLDEST_FIRST).drain()).containsExactly("old");
  }

  @Test
  void unhealthyAreDrainedBeforeHealthy() {
    List<Member> active = List.of(m("young", true, 90), m("sick-old", false, 1), m("mid", true, 50),
        m("sick-new", false, 80));

    assertThat(ScalePlan.scale(1, active, YOUNGEST_FIRST).drain()).containsExactly("sick-new", "sick-old", "young");
    assertThat(ScalePlan.scale(1, active, OLDEST_FIRST).drain()).containsExactly("sick-old", "sick-new", "mid");
  }

  @Test
  void theOrderOfTheInputDoesNotMatter() {
    List<Member> active = List.of(m("x", true, 5), m("y", true, 5), m("z", true, 5));

    assertThat(ScalePlan.scale(1, active, YOUNGEST_FIRST).drain())
        .isEqualTo(ScalePlan.scale(1, List.of(active.get(2), active.get(1), active.get(0)), YOUNGEST_FIRST).drain())
        .containsExactly("x", "y");
  }

  @Test
  void atTheTargetNothingHappens() {
    ScaleStep s = ScalePlan.scale(3, THREE_HEALTHY, YOUNGEST_FIRST);

    assertThat(s.steady()).isTrue();
    assertThat(s.explanation()).isEqualTo("steady at 3");
  }

  @Test
  void scaleToZeroDrainsEverything() {
    assertThat(ScalePlan.scale(0, THREE_HEALTHY, YOUNGEST_FIRST).drain()).hasSize(3);
  }

  @Test
  void invalidInputIsRejectedNamingTheField() {
    assertThatThrownBy(() -> ScalePlan.scale(-1, THREE_HEALTHY, YOUNGEST_FIRST))
        .hasMessage("target: -1 (expected: >= 0)");
    assertThatThrownBy(() -> ScalePlan.scale(1, List.of(m("a", true, 1), m("a", false, 2)), YOUNGEST_FIRST))
        .hasMessage("active: a (expected: each instance id once)");
  }
}
