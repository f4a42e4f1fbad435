package io.mezzo.master.allocator;

import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Resources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Dominant Resource Fairness, coarse-grained as in Mesos's hierarchical allocator: each agent's whole
 * available bundle goes to the framework with the lowest dominant share that does not filter it.
 *
 * <p>A framework's dominant share is the largest, over the scalar resources the cluster has, of its
 * allocation divided by the cluster total (Ghodsi et al., "Dominant Resource Fairness: Fair
 * Allocation of Multiple Resource Types", NSDI 2011). After each grant the share is recomputed, so a
 * cycle over many agents spreads them by share rather than giving them all to one framework. Ties
 * break on framework id for determinism. Bundles below the minimum allocatable amount (0.01 cpus or
 * 32 MB, Mesos's default) are not offered.
 *
 * <p>Stateless and thread-safe.
 */
final class DrfAllocator implements Allocator {
  private static final double MIN_CPUS = 0.01;
  private static final double MIN_MEM = 32;

  @Override
  public List<Allocation> allocate(AllocationView view) {
    List<Allocation> out = new ArrayList<>();
    if (view.frameworks().isEmpty() || view.agents().isEmpty()) {
      return out;
    }
    Resources total = Resources.EMPTY;
    for (AllocationView.AgentView a : view.agents()) {
      total = total.plus(a.total());
    }
    Map<String, Double> totals = total.scalarMap();
    Map<FrameworkId, Resources> allocated = new HashMap<>();
    for (AllocationView.FrameworkView f : view.frameworks()) {
      allocated.put(f.id(), f.allocated());
    }
    Comparator<AllocationView.FrameworkView> byShare = Comparator
        .<AllocationView.FrameworkView>comparingDouble(f -> share(allocated.get(f.id()), totals))
        .thenComparing(f -> f.id().value());

    for (AllocationView.AgentView agent : view.agents()) {
      Resources bundle = agent.available();
      if (!allocatable(bundle)) {
        continue;
      }
      PriorityQueue<AllocationView.FrameworkView> queue = new PriorityQueue<>(byShare);
      for (AllocationView.FrameworkView f : view.frameworks()) {
        if (!f.suppressed()) {
          queue.add(f);
        }
      }
      while (!queue.isEmpty()) {
        AllocationView.FrameworkView f = queue.poll();
        AllocationView.Filter filter = f.filters().get(agent.id());
        if (filter != null && filter.blocks(bundle, view.nowNanos())) {
          continue;
        }
        out.add(new Allocation(f.id(), agent.id(), bundle));
        allocated.put(f.id(), allocated.get(f.id()).plus(bundle));
        break;
      }
    }
    return out;
  }

  static double share(Resources allocated, Map<String, Double> totals) {
    double max = 0;
    for (Map.Entry<String, Double> e : totals.entrySet()) {
      if (e.getValue() > 0) {
        max = Math.max(max, allocated.scalar(e.getKey()) / e.getValue());
      }
    }
    return max;
  }

  static boolean allocatable(Resources r) {
    return r.scalar("cpus") >= MIN_CPUS || r.scalar("mem") >= MIN_MEM;
  }
}
