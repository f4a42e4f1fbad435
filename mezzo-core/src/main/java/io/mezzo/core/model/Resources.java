package io.mezzo.core.model;

import io.mezzo.core.model.Resource.ReservationInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.ObjDoubleConsumer;

/**
 * An immutable bag of resources with the arithmetic the allocator, the master and the agents need:
 * scalars (cpus, mem, disk, gpus, ...), ranges (ports) and sets, each keyed by name and reservation.
 *
 * <p>A value is either unreserved or reserved: reserved values carry their reservation stack
 * (Mesos's refined format, see {@link Resource}) and the last entry's role is the role they are
 * reserved to. {@code cpus:4} unreserved and {@code cpus(eng):2} reserved to {@code eng} are distinct
 * values: {@link #contains}, {@link #minus} and {@link #plus} work per reservation. Readers such as
 * {@link #scalar}, {@link #ranges} and {@link #scalarMap} sum over all reservations.
 *
 * <p>Scalars are kept in fixed point with three decimals, as Mesos does, so that repeated adding and
 * subtracting of {@code 0.1} cpus never drifts.
 */
public final class Resources {
  private static final List<ReservationInfo> UNRESERVED = List.of();

  /** Unreserved first; then stack by stack, entry by entry (role, type, principal); shorter first. */
  private static final Comparator<List<ReservationInfo>> STACK_ORDER = (a, b) -> {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      ReservationInfo x = a.get(i);
      ReservationInfo y = b.get(i);
      int c = x.role().compareTo(y.role());
      if (c == 0) {
        c = x.type().compareTo(y.type());
      }
      if (c == 0) {
        c = Objects.compare(x.principal(), y.principal(), Comparator.nullsFirst(Comparator.naturalOrder()));
      }
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  };

  // ordered like every other instance: a naturally ordered empty map throws on get(List) (lists are not Comparable)
  public static final Resources EMPTY = new Resources(Collections.unmodifiableSortedMap(new TreeMap<>(STACK_ORDER)));

  private static final double SCALE = 1000.0;
  /** The longest resource name accepted. */
  public static final int MAX_NAME_LENGTH = 256;

  private final SortedMap<List<ReservationInfo>, Bag> bags; // no empty bags

  private Resources(SortedMap<List<ReservationInfo>, Bag> bags) {
    this.bags = bags;
  }

