package io.mezzo.services.deploy;

import io.mezzo.services.app.KillSelection;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One step of a rolling replacement of an app's instances by instances of a new version, in the manner
 * of Marathon's {@code TaskReplaceActor}. Pure: {@link #next} reads an {@link UpgradeView} and returns
 * an {@link UpgradeStep}; the scheduler calls it on its loop thread on every tick (and after every
 * status or health change), launches and drains what it says, and calls it again. Since the step is
 * computed afresh from the view, a step that was lost (a leader change, a launch that failed) is simply
 * decided again.
 *
 * <p>The rules, with {@code minHealthy = ceil(target * minimumHealthCapacity)} and
 * {@code maxCapacity = floor(target * (1 + maximumOverCapacity))} (computed in decimal, so that
 * {@code 10 * 0.7} is 7, not 8):
 * <ol>
 *   <li>Fresh members beyond {@code target} (the app was scaled down during the upgrade) are drained,
 *       unhealthy first, then in the app's kill order.
 *   <li>Old members are drained, unhealthy first, then in kill order, as many as can go while the healthy
 *       members kept (old and fresh) still number at least {@code minHealthy}. An unhealthy old member
 *       can always go.
 *   <li>New members are launched while fresh members number fewer than {@code target} and the members
 *       kept (old and fresh, after this step's drains and launches) number at most {@code maxCapacity}.
 *       <b>Members that are leaving (draining or being killed) do not count against
 *       {@code maxCapacity}</b>: they have already been taken out of the app's count, and counting them
 *       would let a long drain period stall the upgrade. Their resources are still held on their agents,
 *       so a launch may wait for an offer until they are gone; that wait is the launcher's business.
 *   <li>When {@code minHealthy == maxCapacity} (which can only happen when both equal {@code target},
 *       e.g. {@code minimumHealthCapacity 1, maximumOverCapacity 0}), no old member could ever be drained
 *       before a new one is launched, nor a new one launched before an old one is drained. Like Marathon
 *       for apps without persistent volumes, this allows a temporary over-capacity of one: the cap is
 *       {@code maxCapacity + 1}, so one new member is launched, and one old member is drained once it is
 *       healthy; the upgrade goes one at a time and the healthy count never drops below
 *       {@code minHealthy}. (Draining an old member first instead would take a one-instance app to
 *       zero healthy instances.)
 *   <li>The step is {@code done} when no old member is left, fresh members number exactly
 *       {@code target}, and every one of them is healthy. Members still leaving do not hold up
 *       {@code done}; a scheduler that wants Marathon's exact end (old tasks terminal) waits for
 *       {@code leaving == 0} itself.
 * </ol>
 *
 * <p>Invariants (checked by {@code RollingUpgradeSimulationTest}): a step never takes the healthy count
 * below {@code minHealthy} (nor lower than it was, when it already was below); a step that launches never
 * takes the kept members above the cap; when every launched member becomes healthy, the upgrade is done
 * within a number of steps bounded by {@code target} times the time to become healthy.
 */
public final class RollingUpgrade {

  private RollingUpgrade() {}

  /**
   * What the scheduler sees of an app being upgraded. Immutable; validated when built.
   *
   * @param target the instance count of the version being deployed, {@code >= 0}
   * @param minimumHealthCapacity the app's {@code upgradeStrategy.minimumHealthCapacity}, in [0, 1]
   * @param maximumOverCapacity the app's {@code upgradeStrategy.maximumOverCapacity}, in [0, 1]
   * @param old the active instances of other versions (any state but leaving or gone)
   * @param fresh the active instances of the target version (any state but leaving or gone)
   * @param leaving how many instances are draining or being killed (still on their agents)
   */
  public record UpgradeView(
      int target,
      double minimumHealthCapacity,
      double maximumOverCapacity,
      List<Member> old,
      List<Member> fresh,
      int leaving) {

    public UpgradeView {
      if (target < 0) {
        throw new IllegalArgumentException("target: " + target + " (expected: >= 0)");
      }
      if (!(minimumHealthCapacity >= 0 && minimumHealthCapacity <= 1)) {
        throw new IllegalArgumentException(
            "minimumHealthCapacity: " + minimumHealthCapacity + " (expected: 0 to 1)");
      }
      if (!(maximumOverCapacity >= 0 && maximumOverCapacity <= 1)) {
        throw new IllegalArgumentException(
            "maximumOverCapacity: " + maximumOverCapacity + " (expected: 0 to 1)");
      }
      if (leaving < 0) {
        throw new IllegalArgumentException("leaving: " + leaving + " (expected: >= 0)");
      }
      old = List.copyOf(Objects.requireNonNull(old, "old"));
      fresh = List.copyOf(Objects.requireNonNull(fresh, "fresh"));
      Set<String> seen = new HashSet<>();
      KillOrder.requireDistinctIds("old", old, seen);
      KillOrder.requireDistinctIds("fresh", fresh, seen);
    }

    /** {@code ceil(target * minimumHealthCapacity)}, computed in decimal. */
    public int minHealthy() {
      return BigDecimal.valueOf(minimumHealthCapacity).multiply(BigDecimal.valueOf(target))
          .setScale(0, RoundingMode.CEILING).intValueExact();
    }

    /** {@code floor(target * (1 + maximumOverCapacity))}, computed in decimal. */
    public int maxCapacity() {
      return BigDecimal.ONE.add(BigDecimal.valueOf(maximumOverCapacity)).multiply(BigDecimal.valueOf(target))
          .setScale(0, RoundingMode.FLOOR).intValueExact();
    }

    /**
     * The most members that may be kept while launching: {@link #maxCapacity()}, plus one when it equals
     * {@link #minHealthy()} (the over-capacity that lets a one-at-a-time upgrade progress).
     */
    public int launchCap() {
      int max = maxCapacity();
      return max == minHealthy() && target > 0 ? max + 1 : max;
    }
  }

  /**
   * What to do now.
   *
   * @param launch how many instances of the target version to launch beyond those in {@code fresh}; the
   *     scheduler must count an instance it has decided to launch (queued behind a backoff or waiting for
   *     an offer) in {@code fresh} from then on, or it would launch it again on the next step
   * @param drain the ids of the instances to drain (old ones, or fresh ones beyond the target)
   * @param done true when the upgrade is complete (then {@code launch} is 0 and {@code drain} empty)
   * @param explanation one sentence for the deployment's status and the log
   */
  public record UpgradeStep(int launch, List<String> drain, boolean done, String explanation) {

    public UpgradeStep {
      drain = List.copyOf(drain);
    }
  }

  /** The next step of the upgrade described by {@code view}, removing members in {@code order}. */
  public static UpgradeStep next(UpgradeView view, KillSelection order) {
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(order, "order");
    int target = view.target();
    int minHealthy = view.minHealthy();

    List<String> drain = new ArrayList<>();
    // 1. fresh members beyond the target; unhealthy first, so the kept ones are the healthiest
    int extraFresh = Math.max(0, view.fresh().size() - target);
    Set<String> drainedFresh = new HashSet<>();
    for (Member m : KillOrder.firstToGo(view.fresh(), extraFresh, order)) {
      drain.add(m.id());
      drainedFresh.add(m.id());
    }
    List<Member> keptFresh = view.fresh().stream().filter(m -> !drainedFresh.contains(m.id())).toList();
    int healthyFresh = count(keptFresh);

    // 2. old members, as many as minHealthy allows
    int healthyOld = count(view.old());
    int healthyOldNeeded = Math.max(0, minHealthy - healthyFresh);
    int healthyOldDrainable = Math.max(0, healthyOld - healthyOldNeeded);
    int unhealthyOld = view.old().size() - healthyOld;
    List<Member> oldDrained = KillOrder.firstToGo(view.old(), unhealthyOld + healthyOldDrainable, order);
    oldDrained.forEach(m -> drain.add(m.id()));
    int keptOld = view.old().size() - oldDrained.size();

    // 3. launches, up to the target and the cap; leaving members do not count
    int cap = view.launchCap();
    int launch = Math.max(0, Math.min(target - keptFresh.size(), cap - keptOld - keptFresh.size()));

    boolean done = view.old().isEmpty() && view.fresh().size() == target && healthyFresh == target;
    return new UpgradeStep(launch, drain, done,
        explain(view, keptFresh.size(), healthyFresh, minHealthy, cap, launch, drain.size(), done));
  }

  private static int count(List<Member> members) {
    return (int) members.stream().filter(Member::healthy).count();
  }

  private static String explain(UpgradeView v, int fresh, int healthyFresh, int minHealthy, int cap,
      int launch, int drain, boolean done) {
    if (done) {
      return "done: " + healthyFresh + " of " + v.target() + " new healthy, no old left"
          + (v.leaving() > 0 ? ", " + v.leaving() + " still leaving" : "");
    }
    return healthyFresh + " of " + v.target() + " new healthy (" + fresh + " launched), " + v.old().size()
        + " old; keeping >= " + minHealthy + " healthy (minimumHealthCapacity " + v.minimumHealthCapacity()
        + ") and <= " + cap + " running (maximumOverCapacity " + v.maximumOverCapacity()
        + (cap > v.maxCapacity() ? ", +1 to go one at a time" : "") + "); launching " + launch
        + ", draining " + drain + (v.leaving() > 0 ? ", " + v.leaving() + " leaving" : "");
  }
}
