package io.mezzo.services.deploy;

import io.mezzo.services.app.KillSelection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Scaling an app outside an upgrade: launch the missing instances, or drain the surplus ones, unhealthy
 * first, then in the app's kill order ({@code YOUNGEST_FIRST}: not started yet, then latest started;
 * {@code OLDEST_FIRST}: the opposite). Pure and stateless; the scheduler calls {@link #scale} on its
 * loop thread and applies the {@link ScaleStep}.
 */
public final class ScalePlan {

  private ScalePlan() {}

  /**
   * What to do to reach the target count.
   *
   * @param launch how many instances to launch beyond those in {@code active} (0 when draining); an
   *     instance queued for launch belongs in {@code active} from then on, or it is launched twice
   * @param drain the ids of the instances to drain, in removal order (empty when launching)
   * @param explanation one sentence for the status and the log
   */
  public record ScaleStep(int launch, List<String> drain, String explanation) {

    public ScaleStep {
      drain = List.copyOf(drain);
    }

    /** True when the app already runs exactly its target count. */
    public boolean steady() {
      return launch == 0 && drain.isEmpty();
    }
  }

  /**
   * The step from {@code active} (the app's instances that count towards its instances: not leaving,
   * not gone) to {@code target} instances.
   */
  public static ScaleStep scale(int target, List<Member> active, KillSelection order) {
    if (target < 0) {
      throw new IllegalArgumentException("target: " + target + " (expected: >= 0)");
    }
    Objects.requireNonNull(active, "active");
    Objects.requireNonNull(order, "order");
    KillOrder.requireDistinctIds("active", active, new HashSet<>());
    int n = active.size();
    if (n < target) {
      return new ScaleStep(target - n, List.of(), "scaling " + n + " -> " + target + ": launching " + (target - n));
    }
    if (n > target) {
      List<String> drain = KillOrder.firstToGo(active, n - target, order).stream().map(Member::id).toList();
      return new ScaleStep(0, drain,
          "scaling " + n + " -> " + target + ": draining " + drain.size() + " (" + order + ", unhealthy first)");
    }
    return new ScaleStep(0, List.of(), "steady at " + target);
  }
}
