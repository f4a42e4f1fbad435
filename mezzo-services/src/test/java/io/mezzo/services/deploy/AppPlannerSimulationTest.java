package io.mezzo.services.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.services.app.KillSelection;
import io.mezzo.services.app.UnreachableStrategy;
import io.mezzo.services.app.UpgradeStrategy;
import io.mezzo.services.instance.InstanceState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Seeded simulations of whole app lives driven by {@link AppPlanner}, on virtual time (one tick is one
 * second): launches take a random number of ticks to run and to turn healthy, drains and kills take
 * time, instances fail at random, agents become unreachable and come back. The planner is called
 * every tick exactly as the scheduler calls it, and its steps are applied to the simulated cluster.
 *
 * <p>What must hold: an upgrade without failures never has fewer healthy current-or-old instances
 * than {@code minimumHealthCapacity} asks; the app converges to exactly its target of healthy
 * current instances once failures stop, with its deployment reported done; an unreachable instance is
 * replaced only after {@code inactiveAfterSeconds}, and when it returns the app goes back to its target.
 */
class AppPlannerSimulationTest {
  private static final Instant T0 = Instant.parse("2026-11-27T00:00:00Z");

  /** The simulated cluster: instances with the tick at which each changes next. */
  private static final class Cluster {
    final Random random;
    final Map<String, Sim> instances = new LinkedHashMap<>();
    int seq;
    int tick;

    Cluster(long seed) {
      random = new Random(seed);
    }

    Instant now() {
      return T0.plusSeconds(tick);
    }

    void launch(String version, int runAfter, int healthyAfter, boolean everHealthy) {
      String id = "i" + (seq++);
      instances.put(id, new Sim(id, version, InstanceState.PROVISIONED, now(), tick + runAfter,
          everHealthy ? tick + runAfter + healthyAfter : Integer.MAX_VALUE));
    }

    List<AppPlanner.InstanceView> views() {
      List<AppPlanner.InstanceView> out = new ArrayList<>();
      for (Sim s : instances.values()) {
        boolean healthy = s.state == InstanceState.RUNNING && tick >= s.healthyAt;
        out.add(new AppPlanner.InstanceView(s.id, s.version, s.state, healthy, s.startedAt, s.since));
      }
      return out;
    }

    /** Advances one tick: launches start, drains end, kills complete. */
    void advance(int drainTicks) {
      tick++;
      for (Iterator<Sim> it = instances.values().iterator(); it.hasNext(); ) {
        Sim s = it.next();
        if (s.state == InstanceState.PROVISIONED && tick >= s.runAt) {
          s.state = InstanceState.RUNNING;
          s.startedAt = now();
          s.since = now();
        } else if (s.state == InstanceState.DRAINING && tick >= s.drainEnd) {
          it.remove();
        }
      }
    }
  }

  private static final class Sim {
    final String id;
    final String version;
    InstanceState state;
    Instant startedAt;
    Instant since;
    final int runAt;
    final int healthyAt;
    int drainEnd;

    Sim(String id, String version, InstanceState state, Instant since, int runAt, int healthyAt) {
      this.id = id;
      this.version = version;
      this.state = state;
      this.since = since;
      this.runAt = runAt;
      this.healthyAt = healthyAt;
    }
  }

  private static AppPlanner.AppStep step(Cluster c, int target, UpgradeStrategy strategy, String version,
      Deployment.Action action, UnreachableStrategy unreachable, int drainTicks, int maxRun, int maxHealthy,
      boolean healthyEver) {
    AppPlanner.AppStep step = AppPlanner.plan(new AppPlanner.AppView(target, strategy, KillSelection.YOUNGEST_FIRST,
        unreachable, version, action, c.views()), c.now());
    for (int k = 0; k < step.launch(); k++) {
      c.launch(version, 1 + c.random.nextInt(maxRun), c.random.nextInt(maxHealthy + 1), healthyEver);
    }
    for (String id : step.drain()) {
      Sim s = c.instances.get(id);
      assertThat(s).as("drained %s exists", id).isNotNull();
      assertThat(s.state).as("drained %s was not leaving", id).isNotIn(InstanceState.DRAINING, InstanceState.KILLING);
      s.state = InstanceState.DRAINING;
      s.since = c.now();
      s.drainEnd = c.tick + drainTicks;
    }
    return step;
  }

