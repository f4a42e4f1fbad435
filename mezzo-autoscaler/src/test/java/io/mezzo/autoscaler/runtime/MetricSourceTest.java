package io.mezzo.autoscaler.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The label syntax of app-defined metric sources, and the Prometheus text reader behind them. */
class MetricSourceTest {
  @Test
  void aPrometheusLabelNamesAggregatePortPathSeriesAndFilter() {
    MetricSource s = MetricSource.fromLabels("busy",
        Map.of("mezzo.autoscale.prometheus.busy", " sum 1 /stats/metrics q_depth{queue=\"a b\",kind=\"x\"} "));

    assertThat(s).isEqualTo(new MetricSource.Prometheus(false, 1, "/stats/metrics", "q_depth",
        Map.of("queue", "a b", "kind", "x")));
  }

  @Test
  void aJsonLabelNamesUrlAndPointer() {
    MetricSource s = MetricSource.fromLabels("depth", Map.of("mezzo.autoscale.json.depth", "http://q:9/s /a/0/b"));

    assertThat(s).isInstanceOf(MetricSource.Json.class);
    assertThat(((MetricSource.Json) s).url().toString()).isEqualTo("http://q:9/s");
    assertThat(((MetricSource.Json) s).pointer().toString()).isEqualTo("/a/0/b");
  }

  @Test
  void badLabelsNameTheLabelTheValueAndTheExpectedShape() {
    assertThatThrownBy(() -> MetricSource.fromLabels("x", Map.of("mezzo.autoscale.prometheus.x", "avg zero /m s")))
        .hasMessage("mezzo.autoscale.prometheus.x: \"avg zero /m s\" (expected: avg|sum PORT_INDEX PATH "
            + "SERIES[{label=\"value\",...}], e.g. avg 0 /metrics sample_requests_in_flight)");
    assertThatThrownBy(() -> MetricSource.fromLabels("x", Map.of("mezzo.autoscale.json.x", "ftp://h/x /a")))
        .hasMessageStartingWith("mezzo.autoscale.json.x: \"ftp://h/x /a\" (expected: URL POINTER");
    assertThat(MetricSource.fromLabels("x", Map.of("other", "1"))).isNull();
  }

  @Test
  void prometheusSeriesAreMatchedByWholeNameAndEveryFilterLabel() {
    String text = """
        # TYPE req counter
        req{a="1",b="2"} 3
        req{a="1",b="3"} 4
        req_total{a="1"} 100
        req 5 1700000000000
        req{a="1"} NaN
        """;

    assertThat(PrometheusText.sum(text, "req", Map.of()).getAsDouble()).isEqualTo(12.0);
    assertThat(PrometheusText.sum(text, "req", Map.of("a", "1")).getAsDouble()).isEqualTo(7.0);
    assertThat(PrometheusText.sum(text, "req", Map.of("b", "3")).getAsDouble()).isEqualTo(4.0);
    assertThat(PrometheusText.sum(text, "req", Map.of("b", "9"))).isEmpty();
    assertThat(PrometheusText.sum(text, "missing", Map.of())).isEmpty();
  }
}
