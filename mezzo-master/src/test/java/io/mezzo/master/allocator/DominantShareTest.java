package io.mezzo.master.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.model.Resources;
import org.junit.jupiter.api.Test;

class DominantShareTest {
  private static final Resources CLUSTER = Resources.parse("cpus:10;mem:1000;disk:100;ports:[1-100]");

  @Test
  void theLargestFractionOfAnyScalarIsTheShare() {
    assertThat(DominantShare.of(Resources.parse("cpus:1;mem:500"), CLUSTER)).isEqualTo(0.5);
    assertThat(DominantShare.of(Resources.parse("cpus:4;mem:100;disk:10"), CLUSTER)).isEqualTo(0.4);
  }

  @Test
  void reservedAmountsCountAndRangesAndUnknownNamesDoNot() {
    assertThat(DominantShare.of(Resources.parse("cpus(eng):2;cpus:1;ports:[1-100];gpus:1"), CLUSTER))
        .isEqualTo(0.3);
  }

  @Test
  void nothingHeldOrAnEmptyClusterIsZero() {
    assertThat(DominantShare.of(Resources.EMPTY, CLUSTER)).isZero();
    assertThat(DominantShare.of(Resources.parse("cpus:1"), Resources.EMPTY)).isZero();
  }
}
