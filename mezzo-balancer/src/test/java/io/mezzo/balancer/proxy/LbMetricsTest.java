package io.mezzo.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LbMetricsTest {

  @Test
  void answersAreCountedByStatusClassAndOthersAreTimedOnly() {
    LbMetrics metrics = new LbMetrics();
    BackendRef b = new BackendRef("i1", "127.0.0.1", 8080, "/app:0");
    metrics.add(b);

    for (int status : new int[] {200, 204, 302, 404, 503, 101, 600}) {
      metrics.response(b, status, 1_000_000);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> backend = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
        ((Map<String, Object>) metrics.stats().get("routes")).get("/app:0")).get("backends")).get("i1");
    assertThat(backend.get("responses")).isEqualTo(Map.of("2xx", 2L, "3xx", 1L, "4xx", 1L, "5xx", 1L));
    assertThat(backend.get("requests")).isEqualTo(7L);
    assertThat(metrics.prometheus()).contains("mezzo_lb_responses_total{backend=\"i1\",class=\"5xx\",route=\"/app:0\"} 1.0");
  }

  @Test
  void statsGiveTheP95OfEachRouteAndBackendBetweenItsP90AndP99() {
    LbMetrics metrics = new LbMetrics();
    metrics.route("/app:0");
    BackendRef b = new BackendRef("i1", "127.0.0.1", 8080, "/app:0");
    metrics.add(b);

    for (int ms = 1; ms <= 100; ms++) {
      metrics.response(b, 200, ms * 1_000_000L);
    }

    Map<String, Object> route = route(metrics, "/app:0");
    @SuppressWarnings("unchecked")
    Map<String, Object> backend = (Map<String, Object>) ((Map<String, Object>) route.get("backends")).get("i1");
    for (Map<String, Object> figures : java.util.List.of(route, backend)) {
      assertThat((double) figures.get("p95_ms")).isBetween(90.0, 100.0)
          .isGreaterThanOrEqualTo((double) figures.get("p90_ms"))
          .isLessThanOrEqualTo((double) figures.get("p99_ms"));
    }
    assertThat(metrics.prometheus())
        .contains("# TYPE mezzo_lb_request_duration_seconds summary\n")
        .contains("mezzo_lb_request_duration_seconds{backend=\"i1\",route=\"/app:0\",quantile=\"0.95\"} 0.09")
        .contains("mezzo_lb_request_duration_seconds_count{backend=\"i1\",route=\"/app:0\"} 100\n")
        .contains("mezzo_lb_request_duration_seconds_sum{backend=\"i1\",route=\"/app:0\"} 5.05\n")
        .contains("mezzo_lb_request_duration_seconds_max{backend=\"i1\",route=\"/app:0\"} 0.1")
        .contains("mezzo_lb_route_request_duration_seconds{route=\"/app:0\",quantile=\"0.95\"} 0.09")
        .contains("mezzo_lb_route_request_duration_seconds_count{route=\"/app:0\"} 100\n")
        .contains("mezzo_lb_route_request_duration_seconds_sum{route=\"/app:0\"} 5.05\n")
        .contains("# TYPE mezzo_lb_route_request_duration_seconds_max gauge\n");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> route(LbMetrics metrics, String key) {
    return (Map<String, Object>) ((Map<String, Object>) metrics.stats().get("routes")).get(key);
  }

  @Test
  void aRouteKeepsItsFiguresWhenItsBackendsChangeAndGivesItsRate() {
    long second = 1_000_000_000L;
    long[] clock = {0};
    LbMetrics metrics = new LbMetrics(() -> clock[0]);
    metrics.route("/app:0");
    BackendRef a = new BackendRef("i1", "127.0.0.1", 8080, "/app:0");
    metrics.add(a);
    metrics.sample(0);
    for (int i = 0; i < 30; i++) {
      metrics.response(a, i < 27 ? 200 : 503, 2_000_000);
    }
    metrics.sample(clock[0] = second);
    metrics.remove(a.key); // the instance left
    BackendRef b = new BackendRef("i2", "127.0.0.1", 8081, "/app:0");
    metrics.add(b);
    for (int i = 0; i < 10; i++) {
      metrics.response(b, 200, 4_000_000);
    }
    metrics.sample(clock[0] = 2 * second);

    Map<String, Object> route = route(metrics, "/app:0");
    assertThat(route.get("requests")).isEqualTo(40L);
    assertThat(route.get("responses")).isEqualTo(Map.of("2xx", 37L, "3xx", 0L, "4xx", 0L, "5xx", 3L));
    assertThat((double) route.get("rps")).isEqualTo(20.0);
    assertThat((double) route.get("p99_ms")).isGreaterThan(3.0);
    @SuppressWarnings("unchecked")
    Map<String, Object> backend = (Map<String, Object>) ((Map<String, Object>) route.get("backends")).get("i2");
    assertThat((double) backend.get("rps")).isEqualTo(10.0);
    // the mean in flight is the time spent in requests per second: 30 x 2 ms + 10 x 4 ms over 2 s on the
    // route; 10 x 4 ms over the second since i2 came on the backend
    assertThat((double) route.get("in_flight_avg")).isCloseTo(0.05, within(1e-9));
    assertThat((double) backend.get("in_flight_avg")).isCloseTo(0.04, within(1e-9));
    assertThat(metrics.prometheus()).contains("mezzo_lb_route_responses_total{class=\"5xx\",route=\"/app:0\"} 3.0")
        .contains("mezzo_lb_route_request_duration_seconds{route=\"/app:0\",quantile=\"0.99\"}");
  }
}
