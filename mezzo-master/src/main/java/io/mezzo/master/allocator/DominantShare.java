package io.mezzo.master.allocator;

import io.mezzo.core.model.Resources;

/**
 * A holder's dominant share as the {@link HierarchicalAllocator} ranks it: the largest fraction of the
 * cluster total it holds of any scalar resource (milli-unit amounts, every reservation included,
 * names the cluster has none of ignored). The allocator compares these, divided by role weights; this
 * gives the same figure to the dashboard and tools. Pure and stateless.
 */
public final class DominantShare {
  private DominantShare() {}

  /** The dominant share of {@code held} in a cluster of {@code clusterTotal}: 0 for nothing held or an empty cluster. */
  public static double of(Resources held, Resources clusterTotal) {
    ScalarIndex index = new ScalarIndex();
    clusterTotal.forEachScalar((name, v) -> index.of(name));
    long[] total = new long[index.size()];
    clusterTotal.forEachScalar((name, v) -> total[index.find(name)] += ScalarIndex.milli(v));
    double[] inverse = new double[total.length];
    for (int i = 0; i < total.length; i++) {
      inverse[i] = total[i] > 0 ? 1.0 / total[i] : 0;
    }
    return RoleTree.dominantShare(RoleTree.amounts(held, index), inverse);
  }
}
