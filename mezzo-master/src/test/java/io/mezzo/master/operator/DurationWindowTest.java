package io.mezzo.master.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The allocation-run window behind {@code allocator/mesos/allocation_run_ms/p..}: nearest-rank percentiles. */
class DurationWindowTest {
  @Test
  void percentilesUseTheNearestRank() {
    DurationWindow w = new DurationWindow(100);
    for (long i = 100; i >= 1; i--) {
      w.record(i);
    }
    long[] sorted = w.sorted();
    assertThat(DurationWindow.percentile(sorted, 50)).isEqualTo(50);
    assertThat(DurationWindow.percentile(sorted, 90)).isEqualTo(90);
    assertThat(DurationWindow.percentile(sorted, 99)).isEqualTo(99);
    assertThat(DurationWindow.percentile(sorted, 100)).isEqualTo(100);
    assertThat(w.last()).isEqualTo(1);
  }

  @Test
  void windowKeepsOnlyTheMostRecentButCountsAll() {
    DurationWindow w = new DurationWindow(3);
    for (long i = 1; i <= 5; i++) {
      w.record(i * 10);
    }
    assertThat(w.sorted()).containsExactly(30, 40, 50);
    assertThat(w.count()).isEqualTo(5);
    assertThat(w.last()).isEqualTo(50);
  }

  @Test
  void emptyWindowHasNoPercentiles() {
    DurationWindow w = new DurationWindow(3);
    assertThat(w.last()).isEqualTo(-1);
    assertThat(DurationWindow.percentile(w.sorted(), 50)).isEqualTo(-1);
    assertThatThrownBy(() -> DurationWindow.percentile(new long[] {1}, 0)).hasMessageContaining("p: 0.0");
    assertThatThrownBy(() -> new DurationWindow(0)).hasMessageContaining("capacity: 0 (expected: >= 1)");
  }

  @Property
  void percentileIsAnElementAtLeastAsLargeAsThatShareOfTheWindow(
      @ForAll @Size(min = 1, max = 50) long[] values, @ForAll @IntRange(min = 1, max = 100) int p) {
    DurationWindow w = new DurationWindow(50);
    for (long v : values) {
      w.record(v);
    }
    long[] sorted = w.sorted();
    long q = DurationWindow.percentile(sorted, p);
    assertThat(sorted).contains(q);
    long atOrBelow = Arrays.stream(sorted).filter(v -> v <= q).count();
    assertThat(atOrBelow * 100).isGreaterThanOrEqualTo((long) p * sorted.length);
  }
}
