package io.mezzo.master.allocator;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.Resource.ReservationInfo;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.Roles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One run of the {@link HierarchicalAllocator} over one {@link AllocationView}: the agents'
 * remaining resources as {@code long[]} per reservation (milli-units), the {@link RoleTree}, the
 * quota headroom, and the decisions so far. Used once, by one thread.
 */
final class AllocationCycle {
  private static final long MIN_CPUS = 10; // 0.01 cpus
  private static final long MIN_MEM = 32_000; // 32 MB

  private final AllocationView view;
  private final ScalarIndex index = new ScalarIndex();
  private final List<AgentState> agents;
  private final RoleTree tree;
  private final int size;
  private final int cpus;
  private final int mem;
  /** Unreserved resources not yet offered on this cycle's agents: the available quota headroom. */
  private final long[] available;
  private final List<Allocation> out = new ArrayList<>();

  // scratch for plan(): valid for the last client plan() accepted
  private final long[] limitLeft;
  private final long[] guaranteeLeft;
  private final long[] reservedTaken;
  private final long[] taken;
  private final long[] unreservedTake;
  private long[][] reservedTake = new long[0][];
  private boolean[] reservedUsable = new boolean[0];
  private Resources planned;

  /** An agent's remaining scalars under one reservation stack. */
  private static final class Bucket {
    final List<ReservationInfo> stack;
    final String role; // null: unreserved
    long[] scalars;
    boolean nonScalarsGiven;

    Bucket(List<ReservationInfo> stack, int size) {
      this.stack = stack;
      this.role = stack.isEmpty() ? null : stack.get(stack.size() - 1).role();
      this.scalars = new long[size];
    }

    long get(int i) {
      return i < scalars.length ? scalars[i] : 0;
    }

    void add(int i, long amount) {
      if (i >= scalars.length) {
        scalars = Arrays.copyOf(scalars, i + 1);
      }
      scalars[i] += amount;
    }
  }

  private static final class AgentState {
    final AgentId id;
    final Resources available;
    Bucket unreserved;
    Bucket[] reserved = new Bucket[0];
    List<RoleTree.Client> offeredTo; // clients that already got part of this agent, for merging
    List<Integer> offerIndex;

    AgentState(AgentId id, Resources available) {
      this.id = id;
      this.available = available;
    }

    Bucket bucket(List<ReservationInfo> stack, int size) {
      if (stack.isEmpty()) {
        if (unreserved == null) {
          unreserved = new Bucket(stack, size);
        }
        return unreserved;
      }
      for (Bucket b : reserved) {
        if (b.stack.equals(stack)) {
          return b;
        }
      }
      Bucket b = new Bucket(stack, size);
      reserved = Arrays.copyOf(reserved, reserved.length + 1);
      reserved[reserved.length - 1] = b;
      return b;
    }
  }

  AllocationCycle(AllocationView view) {
    this.view = view;
    view.clusterTotal().forEachScalar((name, v) -> index.of(name));
    view.roles().values().forEach(c -> {
      c.guarantees().keySet().forEach(index::of);
      c.limits().keySet().forEach(index::of);
    });
    index.of("cpus");
    index.of("mem");
    agents = new ArrayList<>(view.agents().size());
    for (AllocationView.AgentView a : view.agents()) {
      agents.add(state(a));
    }
    size = index.size();
    cpus = index.find("cpus");
    mem = index.find("mem");
    long[] total = new long[size];
    view.clusterTotal().forEachScalar((name, v) -> total[index.find(name)] += ScalarIndex.milli(v));
    tree = new RoleTree(view, index, total);
    available = new long[size];
    for (AgentState a : agents) {
      if (a.unreserved != null) {
        RoleTree.add(available, a.unreserved.scalars);
      }
    }
    limitLeft = new long[size];
    guaranteeLeft = new long[size];
    reservedTaken = new long[size];
    taken = new long[size];
    unreservedTake = new long[size];
  }

  private AgentState state(AllocationView.AgentView a) {
    AgentState s = new AgentState(a.id(), a.available());
    a.available().forEachReservedScalar((stack, name, v) ->
        s.bucket(stack, index.size()).add(index.of(name), ScalarIndex.milli(v)));
    return s;
  }