  private static long healthyCounting(Cluster c) {
    return c.views().stream().filter(v -> v.healthy() && v.state() == InstanceState.RUNNING).count();
  }

  @Property(tries = 300, seed = "4242")
  void aRollingUpgradeKeepsTheMinimumHealthyAndConverges(
      @ForAll @IntRange(min = 1, max = 12) int target,
      @ForAll @IntRange(min = 0, max = 100) int minHealthPercent,
      @ForAll @IntRange(min = 0, max = 100) int overPercent,
      @ForAll @IntRange(min = 0, max = 5) int drainTicks,
      @ForAll long seed) {
    UpgradeStrategy strategy = new UpgradeStrategy(minHealthPercent / 100.0, overPercent / 100.0);
    Cluster c = new Cluster(seed);
    for (int k = 0; k < target; k++) {
      c.launch("v1", 0, 0, true);
    }
    c.advance(drainTicks);
    c.tick += 1;
    int minHealthy = (int) Math.ceil(target * minHealthPercent / 100.0 - 1e-9);
    boolean done = false;
    for (int t = 0; t < 60 * (target + 2) && !done; t++) {
      long before = healthyCounting(c);
      AppPlanner.AppStep s = step(c, target, strategy, "v2", Deployment.Action.RestartApplication,
          UnreachableStrategy.DEFAULT, drainTicks, 3, 3, true);
      long after = healthyCounting(c);
      assertThat(after).as("healthy after a step at tick %d", c.tick).isGreaterThanOrEqualTo(Math.min(before, minHealthy));
      done = s.deploymentDone();
      c.advance(drainTicks);
    }
    assertThat(done).as("upgrade of %d done", target).isTrue();
    assertThat(c.instances.values()).hasSize(target).allSatisfy(s -> assertThat(s.version).isEqualTo("v2"));
  }

  @Property(tries = 200, seed = "777")
  void randomFailuresAreReplacedAndTheAppConvergesOnceTheyStop(
      @ForAll @IntRange(min = 0, max = 10) int target,
      @ForAll @IntRange(min = 0, max = 30) int failurePercentPerTick,
      @ForAll long seed) {
    Cluster c = new Cluster(seed);
    boolean done = false;
    for (int t = 0; t < 400 && !done; t++) {
      boolean failing = t < 100;
      if (failing && !c.instances.isEmpty() && c.random.nextInt(100) < failurePercentPerTick) {
        List<String> ids = new ArrayList<>(c.instances.keySet());
        c.instances.remove(ids.get(c.random.nextInt(ids.size()))); // TASK_FAILED: gone
      }
      AppPlanner.AppStep s = step(c, target, UpgradeStrategy.DEFAULT, "v1", Deployment.Action.StartApplication,
          UnreachableStrategy.DEFAULT, 2, 3, 2, true);
      long counting = c.views().stream().filter(v -> AppPlanner.counts(v, UnreachableStrategy.DEFAULT, c.now())).count();
      assertThat(counting).as("never more than the target count at tick %d", c.tick).isLessThanOrEqualTo(target);
      done = !failing && s.deploymentDone();
      c.advance(2);
    }
    assertThat(done).isTrue();
    assertThat(c.instances).hasSize(target);
  }

