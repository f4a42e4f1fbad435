package io.mezzo.cli.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The test kit's Prometheus text reader accepts the format and refuses what Prometheus would refuse. */
class PrometheusTextTest {
  private static final String HISTOGRAM = """
      # HELP d_seconds Durations
      # TYPE d_seconds histogram
      d_seconds_bucket{path="/",le="0.1"} 1
      d_seconds_bucket{path="/",le="+Inf"} 3
      d_seconds_count{path="/"} 3
      d_seconds_sum{path="/"} 0.7
      """;

  @Test
  void readsSamplesWithLabelsEscapesAndSpecialValues() {
    PrometheusText t = PrometheusText.parse("""
        # HELP c_total A counter
        # TYPE c_total counter
        c_total{a="x\\"y",b="1"} 4.0 1700000000000
        g NaN
        h +Inf
        """);
    assertThat(t.type("c_total")).isEqualTo("counter");
    assertThat(t.value("c_total", "a", "x\"y", "b", "1")).isEqualTo(4.0);
    assertThat(t.value("g")).isNaN();
    assertThat(t.value("h")).isInfinite();
    assertThat(t.value("absent")).isNaN();
    assertThat(PrometheusText.parse(HISTOGRAM).value("d_seconds_count", "path", "/")).isEqualTo(3);
  }

  @Test
  void refusesMalformedLines() {
    assertThatThrownBy(() -> PrometheusText.parse("9bad 1\n")).hasMessageContaining("bad metric name");
    assertThatThrownBy(() -> PrometheusText.parse("m{a=x} 1\n")).hasMessageContaining("bad label syntax");
    assertThatThrownBy(() -> PrometheusText.parse("m{a=\"x\"\n")).hasMessageContaining("unclosed");
    assertThatThrownBy(() -> PrometheusText.parse("m one\n")).hasMessageContaining("bad value 'one'");
    assertThatThrownBy(() -> PrometheusText.parse("m\n")).hasMessageContaining("expected a space and a value");
    assertThatThrownBy(() -> PrometheusText.parse("m 1\n# TYPE m gauge\n")).hasMessageContaining("after its samples");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE m meter\n")).hasMessageContaining("bad TYPE");
  }

  @Test
  void refusesHistogramsThatAreNotCumulativeOrDoNotEndInInf() {
    assertThatThrownBy(() -> PrometheusText.parse(HISTOGRAM.replace("le=\"0.1\"} 1", "le=\"0.1\"} 5")))
        .hasMessageContaining("cumulative");
    assertThatThrownBy(() -> PrometheusText.parse(HISTOGRAM.replace("+Inf", "9")))
        .hasMessageContaining("+Inf");
    assertThatThrownBy(() -> PrometheusText.parse(HISTOGRAM.replace("d_seconds_count{path=\"/\"} 3",
        "d_seconds_count{path=\"/\"} 2"))).hasMessageContaining("_count 2.0");
  }
}
