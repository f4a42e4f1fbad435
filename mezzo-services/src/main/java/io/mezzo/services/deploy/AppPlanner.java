package io.mezzo.services.deploy;

import io.mezzo.services.app.KillSelection;
import io.mezzo.services.app.UnreachableStrategy;
import io.mezzo.services.app.UpgradeStrategy;
import io.mezzo.services.instance.InstanceState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One tick's decision for one app: how many instances to launch, which to drain, and whether the
 * app's deployment is done. Pure: the services scheduler builds an {@link AppView} from its state on
 * every tick, applies the {@link AppStep}, and asks again next tick; tests and simulations call the
 * same code with virtual time.
 *
 * <p>The rules:
 * <ul>
 *   <li>An instance counts towards the app while it is PROVISIONED, STAGING, STARTING or RUNNING, and
 *       while UNREACHABLE for less than the app's {@code unreachableStrategy.inactiveAfterSeconds}
 *       (always, when the strategy is disabled); after that it is replaced. Instances DRAINING or
 *       KILLING are leaving: they count for nothing but hold a deployment open.
 *   <li>StopApplication drains every instance; it is done when none is left.
 *   <li>While instances of another version than {@code configVersion} count, the app is upgraded by
 *       {@link RollingUpgrade} under its {@code upgradeStrategy}; otherwise its count is kept by
 *       {@link ScalePlan}. Either drains in the app's {@code killSelection} order, unhealthy first.
 *   <li>A deployment is done when no old instance counts, exactly {@code target} current ones count,
 *       all healthy (and ready), and none is leaving (the removed ones are gone, as Marathon's
 *       deployments end once old tasks are terminal).
 * </ul>
 *
 * <p>Stateless; thread-safe.
 */
public final class AppPlanner {
  private AppPlanner() {}

  /**
   * What the scheduler knows of one instance. {@code healthy} means RUNNING and passing the app's
   * health check (and its readiness check, during a deployment); for apps without health checks,
   * RUNNING.
   */
  public record InstanceView(String id, String version, InstanceState state, boolean healthy, Instant startedAt,
      Instant stateSince) {
    public InstanceView {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(stateSince, "stateSince");
    }
  }

  /**
   * One app as the planner sees it.
   *
   * @param target the app's instance count
   * @param configVersion the version whose instances are current (older ones are replaced)
   * @param action the running deployment's action, or null when none runs
   * @param instances every instance not yet terminal
   */
  public record AppView(int target, UpgradeStrategy strategy, KillSelection killSelection,
      UnreachableStrategy unreachable, String configVersion, Deployment.Action action, List<InstanceView> instances) {
    public AppView {
      if (target < 0) {
        throw new IllegalArgumentException("target: " + target + " (expected: >= 0)");
      }
      Objects.requireNonNull(strategy, "strategy");
      Objects.requireNonNull(killSelection, "killSelection");
      Objects.requireNonNull(unreachable, "unreachable");
      Objects.requireNonNull(configVersion, "configVersion");
      instances = List.copyOf(instances);
    }
  }

  /** What to do now: launch {@code launch} more, drain {@code drain}, and whether the deployment is done. */
  public record AppStep(int launch, List<String> drain, boolean deploymentDone, String explanation) {
    public AppStep {
      drain = List.copyOf(drain);
    }
  }

  /** Decides one tick for {@code v} at {@code now}. */
  public static AppStep plan(AppView v, Instant now) {
    if (v.action() == Deployment.Action.StopApplication) {
      List<String> drain = new ArrayList<>();
      for (InstanceView i : v.instances()) {
        if (!isLeaving(i.state())) {
          drain.add(i.id());
        }
      }
      return new AppStep(0, drain, v.instances().isEmpty(),
          v.instances().size() + " instance(s) left to stop");
    }
    List<Member> old = new ArrayList<>();
    List<Member> fresh = new ArrayList<>();
    int leaving = 0;
    for (InstanceView i : v.instances()) {
      if (isLeaving(i.state())) {
        leaving++;
      } else if (counts(i, v.unreachable(), now)) {
        Member m = new Member(i.id(), i.healthy(), i.startedAt());
        (i.version().equals(v.configVersion()) ? fresh : old).add(m);
      }
    }
    if (!old.isEmpty()) {
      RollingUpgrade.UpgradeStep step = RollingUpgrade.next(new RollingUpgrade.UpgradeView(v.target(),
          v.strategy().minimumHealthCapacity(), v.strategy().maximumOverCapacity(), old, fresh, leaving),
          v.killSelection());
      return new AppStep(step.launch(), step.drain(), false, step.explanation());
    }
    ScalePlan.ScaleStep step = ScalePlan.scale(v.target(), fresh, v.killSelection());
    boolean done = step.launch() == 0 && step.drain().isEmpty() && leaving == 0 && fresh.size() == v.target()
        && fresh.stream().allMatch(Member::healthy);
    long healthy = fresh.stream().filter(Member::healthy).count();
    return new AppStep(step.launch(), step.drain(), done, fresh.size() + " of " + v.target() + " running, " + healthy
        + " healthy" + (leaving > 0 ? ", " + leaving + " leaving" : ""));
  }

  /** True when {@code i} counts towards its app at {@code now}. */
  public static boolean counts(InstanceView i, UnreachableStrategy unreachable, Instant now) {
    if (i.state().isActive()) {
      return true;
    }
    if (i.state() != InstanceState.UNREACHABLE) {
      return false;
    }
    return !unreachable.enabled() || now.isBefore(i.stateSince().plusSeconds(unreachable.inactiveAfterSeconds()));
  }

  private static boolean isLeaving(InstanceState s) {
    return s == InstanceState.DRAINING || s == InstanceState.KILLING;
  }
}