  List<Allocation> run() {
    if (tree.root.clientsInSubtree == 0) {
      return out;
    }
    if (tree.quotaUnmet()) {
      for (AgentState a : agents) {
        while (tree.quotaUnmet()) {
          RoleTree.Client c = walk(tree.root, a, true);
          if (c == null) {
            break;
          }
          apply(c, a);
        }
      }
    }
    for (AgentState a : agents) {
      while (worthWalking(a)) {
        RoleTree.Client c = walk(tree.root, a, false);
        if (c == null) {
          break;
        }
        apply(c, a);
      }
    }
    return out;
  }

  /** Visits clients in hierarchical DRF order; returns the first that {@link #plan} accepts. */
  private RoleTree.Client walk(RoleTree.Node node, AgentState a, boolean quotaStage) {
    if (node.clients != null) {
      for (RoleTree.Client c : node.clients) {
        if (plan(c, a, quotaStage)) {
          return c;
        }
      }
      return null;
    }
    for (RoleTree.Node child : node.children) {
      if (child.clientsInSubtree == 0 || (quotaStage && !child.quotaRelated)) {
        continue;
      }
      RoleTree.Client c = walk(child, a, quotaStage);
      if (c != null) {
        return c;
      }
    }
    return null;
  }

  /** False when no client could be offered anything of this agent in stage 2. */
  private boolean worthWalking(AgentState a) {
    for (Bucket b : a.reserved) {
      if (allocatable(b.get(cpus), b.get(mem)) && tree.hasTakerFor(b.role)) {
        return true;
      }
    }
    Bucket u = a.unreserved;
    return u != null && allocatable(headroomCap(cpus, u.get(cpus)), headroomCap(mem, u.get(mem)));
  }

  private long headroomCap(int i, long amount) {
    long required = tree.required[i];
    return required > 0 ? Math.min(amount, Math.max(0, available[i] - required)) : amount;
  }

  private static boolean allocatable(long cpuMillis, long memMillis) {
    return cpuMillis >= MIN_CPUS || memMillis >= MIN_MEM;
  }

  /**
   * Decides what {@code c} would be offered of {@code a} into the scratch arrays: the values
   * reserved to its role or an ancestor, then unreserved values, all within the limits of its role
   * and ancestors. In the quota stage, unreserved values of guaranteed names go up to the unmet
   * guarantee and the offer must make progress on it; elsewhere they leave the quota headroom
   * untouched. Returns false when the offer would be empty, below the minimum, or filtered.
   */
  private boolean plan(RoleTree.Client c, AgentState a, boolean quotaStage) {
    RoleTree.Node role = c.role;
    String roleName = role.name;
    boolean limited = role.limitInChain;
    if (limited) {
      Arrays.fill(limitLeft, RoleTree.UNLIMITED);
      for (RoleTree.Node x = role; x != tree.root; x = x.parent) {
        if (x.limit != null) {
          for (int i = 0; i < size; i++) {
            limitLeft[i] = Math.min(limitLeft[i], Math.max(0, x.limit[i] - x.alloc[i]));
          }
        }
      }
    }
    if (quotaStage) {
      Arrays.fill(guaranteeLeft, RoleTree.UNLIMITED);
      for (RoleTree.Node x = role; x != tree.root; x = x.parent) {
        if (x.guarantee != null) {
          for (int i = 0; i < size; i++) {
            if (x.guarantee[i] > 0) {
              guaranteeLeft[i] = Math.min(guaranteeLeft[i], Math.max(0, x.guarantee[i] - x.alloc[i]));
            }
          }
        }
      }
      Arrays.fill(reservedTaken, 0);
    }
    Arrays.fill(taken, 0);
    boolean progress = false;
    if (reservedTake.length < a.reserved.length) {
      reservedTake = Arrays.copyOf(reservedTake, a.reserved.length);
      reservedUsable = new boolean[a.reserved.length];
    }
    for (int b = 0; b < a.reserved.length; b++) {
      Bucket k = a.reserved[b];
      boolean usable = Roles.isSelfOrAncestor(k.role, roleName);
      reservedUsable[b] = usable;
      if (!usable) {
        continue;
      }
      if (reservedTake[b] == null || reservedTake[b].length < size) {
        reservedTake[b] = new long[size];
      }
      long[] t = reservedTake[b];
      for (int i = 0; i < size; i++) {
        long take = k.get(i);
        if (limited) {
          take = Math.min(take, limitLeft[i]);
          limitLeft[i] -= take;
        }
        t[i] = take;
        taken[i] += take;
        if (quotaStage && take > 0 && guaranteeLeft[i] != RoleTree.UNLIMITED) {
          progress |= guaranteeLeft[i] > 0;
          reservedTaken[i] += take;
        }
      }
    }
    Bucket u = a.unreserved;
    for (int i = 0; i < size; i++) {
      long have = u == null ? 0 : u.get(i);
      if (have == 0) {
        unreservedTake[i] = 0;
        continue;
      }
      long cap = limited ? limitLeft[i] : RoleTree.UNLIMITED;
      if (quotaStage && guaranteeLeft[i] != RoleTree.UNLIMITED) {
        cap = Math.min(cap, Math.max(0, guaranteeLeft[i] - reservedTaken[i]));
        progress |= cap > 0;
      } else if (tree.required[i] > 0) {
        cap = Math.min(cap, Math.max(0, available[i] - tree.required[i]));
      }
      long take = Math.min(have, cap);
      unreservedTake[i] = take;
      taken[i] += take;
    }
    if ((quotaStage && !progress) || !allocatable(taken[cpus], taken[mem])) {
      return false;
    }
    planned = null;
    if (!c.view.filters().isEmpty()) {
      AllocationView.Filter filter = c.view.filters().get(a.id);
      if (filter != null && view.nowNanos() - filter.untilNanos() < 0) {
        planned = build(a);
        if (filter.refused().contains(planned)) {
          return false;
        }
      }
    }
    return true;
  }

