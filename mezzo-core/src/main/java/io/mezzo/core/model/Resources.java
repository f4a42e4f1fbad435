package io.mezzo.core.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable bag of resources with the arithmetic the allocator and the agents need: scalars
 * (cpus, mem, disk, gpus, ...), ranges (ports) and sets, each keyed by name.
 *
 * <p>Scalars are kept in fixed point with three decimals, as Mesos does, so that repeated adding and
 * subtracting of {@code 0.1} cpus never drifts. All values are unreserved (role {@code *}); roles and
 * reservations belong to the allocator issue and are rejected here with a clear message.
 */
public final class Resources {
  public static final Resources EMPTY =
      new Resources(Collections.emptySortedMap(), Collections.emptySortedMap(), Collections.emptySortedMap());

  private static final double SCALE = 1000.0;

  private final SortedMap<String, Long> scalars; // milli-units, > 0
  private final SortedMap<String, RangeSet> ranges; // non-empty
  private final SortedMap<String, SortedSet<String>> sets; // non-empty

  private Resources(
      SortedMap<String, Long> scalars,
      SortedMap<String, RangeSet> ranges,
      SortedMap<String, SortedSet<String>> sets) {
    this.scalars = scalars;
    this.ranges = ranges;
    this.sets = sets;
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
      if (r.role() != null && !r.role().equals("*")) {
        throw new IllegalArgumentException(
            where + ".role: '" + r.role() + "' (expected: '*'; reserved resources are not supported yet)");
      }
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
          b.scalar(r.name(), r.scalar().value());
        }
        case RANGES -> {
          if (r.ranges() == null || r.ranges().range() == null) {
            throw new IllegalArgumentException(where + ".ranges: missing (expected: {\"range\":[...]})");
          }
          try {
            b.ranges(r.name(), RangeSet.of(r.ranges().range()));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "." + e.getMessage(), e);
          }
        }
        case SET -> {
          if (r.set() == null || r.set().item() == null) {
            throw new IllegalArgumentException(where + ".set: missing (expected: {\"item\":[...]})");
          }
          b.set(r.name(), r.set().item());
        }
        default -> throw new IllegalArgumentException(where + ".type: " + r.type());
      }
    }
    return b.build();
  }

  /**
   * Parses the Mesos command-line syntax: {@code cpus:4;mem:8192;disk:20000;ports:[31000-32000]},
   * with sets as {@code {a,b}}. Names may carry {@code (*)}; any other role is rejected.
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
      int paren = name.indexOf('(');
      if (paren >= 0) {
        String role = name.substring(paren + 1, name.length() - (name.endsWith(")") ? 1 : 0));
        if (!role.equals("*")) {
          throw new IllegalArgumentException(
              "resources: role '" + role + "' of " + name.substring(0, paren)
                  + " (expected: '*'; reserved resources are not supported yet)");
        }
        name = name.substring(0, paren);
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
          b.ranges(name, RangeSet.of(list));
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
          b.set(name, items);
        } else {
          double d = Double.parseDouble(value);
          if (!(d >= 0) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("negative or not finite");
          }
          b.scalar(name, d);
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "resources: '" + item + "' (" + e.getMessage()
                + "; expected: a number >= 0, [begin-end,...] or {a,b})", e);
      }
    }
    return b.build();
  }

  public double scalar(String name) {
    Long v = scalars.get(name);
    return v == null ? 0.0 : v / SCALE;
  }

  public RangeSet ranges(String name) {
    RangeSet r = ranges.get(name);
    return r == null ? RangeSet.EMPTY : r;
  }

  public Map<String, Double> scalarMap() {
    Map<String, Double> out = new LinkedHashMap<>();
    scalars.forEach((k, v) -> out.put(k, v / SCALE));
    return out;
  }

  public boolean isEmpty() {
    return scalars.isEmpty() && ranges.isEmpty() && sets.isEmpty();
  }

  public Resources plus(Resources other) {
    if (other.isEmpty()) {
      return this;
    }
    Builder b = toBuilder();
    other.scalars.forEach((k, v) -> b.scalars.merge(k, v, Long::sum));
    other.ranges.forEach((k, v) -> b.ranges.merge(k, v, RangeSet::plus));
    other.sets.forEach((k, v) -> b.sets.computeIfAbsent(k, x -> new TreeSet<>()).addAll(v));
    return b.build();
  }

  /** Subtracts what both hold; amounts that {@code other} has beyond this are ignored. */
  public Resources minus(Resources other) {
    if (other.isEmpty()) {
      return this;
    }
    Builder b = toBuilder();
    other.scalars.forEach((k, v) -> b.scalars.computeIfPresent(k, (x, mine) -> mine - v));
    other.ranges.forEach((k, v) -> b.ranges.computeIfPresent(k, (x, mine) -> mine.minus(v)));
    other.sets.forEach((k, v) -> b.sets.computeIfPresent(k, (x, mine) -> {
      mine.removeAll(v);
      return mine;
    }));
    return b.build();
  }

  /** True when every amount in {@code other} is held here. */
  public boolean contains(Resources other) {
    for (Map.Entry<String, Long> e : other.scalars.entrySet()) {
      if (scalars.getOrDefault(e.getKey(), 0L) < e.getValue()) {
        return false;
      }
    }
    for (Map.Entry<String, RangeSet> e : other.ranges.entrySet()) {
      if (!ranges(e.getKey()).contains(e.getValue())) {
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

  /** The wire form, scalars first, each with role {@code *}. */
  public List<Resource> toList() {
    List<Resource> out = new ArrayList<>();
    scalars.forEach((k, v) -> out.add(Resource.scalar(k, v / SCALE)));
    ranges.forEach((k, v) -> out.add(Resource.ranges(k, v.ranges())));
    sets.forEach((k, v) -> out.add(
        new Resource(k, Resource.Type.SET, null, null, new Resource.ItemSet(List.copyOf(v)), "*")));
    return out;
  }

  /** The {@code /master/state} form: {@code {"cpus":4.0,"ports":"[31000-32000]"}}. */
  public Map<String, Object> toStateMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String s : List.of("cpus", "mem", "disk", "gpus")) {
      out.put(s, scalar(s));
    }
    scalars.forEach((k, v) -> out.put(k, v / SCALE));
    ranges.forEach((k, v) -> out.put(k, v.toString()));
    sets.forEach((k, v) -> out.put(k, "{" + String.join(", ", v) + "}"));
    return out;
  }

  private Builder toBuilder() {
    Builder b = new Builder();
    b.scalars.putAll(scalars);
    b.ranges.putAll(ranges);
    sets.forEach((k, v) -> b.sets.put(k, new TreeSet<>(v)));
    return b;
  }

  /** Mesos text form, such as {@code cpus:1;mem:128;ports:[31000-31000]}. */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    scalars.forEach((k, v) -> {
      double d = v / SCALE;
      parts.add(k + ":" + (d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d)));
    });
    ranges.forEach((k, v) -> parts.add(k + ":" + v.toString().replace(" ", "")));
    sets.forEach((k, v) -> parts.add(k + ":{" + String.join(",", v) + "}"));
    return String.join(";", parts);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Resources r
        && scalars.equals(r.scalars)
        && ranges.equals(r.ranges)
        && sets.equals(r.sets);
  }

  @Override
  public int hashCode() {
    return scalars.hashCode() * 31 + ranges.hashCode() * 17 + sets.hashCode();
  }

  /** Accumulates resources; zero scalars and empty ranges or sets are dropped on build. */
  public static final class Builder {
    private final SortedMap<String, Long> scalars = new TreeMap<>();
    private final SortedMap<String, RangeSet> ranges = new TreeMap<>();
    private final SortedMap<String, SortedSet<String>> sets = new TreeMap<>();

    public Builder scalar(String name, double value) {
      scalars.merge(name, Math.round(value * SCALE), Long::sum);
      return this;
    }

    public Builder ranges(String name, RangeSet value) {
      ranges.merge(name, value, RangeSet::plus);
      return this;
    }

    public Builder set(String name, List<String> items) {
      sets.computeIfAbsent(name, x -> new TreeSet<>()).addAll(items);
      return this;
    }

    public Resources build() {
      scalars.values().removeIf(v -> v <= 0);
      ranges.values().removeIf(RangeSet::isEmpty);
      sets.values().removeIf(SortedSet::isEmpty);
      if (scalars.isEmpty() && ranges.isEmpty() && sets.isEmpty()) {
        return EMPTY;
      }
      SortedMap<String, SortedSet<String>> frozenSets = new TreeMap<>();
      sets.forEach((k, v) -> frozenSets.put(k, Collections.unmodifiableSortedSet(new TreeSet<>(v))));
      return new Resources(
          Collections.unmodifiableSortedMap(new TreeMap<>(scalars)),
          Collections.unmodifiableSortedMap(new TreeMap<>(ranges)),
          Collections.unmodifiableSortedMap(frozenSets));
    }
  }
}
