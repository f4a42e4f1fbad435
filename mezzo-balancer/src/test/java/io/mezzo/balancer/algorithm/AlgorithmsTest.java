package io.mezzo.balancer.algorithm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Label values map to algorithms (Mezzo, HAProxy and marathon-lb names), bad names are rejected with
 * the choices, and every algorithm agrees on the empty and one-backend cases.
 */
class AlgorithmsTest {
  @Test
  void labelValuesGiveTheirAlgorithms() {
    BackendSet set = Fixtures.set(1, 1, 1);
    assertThat(Algorithms.of("round_robin").newPicker(set)).isInstanceOf(RoundRobin.class);
    assertThat(Algorithms.of("least_request").newPicker(set)).isInstanceOf(LeastRequest.class);
    assertThat(Algorithms.of("ewma").newPicker(set)).isInstanceOf(PeakEwma.class);
    assertThat(Algorithms.of("consistent_hash").newPicker(set)).isInstanceOf(Maglev.class);
    assertThat(Algorithms.of("random").newPicker(set)).isInstanceOf(RandomPicker.class);
    assertThat(Algorithms.of("consistent_hash").keySource()).isEqualTo(Algorithm.KeySource.ROUTE);
    assertThat(Algorithms.of("Least_Request ").name()).isEqualTo("least_request");
  }

  @Test
  void haproxyAndMarathonLbNamesAreAccepted() {
    assertThat(Algorithms.of("roundrobin").name()).isEqualTo("round_robin");
    assertThat(Algorithms.of("leastconn").name()).isEqualTo("least_request");
    Algorithm source = Algorithms.of("source");
    assertThat(source.name()).isEqualTo("consistent_hash");
    assertThat(source.keySource()).isEqualTo(Algorithm.KeySource.CLIENT_ADDRESS);
    assertThat(source.newPicker(Fixtures.set(1, 1))).isInstanceOf(Maglev.class);
  }

  @Test
  void anUnknownNameIsRejectedWithTheChoices() {
    assertThatThrownBy(() -> Algorithms.of("fastest")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("balance: 'fastest' (expected: one of round_robin, least_request, ewma, consistent_hash, random)");
    assertThatThrownBy(() -> Algorithms.of(null))
        .hasMessage("balance: null (expected: one of round_robin, least_request, ewma, consistent_hash, random)");
  }

  @Test
  void everyAlgorithmGivesNullForAnEmptySetAndTheOnlyBackendForOne() {
    for (String name : new String[] {"round_robin", "least_request", "ewma", "consistent_hash", "random"}) {
      Algorithm algorithm = Algorithms.of(name);
      assertThat(algorithm.newPicker(BackendSet.empty()).pick(PickContext.at(0))).as(name).isNull();
      BackendSet one = Fixtures.set(3);
      assertThat(algorithm.newPicker(one).pick(PickContext.hashed(5, 0))).as(name).isSameAs(one.get(0));
      assertThat(algorithm.newPicker(one).pick(PickContext.hashed(5, 0).excluding(one.get(0)))).as(name).isNull();
    }
  }

  @Test
  void hashKeysAreStableAndSpreadOut() {
    assertThat(HashKeys.of("user-1")).isEqualTo(HashKeys.of(new StringBuilder("user-1")));
    assertThat(HashKeys.of("user-1")).isNotEqualTo(HashKeys.of("user-2"));
    assertThat(HashKeys.of(new byte[] {10, 0, 0, 1})).isNotEqualTo(HashKeys.of(new byte[] {10, 0, 0, 2}));
    // fixed across JVMs and releases: consistent hashing in several balancers depends on it
    assertThat(HashKeys.of("")).isEqualTo(HashKeys.mix(0xcbf29ce484222325L));
  }
}
