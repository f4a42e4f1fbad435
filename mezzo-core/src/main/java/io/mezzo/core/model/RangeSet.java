package io.mezzo.core.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable set of non-negative integers kept as sorted, disjoint, non-adjacent inclusive
 * ranges (ports are the main use). All operations return new sets.
 */
public final class RangeSet {
  public static final RangeSet EMPTY = new RangeSet(new long[0]);

  /** begin0, end0, begin1, end1, ... sorted, disjoint and coalesced. */
  private final long[] bounds;

  private RangeSet(long[] bounds) {
    this.bounds = bounds;
  }

  /** Builds a set from ranges in any order, overlapping or not; rejects begin > end or negatives. */
  public static RangeSet of(List<Resource.Range> ranges) {
    List<long[]> list = new ArrayList<>(ranges.size());
    for (Resource.Range r : ranges) {
      if (r.begin() < 0 || r.end() < r.begin()) {
        throw new IllegalArgumentException(
            "range: [" + r.begin() + "-" + r.end() + "] (expected: 0 <= begin <= end)");
      }
      list.add(new long[] {r.begin(), r.end()});
    }
    return normalize(list);
  }

  public static RangeSet range(long begin, long end) {
    return of(List.of(new Resource.Range(begin, end)));
  }

  private static RangeSet normalize(List<long[]> list) {
    list.sort((a, b) -> Long.compare(a[0], b[0]));
    long[] out = new long[list.size() * 2];
    int n = 0;
    for (long[] r : list) {
      if (n > 0 && r[0] <= out[n - 1] + 1) {
        out[n - 1] = Math.max(out[n - 1], r[1]);
      } else {
        out[n++] = r[0];
        out[n++] = r[1];
      }
    }
    return n == 0 ? EMPTY : new RangeSet(Arrays.copyOf(out, n));
  }

  public boolean isEmpty() {
    return bounds.length == 0;
  }

  /** How many integers the set holds. */
  public long size() {
    long size = 0;
    for (int i = 0; i < bounds.length; i += 2) {
      size += bounds[i + 1] - bounds[i] + 1;
    }
    return size;
  }

  public List<Resource.Range> ranges() {
    List<Resource.Range> out = new ArrayList<>(bounds.length / 2);
    for (int i = 0; i < bounds.length; i += 2) {
      out.add(new Resource.Range(bounds[i], bounds[i + 1]));
    }
    return out;
  }

  /** The first {@code count} integers of the set, in order. */
  public List<Long> first(int count) {
    List<Long> out = new ArrayList<>(count);
    for (int i = 0; i < bounds.length && out.size() < count; i += 2) {
      for (long v = bounds[i]; v <= bounds[i + 1] && out.size() < count; v++) {
        out.add(v);
      }
    }
    return out;
  }

  public RangeSet plus(RangeSet other) {
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    List<long[]> list = new ArrayList<>();
    for (int i = 0; i < bounds.length; i += 2) {
      list.add(new long[] {bounds[i], bounds[i + 1]});
    }
    for (int i = 0; i < other.bounds.length; i += 2) {
      list.add(new long[] {other.bounds[i], other.bounds[i + 1]});
    }
    return normalize(list);
  }

  public RangeSet minus(RangeSet other) {
    if (other.isEmpty() || isEmpty()) {
      return this;
    }
    List<long[]> out = new ArrayList<>();
    int j = 0;
    for (int i = 0; i < bounds.length; i += 2) {
      long begin = bounds[i];
      long end = bounds[i + 1];
      while (j < other.bounds.length && other.bounds[j + 1] < begin) {
        j += 2;
      }
      int k = j;
      while (begin <= end && k < other.bounds.length && other.bounds[k] <= end) {
        if (other.bounds[k] > begin) {
          out.add(new long[] {begin, other.bounds[k] - 1});
        }
        begin = Math.max(begin, other.bounds[k + 1] + 1);
        k += 2;
      }
      if (begin <= end) {
        out.add(new long[] {begin, end});
      }
    }
    return normalize(out);
  }

  public boolean contains(RangeSet other) {
    return other.minus(this).isEmpty();
  }

  /** Mesos text form, such as {@code [31000-31005, 31010-31010]}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < bounds.length; i += 2) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(bounds[i]).append('-').append(bounds[i + 1]);
    }
    return sb.append(']').toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RangeSet r && Arrays.equals(bounds, r.bounds);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bounds);
  }
}
