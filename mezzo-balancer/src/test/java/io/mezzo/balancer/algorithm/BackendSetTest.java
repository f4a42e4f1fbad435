package io.mezzo.balancer.algorithm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Snapshots keep stats and join times of backends that stay, start moved or new ones afresh, sort by
 * id and validate.
 */
class BackendSetTest {
  @Test
  void statsAndJoinTimeSurviveForBackendsThatStayEvenWhenTheirWeightChanges() {
    BackendSet first = BackendSet.of(List.of(Backend.of("a", "h1", 80, 1), Backend.of("b", "h2", 80, 1)));
    first.byId("a").stats().onStart();
    BackendSet second = first.next(List.of(Backend.of("a", "h1", 80, 5), Backend.of("c", "h3", 80, 1)), 42);
    Backend a = second.byId("a");
    assertThat(a.weight()).isEqualTo(5);
    assertThat(a.stats()).isSameAs(first.byId("a").stats());
    assertThat(a.stats().inFlight()).isEqualTo(1);
    assertThat(a.joinedLate()).isFalse();
    assertThat(second.byId("b")).isNull();
    Backend c = second.byId("c");
    assertThat(c.joinedLate()).isTrue();
    assertThat(c.joinedAtNanos()).isEqualTo(42);
    BackendSet third = second.next(List.of(Backend.of("c", "h3", 80, 1)), 99);
    assertThat(third.byId("c").joinedAtNanos()).as("still the first join").isEqualTo(42);
  }

  @Test
  void aBackendThatMovedToAnotherPortStartsAfresh() {
    BackendSet first = BackendSet.of(List.of(Backend.of("a", "h1", 80, 1)));
    first.get(0).stats().onStart();
    Backend moved = first.next(List.of(Backend.of("a", "h1", 81, 1)), 7).get(0);
    assertThat(moved.stats().inFlight()).isZero();
    assertThat(moved.joinedLate()).isTrue();
  }

  @Test
  void backendsAreKeptInIdOrder() {
    BackendSet set = BackendSet.of(List.of(Backend.of("z", "h", 1, 1), Backend.of("a", "h", 2, 1)));
    assertThat(set.asList()).extracting(Backend::id).containsExactly("a", "z");
  }

  @Test
  void invalidBackendsNameTheFieldAndTheExpectation() {
    assertThatThrownBy(() -> Backend.of("a", "h", 80, 0)).hasMessage("weight: 0 (expected: >= 1) for backend a");
    assertThatThrownBy(() -> Backend.of("a", "h", 0, 1)).hasMessage("port: 0 (expected: 1..65535) for backend a");
    assertThatThrownBy(() -> Backend.of(" ", "h", 80, 1)).hasMessage("id: ' ' (expected: a non-blank backend id)");
    assertThatThrownBy(() -> BackendSet.of(List.of(Backend.of("a", "h", 1, 1), Backend.of("a", "h", 2, 1))))
        .hasMessage("backends: duplicate id 'a' (expected: unique ids)");
  }
}
