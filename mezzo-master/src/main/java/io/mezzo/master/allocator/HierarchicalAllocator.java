package io.mezzo.master.allocator;

import java.util.List;

/**
 * Hierarchical Dominant Resource Fairness with roles, weights, quota and reservations, after Mesos's
 * hierarchical allocator (Mesos docs: "Roles", "Weights", "Quota", "Reservation"; Ghodsi et al.,
 * "Dominant Resource Fairness: Fair Allocation of Multiple Resource Types", NSDI 2011).
 *
 * <p>One cycle, over the view's agents in the order given:
 * <ol>
 *   <li><b>Quota stage.</b> While some role has an unmet guarantee, each agent is offered, in DRF
 *       order, to frameworks of roles whose guarantee (or an ancestor's) is unmet: unreserved values
 *       of guaranteed names up to the unmet amount, values reserved to the role or its ancestors,
 *       and other names only as far as the headroom allows. Guarantees are thus met before anything
 *       else, whenever the agents can meet them.
 *   <li><b>Fair stage.</b> What remains of each agent goes, whole, to the first framework in
 *       hierarchical DRF order that can take it: among sibling roles the lowest dominant share
 *       divided by weight, recursively down the role tree, then within the role the framework with
 *       the lowest dominant share in it; ties break on names. Unreserved values are held back so
 *       that what stays unoffered covers every unmet guarantee (quota headroom).
 * </ol>
 * Throughout: an offer never takes a role (with its subtree, offers and reserved values included)
 * beyond the limits of the role or any ancestor; reserved values go only to frameworks of that role
 * or its descendants; suppressed roles get nothing; a framework's filter on an agent blocks offers it
 * contains until it expires; offers below 0.01 cpus and 32 MB are not made; shares are updated after
 * every offer and nothing is offered twice. Ranges and sets (ports) of a reservation go with the
 * first offer that takes scalars from it.
 *
 * <p>Departures from Mesos, on purpose: agents are taken in the view's order, not shuffled (the
 * master decides the order, tests stay deterministic); unallocated reservations do not count
 * towards a role's consumed quota (headroom is therefore held back conservatively); in a cycle over
 * part of the cluster, the headroom counts only that part's agents as available, so partial cycles
 * hold back at least as much as full ones.
 *
 * <p>Stateless and thread-safe: each call works on its own {@link AllocationCycle}.
 */
final class HierarchicalAllocator implements Allocator {
  @Override
  public List<Allocation> allocate(AllocationView view) {
    if (view.agents().isEmpty() || view.frameworks().isEmpty()) {
      return List.of();
    }
    return new AllocationCycle(view).run();
  }
}
