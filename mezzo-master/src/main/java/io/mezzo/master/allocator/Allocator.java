package io.mezzo.master.allocator;

import java.util.List;

/**
 * Decides which framework is offered which agent's available resources. Implementations are pure:
 * they read the view and return decisions, with no I/O, threads or clock reads, so that tests and
 * simulations run exactly the production code.
 */
public interface Allocator {
  List<Allocation> allocate(AllocationView view);

  /** Dominant Resource Fairness across frameworks (Ghodsi et al., NSDI 2011). */
  static Allocator drf() {
    return new DrfAllocator();
  }
}