  /** The planned offer as resources; the first taker of a reservation also gets its ranges and sets. */
  private Resources build(AgentState a) {
    if (a.reserved.length == 0 && a.unreserved != null && !a.unreserved.nonScalarsGiven
        && !a.available.hasReservations() && takesAll(a.unreserved)) {
      return a.available; // the common case: the whole agent, untouched so far, to one framework
    }
    Resources.Builder b = new Resources.Builder();
    for (int r = 0; r < a.reserved.length; r++) {
      if (reservedUsable[r]) {
        addBucket(b, a, a.reserved[r], reservedTake[r]);
      }
    }
    if (a.unreserved != null) {
      addBucket(b, a, a.unreserved, unreservedTake);
    }
    return b.build();
  }

  private boolean takesAll(Bucket k) {
    for (int i = 0; i < k.scalars.length; i++) {
      if (k.scalars[i] != (i < size ? unreservedTake[i] : 0)) {
        return false;
      }
    }
    return true;
  }

  private void addBucket(Resources.Builder b, AgentState a, Bucket k, long[] take) {
    boolean took = false;
    for (int i = 0; i < size; i++) {
      if (take[i] > 0) {
        b.scalar(k.stack, index.name(i), take[i] / 1000.0);
        took = true;
      }
    }
    if (took && !k.nonScalarsGiven) {
      b.add(a.available.under(k.stack).withoutScalars());
    }
  }

  private void apply(RoleTree.Client c, AgentState a) {
    Resources offer = planned != null ? planned : build(a);
    planned = null;
    for (int r = 0; r < a.reserved.length; r++) {
      if (reservedUsable[r]) {
        take(a.reserved[r], reservedTake[r]);
      }
    }
    if (a.unreserved != null) {
      take(a.unreserved, unreservedTake);
      for (int i = 0; i < size; i++) {
        available[i] -= unreservedTake[i];
      }
    }
    tree.allocate(c, taken);
    if (a.offeredTo == null) {
      a.offeredTo = new ArrayList<>(2);
      a.offerIndex = new ArrayList<>(2);
    }
    int previous = a.offeredTo.indexOf(c);
    if (previous >= 0) {
      int at = a.offerIndex.get(previous);
      Allocation merged = out.get(at);
      out.set(at, new Allocation(merged.framework(), merged.role(), merged.agent(), merged.resources().plus(offer)));
    } else {
      a.offeredTo.add(c);
      a.offerIndex.add(out.size());
      out.add(new Allocation(c.framework, c.role.name, a.id, offer));
    }
  }

  private static void take(Bucket k, long[] take) {
    boolean took = false;
    for (int i = 0; i < k.scalars.length && i < take.length; i++) {
      if (take[i] > k.scalars[i]) {
        throw new IllegalStateException("BUG: offering " + take[i] + " of scalar " + i + " with " + k.scalars[i] + " left");
      }
      k.scalars[i] -= take[i];
      took |= take[i] > 0;
    }
    if (took) {
      k.nonScalarsGiven = true;
    }
  }
}
