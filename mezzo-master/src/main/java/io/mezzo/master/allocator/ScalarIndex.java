package io.mezzo.master.allocator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Dense indices for the scalar resource names of one allocation cycle, so that the cycle can keep
 * amounts in {@code long[]} (milli-units) instead of maps. Grows as names are met. Confined to the
 * cycle that owns it.
 */
final class ScalarIndex {
  private final Map<String, Integer> index = new HashMap<>();
  private final List<String> names = new ArrayList<>();

  int of(String name) {
    Integer i = index.get(name);
    if (i == null) {
      i = names.size();
      index.put(name, i);
      names.add(name);
    }
    return i;
  }

  /** The index of {@code name}, or -1 when it was never met. */
  int find(String name) {
    Integer i = index.get(name);
    return i == null ? -1 : i;
  }

  String name(int i) {
    return names.get(i);
  }

  int size() {
    return names.size();
  }

  static long milli(double value) {
    return Math.round(value * 1000.0);
  }
}
