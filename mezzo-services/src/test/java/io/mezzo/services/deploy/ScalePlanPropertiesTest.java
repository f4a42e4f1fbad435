package io.mezzo.services.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.services.app.KillSelection;
import io.mezzo.services.deploy.ScalePlan.ScaleStep;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** {@link ScalePlan} over random apps: it reaches the target, and never keeps a worse pick than it drains. */
class ScalePlanPropertiesTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** Each int encodes one member: negative = not started yet, bit 0 = healthy, the rest = start second. */
  private static List<Member> members(List<Integer> codes) {
    List<Member> out = new ArrayList<>();
    for (int i = 0; i < codes.size(); i++) {
      int c = codes.get(i);
      out.add(new Member("m" + i, (c & 1) == 1, c < 0 ? null : T0.plusSeconds(c >> 1)));
    }
    return out;
  }

  /** True when {@code a} must go no later than {@code b}: unhealthy first, then by start in {@code order}. */
  private static boolean goesNoLater(Member a, Member b, KillSelection order) {
    if (a.healthy() != b.healthy()) {
      return !a.healthy();
    }
    if (a.startedAt() == null || b.startedAt() == null) {
      return order == KillSelection.YOUNGEST_FIRST ? a.startedAt() == null : b.startedAt() == null;
    }
    return order == KillSelection.YOUNGEST_FIRST ? !a.startedAt().isBefore(b.startedAt())
        : !a.startedAt().isAfter(b.startedAt());
  }

  @Property
  void scaleReachesTheTargetAndDrainsTheRightOnes(
      @ForAll @Size(max = 30) List<@IntRange(min = -3, max = 40) Integer> codes,
      @ForAll @IntRange(min = 0, max = 30) int target,
      @ForAll KillSelection order) {
    List<Member> active = members(codes);

    ScaleStep step = ScalePlan.scale(target, active, order);

    assertThat(active.size() + step.launch() - step.drain().size()).isEqualTo(target);
    assertThat(step.launch() == 0 || step.drain().isEmpty()).isTrue();
    Set<String> drained = new HashSet<>(step.drain());
    for (Member gone : active) {
      for (Member kept : active) {
        if (drained.contains(gone.id()) && !drained.contains(kept.id())) {
          assertThat(goesNoLater(gone, kept, order)).as("%s drained while %s kept", gone, kept).isTrue();
        }
      }
    }
  }
}