  /** Builds resources from the wire form, summing repeated names; rejects malformed entries. */
  public static Resources of(List<Resource> list) {
    Builder b = new Builder();
    if (list == null) {
      return EMPTY;
    }
    for (int i = 0; i < list.size(); i++) {
      Resource r = list.get(i);
      String where = "resources[" + i + "]";
      if (r == null || r.name() == null || r.name().isBlank()) {
        throw new IllegalArgumentException(where + ".name: missing (expected: a resource name)");
      }
      if (r.name().length() > MAX_NAME_LENGTH) {
        // names are keys in the state JSON; parsers refuse keys this long (Jackson: over 50,000 chars)
        throw new IllegalArgumentException(where + ".name: " + r.name().length() + " characters (expected: at most "
            + MAX_NAME_LENGTH + ")");
      }
      List<ReservationInfo> stack = stackOf(r, where);
      if (r.type() == null) {
        throw new IllegalArgumentException(where + ".type: missing (expected: SCALAR, RANGES or SET)");
      }
      switch (r.type()) {
        case SCALAR -> {
          if (r.scalar() == null || !(r.scalar().value() >= 0) || Double.isInfinite(r.scalar().value())) {
            throw new IllegalArgumentException(
                where + ".scalar: " + (r.scalar() == null ? "missing" : r.scalar().value())
                    + " (expected: a finite value >= 0)");
          }
          b.scalar(stack, r.name(), r.scalar().value());
        }
        case RANGES -> {
          if (r.ranges() == null || r.ranges().range() == null) {
            throw new IllegalArgumentException(where + ".ranges: missing (expected: {\"range\":[...]})");
          }
          try {
            b.ranges(stack, r.name(), RangeSet.of(r.ranges().range()));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "." + e.getMessage(), e);
          }
        }
        case SET -> {
          if (r.set() == null || r.set().item() == null) {
            throw new IllegalArgumentException(where + ".set: missing (expected: {\"item\":[...]})");
          }
          b.set(stack, r.name(), r.set().item());
        }
        default -> throw new IllegalArgumentException(where + ".type: " + r.type());
      }
    }
    return b.build();
  }

  private static List<ReservationInfo> stackOf(Resource r, String where) {
    List<ReservationInfo> stack = r.reservations();
    if (stack == null || stack.isEmpty()) {
      if (r.role() == null || r.role().equals(Roles.DEFAULT)) {
        return UNRESERVED;
      }
      return List.of(ReservationInfo.staticFor(validRole(r.role(), where + ".role")));
    }
    String previous = null;
    for (int j = 0; j < stack.size(); j++) {
      ReservationInfo info = stack.get(j);
      String at = where + ".reservations[" + j + "]";
      if (info == null || info.type() == null) {
        throw new IllegalArgumentException(at + ".type: missing (expected: STATIC or DYNAMIC)");
      }
      String role = validRole(info.role(), at + ".role");
      if (previous != null && !Roles.isAncestor(previous, role)) {
        throw new IllegalArgumentException(
            at + ".role: '" + role + "' (expected: a descendant of the previous reservation's role '"
                + previous + "')");
      }
      previous = role;
    }
    if (r.role() != null && !r.role().equals(Roles.DEFAULT) && !r.role().equals(previous)) {
      throw new IllegalArgumentException(
          where + ".role: '" + r.role() + "' (expected: absent, '*' or the last reservation's role '"
              + previous + "')");
    }
    return List.copyOf(stack);
  }

  private static String validRole(String role, String field) {
    if (role == null || role.equals(Roles.DEFAULT) || !Roles.isValid(role)) {
      String why;
      try {
        Roles.validate(role);
        why = "(expected: a role other than '*' to reserve to)";
      } catch (IllegalArgumentException e) {
        why = e.getMessage().substring(e.getMessage().indexOf('('));
      }
      throw new IllegalArgumentException(field + ": " + (role == null ? "missing" : "'" + role + "'") + " " + why);
    }
    return role;
  }

  /**
   * Parses the Mesos agent syntax: {@code cpus:4;cpus(eng):2;mem(eng/web):512;ports(*):[31000-32000]},
   * with sets as {@code {a,b}}. A name with {@code (role)} is statically reserved to that role;
   * {@code (*)} or none means unreserved.
   */
  public static Resources parse(String text) {
    Builder b = new Builder();
    if (text == null || text.isBlank()) {
      return EMPTY;
    }
    for (String part : text.split(";")) {
      String item = part.trim();
      if (item.isEmpty()) {
        continue;
      }
      int colon = item.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException(
            "resources: '" + item + "' (expected: name:value, such as cpus:2 or ports:[31000-32000])");
      }
      String name = item.substring(0, colon).trim();
      String value = item.substring(colon + 1).trim();
      List<ReservationInfo> stack = UNRESERVED;
      int paren = name.indexOf('(');
      if (paren >= 0) {
        if (!name.endsWith(")")) {
          throw new IllegalArgumentException(
              "resources: '" + item + "' (expected: name(role):value, such as cpus(eng):2)");
        }
        String role = name.substring(paren + 1, name.length() - 1);
        name = name.substring(0, paren).trim();
        if (!role.equals(Roles.DEFAULT)) {
          stack = List.of(ReservationInfo.staticFor(validRole(role, "resources: role of '" + item + "'")));
        }
      }
      try {
        if (value.startsWith("[")) {
          if (!value.endsWith("]")) {
            throw new IllegalArgumentException("missing ']'");
          }
          List<Resource.Range> list = new ArrayList<>();
          String inner = value.substring(1, value.length() - 1).trim();
          if (!inner.isEmpty()) {
            for (String r : inner.split(",")) {
              String[] ends = r.trim().split("-");
              if (ends.length != 2) {
                throw new IllegalArgumentException("range '" + r.trim() + "'");
              }
              list.add(new Resource.Range(Long.parseLong(ends[0].trim()), Long.parseLong(ends[1].trim())));
            }
          }
          b.ranges(stack, name, RangeSet.of(list));
        } else if (value.startsWith("{")) {
          if (!value.endsWith("}")) {
            throw new IllegalArgumentException("missing '}'");
          }
          List<String> items = new ArrayList<>();
          for (String s : value.substring(1, value.length() - 1).split(",")) {
            if (!s.isBlank()) {
              items.add(s.trim());
            }
          }
          b.set(stack, name, items);
        } else {
          double d = Double.parseDouble(value);
          if (!(d >= 0) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("negative or not finite");
          }
          b.scalar(stack, name, d);
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "resources: '" + item + "' (" + e.getMessage()
                + "; expected: a number >= 0, [begin-end,...] or {a,b})", e);
      }
    }
    return b.build();
  }

  // ------------------------------------------------------------------ readers (sum over reservations)

  /** The amount of scalar {@code name}, summed over all reservations. */
  public double scalar(String name) {
    long sum = 0;
    for (Bag bag : bags.values()) {
      sum += bag.scalars.getOrDefault(name, 0L);
    }
    return sum / SCALE;
  }

  /** The ranges of {@code name}, united over all reservations. */
  public RangeSet ranges(String name) {
    RangeSet out = RangeSet.EMPTY;
    for (Bag bag : bags.values()) {
      RangeSet r = bag.ranges.get(name);
      if (r != null) {
        out = out.plus(r);
      }
    }
    return out;
  }

  /** Every scalar by name, summed over all reservations, in name order: the input of shares. */
  public Map<String, Double> scalarMap() {
    SortedMap<String, Long> sums = new TreeMap<>();
    for (Bag bag : bags.values()) {
      bag.scalars.forEach((k, v) -> sums.merge(k, v, Long::sum));
    }
    Map<String, Double> out = new LinkedHashMap<>();
    sums.forEach((k, v) -> out.put(k, v / SCALE));
    return out;
  }

  /** Visits every scalar value as (name, amount), once per reservation it is held under. */
  public void forEachScalar(ObjDoubleConsumer<String> consumer) {
    for (Bag bag : bags.values()) {
      bag.scalars.forEach((k, v) -> consumer.accept(k, v / SCALE));
    }
  }

  /**
   * Visits the resources reservation by reservation: the unreserved part first (with an empty
   * stack), then each reservation stack with the resources held under it.
   */
  public void forEachReservation(BiConsumer<List<ReservationInfo>, Resources> consumer) {
    bags.forEach((stack, bag) -> consumer.accept(stack, single(stack, bag)));
  }

  public boolean isEmpty() {
    return bags.isEmpty();
  }

  /** The ranges and sets only, under their reservations: what is left after dropping every scalar. */
  public Resources withoutScalars() {
    SortedMap<List<ReservationInfo>, Bag> out = new TreeMap<>(STACK_ORDER);
    bags.forEach((stack, bag) -> {
      if (!bag.ranges.isEmpty() || !bag.sets.isEmpty()) {
        out.put(stack, bag.scalars.isEmpty() ? bag : new Bag(Collections.emptySortedMap(), bag.ranges, bag.sets));
      }
    });
    return out.isEmpty() ? EMPTY : new Resources(Collections.unmodifiableSortedMap(out));
  }

  /** The values held under exactly {@code reservations} (empty: the unreserved values). */
  public Resources under(List<ReservationInfo> reservations) {
    Bag bag = bags.get(reservations);
    return bag == null ? EMPTY : single(reservations, bag);
  }

  /** Receives one scalar value with the reservation stack it is held under. */
  @FunctionalInterface
  public interface ReservedScalarConsumer {
    void accept(List<ReservationInfo> reservations, String name, double value);
  }

  /** Visits every scalar value with its reservation stack (empty: unreserved), without copying. */
  public void forEachReservedScalar(ReservedScalarConsumer consumer) {
    bags.forEach((stack, bag) -> bag.scalars.forEach((k, v) -> consumer.accept(stack, k, v / SCALE)));
  }


  /** True when some value is reserved. */
  public boolean hasReservations() {
    return bags.size() > 1 || (!bags.isEmpty() && !bags.firstKey().isEmpty());
  }

  /** The roles values are reserved to (the last entry of each stack), in order. */
  public Set<String> reservationRoles() {
    Set<String> out = new TreeSet<>();
    for (List<ReservationInfo> stack : bags.keySet()) {
      if (!stack.isEmpty()) {
        out.add(stack.get(stack.size() - 1).role());
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ reservations

  /** The unreserved values only. */
  public Resources unreserved() {
    Bag bag = bags.get(UNRESERVED);
    return bag == null ? EMPTY : single(UNRESERVED, bag);
  }

  /** Every reserved value, whatever its role. */
  public Resources reserved() {
    return hasReservations() ? filter(stack -> !stack.isEmpty()) : EMPTY;
  }

  /** The values reserved to exactly {@code role} (the last entry of their stack). */
  public Resources reservedTo(String role) {
    return hasReservations() ? filter(stack -> !stack.isEmpty() && roleOf(stack).equals(role)) : EMPTY;
  }

  /**
   * What a framework in {@code role} may be offered, per Mesos's rules for hierarchical roles: the
   * unreserved values plus those reserved to {@code role} or to one of its ancestors.
   */
  public Resources allocatableTo(String role) {
    if (!hasReservations()) {
      return this;
    }
    return filter(stack -> stack.isEmpty() || Roles.isSelfOrAncestor(roleOf(stack), role));
  }

  /** Reserves every value dynamically to {@code role} (a refinement for values already reserved). */
  public Resources reserve(String role) {
    return reserve(ReservationInfo.dynamicFor(role, null));
  }

  /**
   * Pushes {@code reservation} onto every value's stack. Values already reserved may only be refined
   * to a descendant of their role, as in Mesos.
   */
  public Resources reserve(ReservationInfo reservation) {
    if (reservation == null || reservation.type() == null) {
      throw new IllegalArgumentException("reservation.type: missing (expected: STATIC or DYNAMIC)");
    }
    String role = validRole(reservation.role(), "reservation.role");
    Builder b = new Builder();
    bags.forEach((stack, bag) -> {
      if (!stack.isEmpty() && !Roles.isAncestor(roleOf(stack), role)) {
        throw new IllegalArgumentException(
            "reservation.role: '" + role + "' (expected: a descendant of '" + roleOf(stack)
                + "', the role the resources are already reserved to)");
      }
      List<ReservationInfo> next = new ArrayList<>(stack);
      next.add(reservation);
      b.add(List.copyOf(next), bag);
    });
    return b.build();
  }

  /** Pops the last reservation of every reserved value: {@code eng/web} refinements go back to {@code eng}. */
  public Resources unreserve() {
    if (!hasReservations()) {
      return this;
    }
    Builder b = new Builder();
    bags.forEach((stack, bag) ->
        b.add(stack.isEmpty() ? stack : List.copyOf(stack.subList(0, stack.size() - 1)), bag));
    return b.build();
  }

  private Resources filter(java.util.function.Predicate<List<ReservationInfo>> keep) {
    SortedMap<List<ReservationInfo>, Bag> out = new TreeMap<>(STACK_ORDER);
    bags.forEach((stack, bag) -> {
      if (keep.test(stack)) {
        out.put(stack, bag);
      }
    });
    if (out.size() == bags.size()) {
      return this;
    }
    return out.isEmpty() ? EMPTY : new Resources(Collections.unmodifiableSortedMap(out));
  }

  private static Resources single(List<ReservationInfo> stack, Bag bag) {
    SortedMap<List<ReservationInfo>, Bag> m = new TreeMap<>(STACK_ORDER);
    m.put(stack, bag);
    return new Resources(Collections.unmodifiableSortedMap(m));
  }

  private static String roleOf(List<ReservationInfo> stack) {
    return stack.get(stack.size() - 1).role();
  }

  // ------------------------------------------------------------------ arithmetic (per reservation)

  public Resources plus(Resources other) {
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    Builder b = new Builder();
    bags.forEach(b::add);
    other.bags.forEach(b::add);
    return b.build();
  }

  /** Subtracts what both hold under the same reservation; amounts only {@code other} has are ignored. */
  public Resources minus(Resources other) {
    if (other.isEmpty() || isEmpty()) {
      return this;
    }
    Builder b = new Builder();
    bags.forEach(b::add);
    other.bags.forEach((stack, bag) -> {
      Bag.Mutable mine = b.bags.get(stack);
      if (mine != null) {
        mine.subtract(bag);
      }
    });
    return b.build();
  }

  /** True when every amount in {@code other} is held here under the same reservation. */
  public boolean contains(Resources other) {
    for (Map.Entry<List<ReservationInfo>, Bag> e : other.bags.entrySet()) {
      Bag mine = bags.get(e.getKey());
      if (mine == null || !mine.contains(e.getValue())) {
        return false;
      }
    }
    return true;
  }

  // ------------------------------------------------------------------ output

  /** The wire form, unreserved values first; reserved values carry their {@code reservations}. */
  public List<Resource> toList() {
    return toList(null);
  }

  /**
   * The wire form with every value's {@code allocation_info} set to {@code allocationRole}, as offers
   * to MULTI_ROLE frameworks carry it ({@code null}: no allocation info).
   */
  public List<Resource> toList(String allocationRole) {
    Offer.AllocationInfo info = allocationRole == null ? null : new Offer.AllocationInfo(allocationRole);
    List<Resource> out = new ArrayList<>();
    bags.forEach((stack, bag) -> {
      String role = stack.isEmpty() ? Roles.DEFAULT : roleOf(stack);
      List<ReservationInfo> reservations = stack.isEmpty() ? null : stack;
      bag.scalars.forEach((k, v) -> out.add(new Resource(
          k, Resource.Type.SCALAR, new Resource.Scalar(v / SCALE), null, null, role, reservations, info)));
      bag.ranges.forEach((k, v) -> out.add(new Resource(
          k, Resource.Type.RANGES, null, new Resource.RangeList(v.ranges()), null, role, reservations, info)));
      bag.sets.forEach((k, v) -> out.add(new Resource(
          k, Resource.Type.SET, null, null, new Resource.ItemSet(List.copyOf(v)), role, reservations, info)));
    });
    return out;
  }

  /** The {@code /master/state} form, summed over reservations: {@code {"cpus":4.0,"ports":"[31000-32000]"}}. */
  public Map<String, Object> toStateMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String s : List.of("cpus", "mem", "disk", "gpus")) {
      out.put(s, scalar(s));
    }
    out.putAll(scalarMap());
    SortedMap<String, RangeSet> ranges = new TreeMap<>();
    SortedMap<String, SortedSet<String>> sets = new TreeMap<>();
    for (Bag bag : bags.values()) {
      bag.ranges.forEach((k, v) -> ranges.merge(k, v, RangeSet::plus));
      bag.sets.forEach((k, v) -> sets.computeIfAbsent(k, x -> new TreeSet<>()).addAll(v));
    }
    ranges.forEach((k, v) -> out.put(k, v.toString()));
    sets.forEach((k, v) -> out.put(k, "{" + String.join(", ", v) + "}"));
    return out;
  }

  /**
   * Mesos text form, such as {@code cpus:1;mem:128;ports:[31000-31000];cpus(eng):2}. Reserved values
   * show only the role they are reserved to, not the type or principal of their reservations.
   */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    bags.forEach((stack, bag) -> {
      String suffix = stack.isEmpty() ? "" : "(" + roleOf(stack) + ")";
      bag.scalars.forEach((k, v) -> {
        double d = v / SCALE;
        parts.add(k + suffix + ":" + (d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d)));
      });
      bag.ranges.forEach((k, v) -> parts.add(k + suffix + ":" + v.toString().replace(" ", "")));
      bag.sets.forEach((k, v) -> parts.add(k + suffix + ":{" + String.join(",", v) + "}"));
    });
    return String.join(";", parts);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Resources r && bags.equals(r.bags);
  }

  @Override
  public int hashCode() {
    return bags.hashCode();
  }

  /** Immutable values under one reservation stack, keyed by name; never empty once built. */
  private record Bag(
      SortedMap<String, Long> scalars, SortedMap<String, RangeSet> ranges, SortedMap<String, SortedSet<String>> sets) {

    boolean contains(Bag other) {
      for (Map.Entry<String, Long> e : other.scalars.entrySet()) {
        if (scalars.getOrDefault(e.getKey(), 0L) < e.getValue()) {
          return false;
        }
      }
      for (Map.Entry<String, RangeSet> e : other.ranges.entrySet()) {
        RangeSet mine = ranges.get(e.getKey());
        if (mine == null || !mine.contains(e.getValue())) {
          return false;
        }
      }
      for (Map.Entry<String, SortedSet<String>> e : other.sets.entrySet()) {
        SortedSet<String> mine = sets.get(e.getKey());
        if (mine == null || !mine.containsAll(e.getValue())) {
          return false;
        }
      }
      return true;
    }

    /** A bag being accumulated by a {@link Builder}. */
    static final class Mutable {
      final SortedMap<String, Long> scalars = new TreeMap<>();
      final SortedMap<String, RangeSet> ranges = new TreeMap<>();
      final SortedMap<String, SortedSet<String>> sets = new TreeMap<>();

      void add(Bag bag) {
        bag.scalars.forEach((k, v) -> scalars.merge(k, v, Long::sum));
        bag.ranges.forEach((k, v) -> ranges.merge(k, v, RangeSet::plus));
        bag.sets.forEach((k, v) -> sets.computeIfAbsent(k, x -> new TreeSet<>()).addAll(v));
      }

      void subtract(Bag bag) {
        bag.scalars.forEach((k, v) -> scalars.computeIfPresent(k, (x, mine) -> mine - v));
        bag.ranges.forEach((k, v) -> ranges.computeIfPresent(k, (x, mine) -> mine.minus(v)));
        bag.sets.forEach((k, v) -> sets.computeIfPresent(k, (x, mine) -> {
          mine.removeAll(v);
          return mine;
        }));
      }

      /** The frozen bag, or null when nothing is left. */
      Bag freeze() {
        scalars.values().removeIf(v -> v <= 0);
        ranges.values().removeIf(RangeSet::isEmpty);
        sets.values().removeIf(SortedSet::isEmpty);
        if (scalars.isEmpty() && ranges.isEmpty() && sets.isEmpty()) {
          return null;
        }
        // hands its maps over: the builder drops this Mutable on build
        SortedMap<String, SortedSet<String>> frozenSets = sets.isEmpty() ? Collections.emptySortedMap() : new TreeMap<>();
        sets.forEach((k, v) -> frozenSets.put(k, Collections.unmodifiableSortedSet(v)));
        return new Bag(
            scalars.isEmpty() ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(scalars),
            ranges.isEmpty() ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(ranges),
            frozenSets);
      }
    }
  }

  /**
   * Accumulates resources, unreserved unless a reservation stack is given; zero scalars and empty
   * ranges or sets are dropped on build.
   */
  public static final class Builder {
    private final SortedMap<List<ReservationInfo>, Bag.Mutable> bags = new TreeMap<>(STACK_ORDER);

    private Bag.Mutable bag(List<ReservationInfo> stack) {
      return bags.computeIfAbsent(stack, k -> new Bag.Mutable());
    }

    void add(List<ReservationInfo> stack, Bag bag) {
      bag(stack).add(bag);
    }

    public Builder scalar(String name, double value) {
      return scalar(UNRESERVED, name, value);
    }

    public Builder ranges(String name, RangeSet value) {
      return ranges(UNRESERVED, name, value);
    }

    public Builder set(String name, List<String> items) {
      return set(UNRESERVED, name, items);
    }

    /** Adds a scalar held under {@code reservations} (empty: unreserved). */
    public Builder scalar(List<ReservationInfo> reservations, String name, double value) {
      bag(reservations).scalars.merge(name, Math.round(value * SCALE), Long::sum);
      return this;
    }

    public Builder ranges(List<ReservationInfo> reservations, String name, RangeSet value) {
      bag(reservations).ranges.merge(name, value, RangeSet::plus);
      return this;
    }

    public Builder set(List<ReservationInfo> reservations, String name, List<String> items) {
      bag(reservations).sets.computeIfAbsent(name, x -> new TreeSet<>()).addAll(items);
      return this;
    }

    /** Adds everything in {@code resources}, keeping its reservations. */
    public Builder add(Resources resources) {
      resources.bags.forEach(this::add);
      return this;
    }

    /** The resources accumulated so far; the builder is left empty, ready for new values. */
    public Resources build() {
      SortedMap<List<ReservationInfo>, Bag> out = new TreeMap<>(STACK_ORDER);
      bags.forEach((stack, mutable) -> {
        Bag bag = mutable.freeze();
        if (bag != null) {
          out.put(List.copyOf(stack), bag);
        }
      });
      bags.clear();
      return out.isEmpty() ? EMPTY : new Resources(Collections.unmodifiableSortedMap(out));
    }
  }
}
