package io.mezzo.cli.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sample server's concurrency limit: at most N served, the rest started in arrival order as places free. */
class ConcurrencyLimitTest {
  @Test
  void requestsBeyondTheLimitStartInArrivalOrderAsPlacesFree() {
    ConcurrencyLimit limit = new ConcurrencyLimit(2);
    List<Integer> started = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      limit.submit(() -> started.add(n));
    }
    assertThat(started).containsExactly(0, 1);
    assertThat(limit.waiting()).isEqualTo(3);
    limit.release();
    assertThat(started).containsExactly(0, 1, 2);
    limit.release();
    limit.release();
    assertThat(started).containsExactly(0, 1, 2, 3, 4);
    assertThat(limit.waiting()).isZero();
    // two still served: both places free once they are released, and a new request starts at once
    limit.release();
    limit.release();
    limit.submit(() -> started.add(5));
    limit.submit(() -> started.add(6));
    assertThat(started).endsWith(5, 6);
    assertThat(limit.waiting()).isZero();
  }

  @Test
  void aLimitBelowOneIsRefused() {
    assertThatThrownBy(() -> new ConcurrencyLimit(0)).hasMessage("limit: 0 (expected: >= 1)");
  }
}