  @Test
  void anUnreachableInstanceIsReplacedOnlyAfterInactiveAfterSecondsAndTheSurplusGoesWhenItReturns() {
    Cluster c = new Cluster(1);
    UnreachableStrategy strategy = new UnreachableStrategy(true, 30, 600);
    c.launch("v1", 0, 0, true);
    c.launch("v1", 0, 0, true);
    c.advance(0);
    Sim lost = c.instances.values().iterator().next();
    lost.state = InstanceState.UNREACHABLE;
    lost.since = c.now();
    for (int t = 0; t < 29; t++) {
      assertThat(step(c, 2, UpgradeStrategy.DEFAULT, "v1", null, strategy, 0, 1, 0, true).launch())
          .as("no replacement %d s after it became unreachable", t).isZero();
      c.advance(0);
    }
    c.advance(0);
    assertThat(step(c, 2, UpgradeStrategy.DEFAULT, "v1", null, strategy, 0, 1, 0, true).launch()).isEqualTo(1);
    for (int t = 0; t < 5; t++) {
      c.advance(0);
      step(c, 2, UpgradeStrategy.DEFAULT, "v1", null, strategy, 0, 1, 0, true);
    }
    // It returns: three run, the youngest (the replacement) is drained.
    lost.state = InstanceState.RUNNING;
    lost.since = c.now();
    AppPlanner.AppStep back = step(c, 2, UpgradeStrategy.DEFAULT, "v1", null, strategy, 0, 1, 0, true);
    assertThat(back.drain()).containsExactly("i2");
    c.advance(0);
    assertThat(c.instances.keySet()).containsExactlyInAnyOrder("i0", "i1");
  }

  @Test
  void stoppingDrainsEverythingAndIsDoneWhenNothingIsLeft() {
    Cluster c = new Cluster(2);
    for (int k = 0; k < 3; k++) {
      c.launch("v1", 0, 0, true);
    }
    c.advance(0);
    AppPlanner.AppStep first = step(c, 3, UpgradeStrategy.DEFAULT, "v1", Deployment.Action.StopApplication,
        UnreachableStrategy.DEFAULT, 3, 1, 0, true);
    assertThat(first.drain()).hasSize(3);
    assertThat(first.deploymentDone()).isFalse();
    for (int t = 0; t < 3; t++) {
      c.advance(3);
      assertThat(step(c, 3, UpgradeStrategy.DEFAULT, "v1", Deployment.Action.StopApplication,
          UnreachableStrategy.DEFAULT, 3, 1, 0, true).drain()).isEmpty();
    }
    c.advance(3);
    assertThat(step(c, 3, UpgradeStrategy.DEFAULT, "v1", Deployment.Action.StopApplication,
        UnreachableStrategy.DEFAULT, 3, 1, 0, true).deploymentDone()).isTrue();
  }

  @Test
  void aNewVersionThatNeverTurnsHealthyNeverTakesTheAppBelowItsMinimum() {
    Cluster c = new Cluster(3);
    for (int k = 0; k < 4; k++) {
      c.launch("v1", 0, 0, true);
    }
    c.advance(0);
    UpgradeStrategy half = new UpgradeStrategy(0.5, 0);
    for (int t = 0; t < 200; t++) {
      AppPlanner.AppStep s = step(c, 4, half, "v2", Deployment.Action.RestartApplication, UnreachableStrategy.DEFAULT,
          1, 2, 0, false);
      assertThat(s.deploymentDone()).isFalse();
      assertThat(healthyCounting(c)).isGreaterThanOrEqualTo(2);
      c.advance(1);
    }
    assertThat(c.instances.values().stream().filter(s -> s.version.equals("v1")).count()).isEqualTo(2);
    assertThat(Duration.ofSeconds(c.tick)).isEqualTo(Duration.ofSeconds(201));
  }

  @Test
  void aStartWhoseInstancesNeverTurnHealthyIsNeverDone() {
    Cluster c = new Cluster(4);
    for (int t = 0; t < 50; t++) {
      AppPlanner.AppStep s = step(c, 2, UpgradeStrategy.DEFAULT, "v1", Deployment.Action.StartApplication,
          UnreachableStrategy.DEFAULT, 0, 2, 0, false);
      assertThat(s.deploymentDone()).as("tick %d", c.tick).isFalse();
      c.advance(0);
    }
    assertThat(c.instances.values()).hasSize(2).allSatisfy(i -> assertThat(i.state).isEqualTo(InstanceState.RUNNING));
  }
}
