package io.mezzo.balancer.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code MEZZO_LB_SLOW_START_n}: a duration, off by default, a bad value named in the problems. */
class SlowStartLabelTest {
  private static RouteLabels.Parsed parse(String value) {
    return RouteLabels.parse("/web", Map.of("MEZZO_LB_PORT_0", "10080", "MEZZO_LB_SLOW_START_0", value), List.of(0));
  }

  @Test
  void aSlowStartWindowIsReadInSecondsMillisecondsOrMinutes() {
    assertThat(parse("30s").routes().get(0).slowStart()).isEqualTo(Duration.ofSeconds(30));
    assertThat(parse("500ms").routes().get(0).slowStart()).isEqualTo(Duration.ofMillis(500));
    assertThat(parse(" 2m ").routes().get(0).slowStart()).isEqualTo(Duration.ofMinutes(2));
    assertThat(parse("0s").routes().get(0).slowStart()).isZero();
  }

  @Test
  void withoutTheLabelThereIsNoSlowStart() {
    assertThat(RouteLabels.parse("/web", Map.of("MEZZO_LB_PORT_0", "10080"), List.of(0)).routes().get(0).slowStart())
        .isZero();
  }

  @Test
  void aBadWindowIsReportedAndTheRouteKeptWithoutSlowStart() {
    RouteLabels.Parsed p = parse("soon");
    assertThat(p.errors()).containsExactly(
        "MEZZO_LB_SLOW_START_0: 'soon' (expected: a duration such as 30s, 500ms or 2m; 0s for none)");
    assertThat(p.routes()).hasSize(1);
    assertThat(p.routes().get(0).slowStart()).isZero();
  }
}
