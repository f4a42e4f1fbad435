package io.mezzo.master.allocator;

import java.util.List;

/**
 * Decides which framework is offered which agent's available resources. Implementations are pure:
 * they read the view and return decisions, with no I/O, threads or clock reads, so that tests and
 * simulations run exactly the production code. Decisions never offer a resource twice and never
 * offer more of an agent than its {@code available}.
 */
public interface Allocator {
  List<Allocation> allocate(AllocationView view);

  /**
   * Mesos-style hierarchical Dominant Resource Fairness with roles, weights, quota guarantees and
   * limits, and reservations; see {@link HierarchicalAllocator}. Stateless and thread-safe.
   */
  static Allocator drf() {
    return new HierarchicalAllocator();
  }
}
