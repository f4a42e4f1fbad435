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

  @Test
  void statsGiveRequestsAndErrorsPerSecondAndInFlightPerRouteAndBackend() {
    long second = 1_000_000_000L;
    long[] clock = {0};
    LbMetrics metrics = new LbMetrics(() -> clock[0]);
    metrics.route("/app:0");
    BackendRef a = new BackendRef("i1", "127.0.0.1", 8080, "/app:0");
    BackendRef b = new BackendRef("i2", "127.0.0.1", 8081, "/app:0");
    metrics.add(a);
    metrics.add(b);
    metrics.sample(0);
    for (int i = 0; i < 8; i++) {
      metrics.response(a, i < 6 ? 200 : 502, 1_000_000);
    }
    metrics.connectFailure(a);
    metrics.response(b, 200, 1_000_000);
    metrics.response(b, 200, 1_000_000);
    b.inFlight.set(3);
    metrics.sample(clock[0] = 2 * second);

    Map<String, Object> route = route(metrics, "/app:0");
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> backends = (Map<String, Map<String, Object>>) route.get("backends");
    assertThat((double) route.get("requests_per_second")).isEqualTo(5.0);
    assertThat((double) route.get("errors_per_second")).isEqualTo(1.0);
    assertThat(route.get("in_flight")).isEqualTo(3L);
    assertThat((double) backends.get("i1").get("requests_per_second")).isEqualTo(4.0);
    // the backend's own errors count its connect failure too: 2 answers of 502 and 1 failure in 2 s
    assertThat((double) backends.get("i1").get("errors_per_second")).isEqualTo(1.5);
    assertThat((double) backends.get("i2").get("errors_per_second")).isEqualTo(0.0);
    assertThat(backends.get("i2").get("in_flight")).isEqualTo(3);
    for (Map<String, Object> figures : java.util.List.of(route, backends.get("i1"), backends.get("i2"))) {
      assertThat(figures).containsKeys("requests_per_second", "p50_ms", "p99_ms", "errors_per_second", "in_flight");
    }
  }
}
