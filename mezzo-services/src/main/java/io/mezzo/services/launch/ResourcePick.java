package io.mezzo.services.launch;

import io.mezzo.core.model.Offer;
import io.mezzo.core.model.RangeSet;
import io.mezzo.core.model.Resource;
import io.mezzo.core.model.Resource.ReservationInfo;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.Roles;
import io.mezzo.services.app.AppDefinition;
import io.mezzo.services.app.PortDefinition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one instance of an app takes from what is left of an offer, or why it cannot: the outcome of
 * {@link #take}. Pure and immutable.
 *
 * <p>Which resources an app may take: the unreserved ones, and those reserved to the app's role
 * ({@code *} when unset) or to an ancestor of it (Mesos offers a role what is reserved to its ancestors
 * too). Reserved resources are taken first, most specific reservation first, so that a role's
 * reservation is used before the shared pool (as Marathon does). A value the app takes keeps its
 * reservation stack and gets the offer's {@code allocation_info}, so that the master finds it in the
 * offer (it compares per reservation, see {@code OfferOperations}).
 *
 * <p>Ports: {@code requirePorts} with a non-zero {@code port} needs exactly that port; any other port
 * definition takes the lowest free port of the first eligible reservation that has one. Fixed ports are
 * chosen before dynamic ones so that a dynamic pick never takes a port a fixed definition needs. The
 * task's {@code ports} resources list one range per port in {@code portDefinitions} order: the agent
 * numbers {@code PORT0..n} in the order the ranges are listed, so the order is the contract. A port
 * is assumed to appear under one reservation only, as an agent has each port once.
 *
 * @param taken what the instance takes, under its reservations (to subtract from the offer)
 * @param wire the task's resources in the wire form: scalars, then ports in port order
 * @param ports the host ports, in {@code portDefinitions} order
 * @param shortfalls why the instance does not fit ({@code "cpus: 0.5 offered, 1.0 needed"}); empty
 *     when it fits, and then the other fields are set
 */
record ResourcePick(Resources taken, List<Resource> wire, List<Integer> ports, List<String> shortfalls) {
  private static final List<String> SCALARS = List.of("cpus", "mem", "disk");

  ResourcePick {
    wire = List.copyOf(wire);
    ports = List.copyOf(ports);
    shortfalls = List.copyOf(shortfalls);
  }

  boolean fits() {
    return shortfalls.isEmpty();
  }

  /** One reservation stack's resources that the app may use. */
  private record Pool(List<ReservationInfo> stack, Resources resources) {
    String role() {
      return stack.isEmpty() ? Roles.DEFAULT : stack.get(stack.size() - 1).role();
    }
  }

  /**
   * What one instance of {@code app} takes from {@code remaining}.
   *
   * @param allocationRole the {@code allocation_info.role} the offer's resources carry (null: none)
   */
  static ResourcePick take(Resources remaining, AppDefinition app, String allocationRole) {
    String role = app.role() == null ? Roles.DEFAULT : app.role();
    List<Pool> pools = pools(remaining, role);
    List<String> shortfalls = new ArrayList<>();
    Resources.Builder scalars = new Resources.Builder();
    for (String name : SCALARS) {
      long needed = millis(need(app, name));
      long offered = 0;
      for (Pool p : pools) {
        offered += millis(p.resources().scalar(name));
      }
      if (needed > offered) {
        shortfalls.add(name + ": " + offered / 1000.0 + " offered, " + needed / 1000.0 + " needed");
        continue;
      }
      for (Pool p : pools) {
        long part = Math.min(needed, millis(p.resources().scalar(name)));
        if (part > 0) {
          scalars.scalar(p.stack(), name, part / 1000.0);
          needed -= part;
        }
      }
    }

    List<PortDefinition> defs = app.portDefinitions();
    Integer[] chosen = new Integer[defs.size()];
    Pool[] from = new Pool[defs.size()];
    Set<Long> used = new HashSet<>();
    for (int i = 0; i < defs.size(); i++) {
      int fixed = defs.get(i).port();
      if (!app.requirePorts() || fixed == 0) {
        continue;
      }
      for (Pool p : pools) {
        if (!used.contains((long) fixed) && p.resources().ranges("ports").contains(RangeSet.range(fixed, fixed))) {
          chosen[i] = fixed;
          from[i] = p;
          used.add((long) fixed);
          break;
        }
      }
      if (chosen[i] == null) {
        shortfalls.add("ports: " + fixed + " not offered, needed (requirePorts)");
      }
    }
    int dynamic = 0;
    for (int i = 0; i < defs.size(); i++) {
      if (!app.requirePorts() || defs.get(i).port() == 0) {
        dynamic++;
      }
    }
    List<Long> free = new ArrayList<>();
    List<Pool> freeFrom = new ArrayList<>();
    long freeCount = 0;
    for (Pool p : pools) {
      RangeSet left = p.resources().ranges("ports").minus(rangesOf(used));
      freeCount += left.size();
      for (Long port : left.first(dynamic - free.size())) {
        free.add(port);
        freeFrom.add(p);
      }
    }
    if (free.size() < dynamic) {
      shortfalls.add("ports: " + freeCount + " free, " + dynamic + " needed");
    }
    if (!shortfalls.isEmpty()) {
      return new ResourcePick(Resources.EMPTY, List.of(), List.of(), shortfalls);
    }
    int next = 0;
    for (int i = 0; i < defs.size(); i++) {
      if (chosen[i] == null) {
        chosen[i] = free.get(next).intValue();
        from[i] = freeFrom.get(next);
        next++;
      }
    }

    Resources scalarPart = scalars.build();
    List<Resource> wire = new ArrayList<>(scalarPart.toList(allocationRole));
    Resources.Builder taken = new Resources.Builder().add(scalarPart);
    Offer.AllocationInfo allocation = allocationRole == null ? null : new Offer.AllocationInfo(allocationRole);
    for (int i = 0; i < chosen.length; i++) {
      Pool p = from[i];
      taken.ranges(p.stack(), "ports", RangeSet.range(chosen[i], chosen[i]));
      wire.add(new Resource("ports", Resource.Type.RANGES, null,
          new Resource.RangeList(List.of(new Resource.Range(chosen[i], chosen[i]))), null, p.role(),
          p.stack().isEmpty() ? null : p.stack(), allocation));
    }
    return new ResourcePick(taken.build(), wire, List.of(chosen), List.of());
  }

  /** Reserved pools the role may use, deepest reservation first, then the unreserved pool. */
  private static List<Pool> pools(Resources remaining, String role) {
    List<Pool> reserved = new ArrayList<>();
    List<Pool> unreserved = new ArrayList<>();
    remaining.forEachReservation((stack, resources) -> {
      Pool p = new Pool(stack, resources);
      if (stack.isEmpty()) {
        unreserved.add(p);
      } else if (!role.equals(Roles.DEFAULT) && Roles.isSelfOrAncestor(p.role(), role)) {
        reserved.add(p);
      }
    });
    reserved.sort((a, b) -> Integer.compare(b.role().length(), a.role().length()));
    reserved.addAll(unreserved);
    return reserved;
  }

  private static double need(AppDefinition app, String name) {
    return switch (name) {
      case "cpus" -> app.cpus();
      case "mem" -> app.mem();
      case "disk" -> app.disk();
      default -> throw new IllegalStateException("BUG: scalar " + name + " (expected: cpus, mem or disk)");
    };
  }

  /** Resources keeps scalars in thousandths; so does the matching, so that sums never drift. */
  private static long millis(double value) {
    return Math.round(value * 1000.0);
  }

  private static RangeSet rangesOf(Set<Long> ports) {
    RangeSet out = RangeSet.EMPTY;
    for (long p : ports) {
      out = out.plus(RangeSet.range(p, p));
    }
    return out;
  }
}
