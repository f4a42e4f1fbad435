package io.mezzo.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;

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
}
