package io.mezzo.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ResourcesTest {
  @Test
  void parsesTheMesosSyntax() {
    Resources r = Resources.parse("cpus:4;mem:8192;disk:20000;ports:[31000-32000]");
    assertThat(r.scalar("cpus")).isEqualTo(4.0);
    assertThat(r.scalar("mem")).isEqualTo(8192.0);
    assertThat(r.scalar("disk")).isEqualTo(20000.0);
    assertThat(r.ranges("ports").size()).isEqualTo(1001);
    assertThat(r.toString()).isEqualTo("cpus:4;disk:20000;mem:8192;ports:[31000-32000]");
  }

  @Test
  void badSyntaxNamesTheItemAndWhatWasExpected() {
    assertThatThrownBy(() -> Resources.parse("cpus:lots"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'cpus:lots'").hasMessageContaining("expected");
    assertThatThrownBy(() -> Resources.parse("cpus:-1")).hasMessageContaining("cpus:-1");
    assertThatThrownBy(() -> Resources.parse("ports:[5-1]")).hasMessageContaining("begin <= end");
    assertThatThrownBy(() -> Resources.parse("cpus(web):1")).hasMessageContaining("role 'web'");
    assertThatThrownBy(() -> Resources.parse("justaname")).hasMessageContaining("name:value");
  }

  @Test
  void subtractingTenthsNeverDrifts() {
    Resources r = Resources.parse("cpus:1");
    Resources tenth = Resources.parse("cpus:0.1");
    for (int i = 0; i < 10; i++) {
      assertThat(r.contains(tenth)).isTrue();
      r = r.minus(tenth);
    }
    assertThat(r.isEmpty()).isTrue();
  }

  @Test
  void portsAreTakenOutOfRanges() {
    Resources agent = Resources.parse("cpus:2;ports:[31000-31009]");
    Resources task = Resources.parse("cpus:1;ports:[31002-31003]");
    Resources left = agent.minus(task);
    assertThat(left.ranges("ports").toString()).isEqualTo("[31000-31001, 31004-31009]");
    assertThat(agent.contains(task)).isTrue();
    assertThat(left.contains(task)).isFalse();
    assertThat(left.plus(task)).isEqualTo(agent);
  }

  @Test
  void wireFormRoundTrips() {
    Resources r = Resources.parse("cpus:0.5;mem:128;ports:[1-2,5-5]");
    assertThat(Resources.of(r.toList())).isEqualTo(r);
  }

  @Test
  void wireFormRejectsMissingValues() {
    assertThatThrownBy(() -> Resources.of(List.of(new Resource("cpus", Resource.Type.SCALAR, null, null, null, null))))
        .hasMessageContaining("resources[0].scalar");
  }

  @Property
  void plusThenMinusIsIdentity(@ForAll @IntRange(max = 5000) int cpuMillis, @ForAll @IntRange(max = 100) int begin,
      @ForAll @IntRange(max = 100) int len) {
    Resources base = Resources.parse("cpus:3;ports:[1000-2000]");
    Resources extra = Resources.parse("cpus:" + cpuMillis / 1000.0 + ";ports:[" + (3000 + begin) + "-"
        + (3000 + begin + len) + "]");
    assertThat(base.plus(extra).minus(extra)).isEqualTo(base);
    assertThat(base.plus(extra).contains(extra)).isTrue();
  }

  @Property
  void rangeMinusIsDisjointAndComplete(@ForAll @IntRange(max = 200) int a, @ForAll @IntRange(max = 50) int la,
      @ForAll @IntRange(max = 200) int b, @ForAll @IntRange(max = 50) int lb) {
    RangeSet x = RangeSet.range(a, a + la);
    RangeSet y = RangeSet.range(b, b + lb);
    RangeSet diff = x.minus(y);
    assertThat(diff.plus(y).contains(x)).isTrue();
    assertThat(y.minus(y.minus(diff)).isEmpty()).isTrue();
    assertThat(diff.size()).isLessThanOrEqualTo(x.size());
  }
}
