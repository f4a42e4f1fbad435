package io.mezzo.balancer.algorithm;

import java.util.ArrayList;
import java.util.List;

/** Backend sets for the tests: ids {@code b00, b01, ...} on 10.0.0.x:8080. Thread: stateless. */
final class Fixtures {
  private Fixtures() {}

  static Backend backend(String id, int weight) {
    return Backend.of(id, "10.0.0." + Math.floorMod(id.hashCode(), 250), 8080, weight);
  }

  static List<Backend> backends(int n) {
    List<Backend> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(backend(String.format("b%02d", i), 1));
    }
    return list;
  }

  static BackendSet set(int... weights) {
    List<Backend> list = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      list.add(backend(String.format("b%02d", i), weights[i]));
    }
    return BackendSet.of(list);
  }
}
