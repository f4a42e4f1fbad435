package io.mezzo.services.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.services.app.KillSelection;
import io.mezzo.services.deploy.RollingUpgrade.UpgradeStep;
import io.mezzo.services.deploy.RollingUpgrade.UpgradeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Seeded simulations of whole rolling upgrades: a tick loop calls {@link RollingUpgrade#next}, applies
 * the step, and lets time pass (launched members become healthy, or never do, or crash; drained members
 * take a while to go). Every step is checked against the invariants; the expected minimum and capacity
 * are computed here in integer percent, independently of the code under test.
 */
class RollingUpgradeSimulationTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final int MAX_TICKS_TO_HEALTHY = 5;
  private static final int MAX_TICKS_TO_DRAIN = 4;
  private static final int SLOW_DRAIN_TICKS = 10_000;

  enum Outcome { ALL_HEALTHY, SOME_NEVER_HEALTHY, NONE_HEALTHY }

  /** A member of the simulated app; {@code ticksToHealthy < 0} means it never becomes healthy. */
  private static final class SimMember {
    final String id;
    final Instant startedAt;
    int ticksToHealthy;
    int ticksToCrash;
    boolean healthy;

    SimMember(String id, Instant startedAt, int ticksToHealthy, int ticksToCrash, boolean healthy) {
      this.id = id;
      this.startedAt = startedAt;
      this.ticksToHealthy = ticksToHealthy;
      this.ticksToCrash = ticksToCrash;
      this.healthy = healthy;
    }

    Member view() {
      return new Member(id, healthy, startedAt);
    }
  }

  /** The result of one simulated upgrade. */
  record Run(boolean done, int ticks, int launched) {}

  /** One simulated app; the invariants are asserted as it goes. */
  private static final class Sim {
    final Random random;
    final int target;
    final int mPercent;
    final int oPercent;
    final KillSelection order;
    final Outcome outcome;
    int maxTicksToDrain = MAX_TICKS_TO_DRAIN;
    final int minHealthy;
    final int cap;
    final List<SimMember> old = new ArrayList<>();
    final List<SimMember> fresh = new ArrayList<>();
    final List<int[]> leaving = new ArrayList<>();
    int launched;
    int nextId;

    Sim(long seed, int oldCount, int target, int mPercent, int oPercent, Outcome outcome) {
      this.random = new Random(seed);
      this.target = target;
      this.mPercent = mPercent;
      this.oPercent = oPercent;
      this.order = random.nextBoolean() ? KillSelection.YOUNGEST_FIRST : KillSelection.OLDEST_FIRST;
      this.outcome = outcome;
      this.minHealthy = (target * mPercent + 99) / 100;
      int maxCapacity = target * (100 + oPercent) / 100;
      this.cap = maxCapacity == minHealthy && target > 0 ? maxCapacity + 1 : maxCapacity;
      for (int i = 0; i < oldCount; i++) {
        old.add(new SimMember("old-" + i, T0.plusSeconds(i), 0, -1, true));
      }
    }

    int healthy() {
      return (int) (old.stream().filter(m -> m.healthy).count() + fresh.stream().filter(m -> m.healthy).count());
    }

    int kept() {
      return old.size() + fresh.size();
    }

    Run run(int maxTicks) {
      for (int tick = 0; tick < maxTicks; tick++) {
        passTime(tick);
        int healthyBefore = healthy();
        int keptBefore = kept();
        UpgradeStep step = RollingUpgrade.next(new UpgradeView(target, mPercent / 100.0, oPercent / 100.0,
            old.stream().map(SimMember::view).toList(), fresh.stream().map(SimMember::view).toList(),
            leaving.size()), order);
        if (step.done()) {
          assertThat(old).isEmpty();
          assertThat(fresh).hasSize(target).allMatch(m -> m.healthy);
          assertThat(step.launch()).isZero();
          assertThat(step.drain()).isEmpty();
          return new Run(true, tick, launched);
        }
        apply(step, tick);
        assertThat(healthy()).as("healthy after %s (tick %d)", step.explanation(), tick)
            .isGreaterThanOrEqualTo(Math.min(minHealthy, healthyBefore));
        if (step.launch() > 0) {
          assertThat(kept()).as("running after %s (tick %d)", step.explanation(), tick).isLessThanOrEqualTo(cap);
        }
        assertThat(kept()).isLessThanOrEqualTo(Math.max(cap, keptBefore));
      }
      return new Run(false, maxTicks, launched);
    }

    private void apply(UpgradeStep step, int tick) {
      assertThat(step.launch()).isNotNegative();
      assertThat(step.drain()).doesNotHaveDuplicates();
      Set<String> drain = new HashSet<>(step.drain());
      int before = kept();
      old.removeIf(m -> drain.contains(m.id));
      fresh.removeIf(m -> drain.contains(m.id));
      assertThat(before - kept()).as("every drained id is a member").isEqualTo(drain.size());
      drain.forEach(id -> leaving.add(new int[] {1 + random.nextInt(maxTicksToDrain)}));
      for (int i = 0; i < step.launch(); i++) {
        boolean becomesHealthy = switch (outcome) {
          case ALL_HEALTHY -> true;
          case SOME_NEVER_HEALTHY -> random.nextInt(10) < 7;
          case NONE_HEALTHY -> false;
        };
        int ticksToHealthy = becomesHealthy ? 1 + random.nextInt(MAX_TICKS_TO_HEALTHY) : -1;
        int ticksToCrash = !becomesHealthy && random.nextBoolean() ? 1 + random.nextInt(10) : -1;
        fresh.add(new SimMember("new-" + nextId++, T0.plusSeconds(1000 + tick), ticksToHealthy, ticksToCrash, false));
        launched++;
      }
    }

    private void passTime(int tick) {
      for (Iterator<int[]> it = leaving.iterator(); it.hasNext(); ) {
        if (--it.next()[0] == 0) {
          it.remove();
        }
      }
      for (Iterator<SimMember> it = fresh.iterator(); it.hasNext(); ) {
        SimMember m = it.next();
        if (m.ticksToHealthy > 0 && --m.ticksToHealthy == 0) {
          m.healthy = true;
        }
        if (m.ticksToCrash > 0 && --m.ticksToCrash == 0) {
          it.remove(); // failed: gone from the active members, the next step replaces it
        }
      }
    }
  }

  private static int boundFor(int target) {
    return (target + 2) * (MAX_TICKS_TO_HEALTHY + 2);
  }

  @Property(tries = 300)
  void upgradeFinishesWhenEveryNewInstanceBecomesHealthy(
      @ForAll @IntRange(min = 1, max = 20) int n,
      @ForAll @IntRange(min = 0, max = 100) int mPercent,
      @ForAll @IntRange(min = 0, max = 100) int oPercent,
      @ForAll long seed) {
    Sim sim = new Sim(seed, n, n, mPercent, oPercent, Outcome.ALL_HEALTHY);

    Run run = sim.run(boundFor(n));

    assertThat(run.done()).as("done within %d ticks", boundFor(n)).isTrue();
    assertThat(run.launched()).isEqualTo(n);
  }

  @Property(tries = 300)
  void slowDrainsDoNotStallTheUpgrade(
      @ForAll @IntRange(min = 1, max = 20) int n,
      @ForAll @IntRange(min = 0, max = 100) int mPercent,
      @ForAll @IntRange(min = 0, max = 100) int oPercent,
      @ForAll long seed) {
    Sim sim = new Sim(seed, n, n, mPercent, oPercent, Outcome.ALL_HEALTHY);
    sim.maxTicksToDrain = SLOW_DRAIN_TICKS;

    Run run = sim.run(boundFor(n));

    assertThat(run.done()).as("done within %d ticks while drains take up to %d", boundFor(n), SLOW_DRAIN_TICKS)
        .isTrue();
  }

  @Property(tries = 300)
  void upgradeNeverDrainsBelowMinimumWhenSomeNewNeverBecomeHealthy(
      @ForAll @IntRange(min = 1, max = 20) int n,
      @ForAll @IntRange(min = 0, max = 100) int mPercent,
      @ForAll @IntRange(min = 0, max = 100) int oPercent,
      @ForAll long seed) {
    new Sim(seed, n, n, mPercent, oPercent, Outcome.SOME_NEVER_HEALTHY).run(boundFor(n) * 2);
  }

  @Property(tries = 300)
  void upgradeWaitsAtTheMinimumWhenNoNewBecomesHealthy(
      @ForAll @IntRange(min = 1, max = 20) int n,
      @ForAll @IntRange(min = 0, max = 100) int mPercent,
      @ForAll @IntRange(min = 0, max = 100) int oPercent,
      @ForAll long seed) {
    Sim sim = new Sim(seed, n, n, mPercent, oPercent, Outcome.NONE_HEALTHY);

    Run run = sim.run(boundFor(n) * 2);

    assertThat(run.done()).isFalse();
    assertThat(sim.old).as("exactly the minimum of old ones is kept").hasSize(sim.minHealthy);
  }

  @Property(tries = 300)
  void upgradeWithAScaleConvergesToTheNewTarget(
      @ForAll @IntRange(min = 0, max = 20) int oldCount,
      @ForAll @IntRange(min = 0, max = 20) int target,
      @ForAll @IntRange(min = 0, max = 100) int mPercent,
      @ForAll @IntRange(min = 0, max = 100) int oPercent,
      @ForAll long seed) {
    Sim sim = new Sim(seed, oldCount, target, mPercent, oPercent, Outcome.ALL_HEALTHY);

    Run run = sim.run(boundFor(Math.max(oldCount, target)));

    assertThat(run.done()).isTrue();
    assertThat(run.launched()).isEqualTo(target);
  }
}
