package io.mezzo.balancer.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteLabelsTest {
  @Test
  void mezzoLabelsDescribeEachServicePort() {
    RouteLabels.Parsed p = RouteLabels.parse("/web", Map.of(
        "MEZZO_LB_PORT_0", "10080", "MEZZO_LB_BALANCE_0", "least_request",
        "MEZZO_LB_VHOST_1", "api.example.com, *.api.example.com", "MEZZO_LB_PATH_1", "/v1",
        "MEZZO_LB_STICKY_1", "true"), List.of(0, 0));

    assertThat(p.errors()).isEmpty();
    assertThat(p.routes()).containsExactly(
        new RouteSpec("/web", 0, RouteSpec.Mode.HTTP, 10080, List.of(), "/", "least_request", false, null),
        new RouteSpec("/web", 1, RouteSpec.Mode.HTTP, null, List.of("api.example.com", "*.api.example.com"), "/v1",
            "round_robin", true, null));
  }

  @Test
  void marathonLbLabelsKeepTheirRoutingAndMezzoLabelsWin() {
    RouteLabels.Parsed p = RouteLabels.parse("/db", Map.of(
        "HAPROXY_GROUP", "external", "HAPROXY_0_PORT", "5432", "HAPROXY_0_MODE", "tcp", "HAPROXY_0_BALANCE", "leastconn",
        "MEZZO_LB_BALANCE_0", "ewma"), List.of(10000));

    assertThat(p.errors()).isEmpty();
    assertThat(p.routes()).containsExactly(
        new RouteSpec("/db", 0, RouteSpec.Mode.TCP, 5432, List.of(), "/", "ewma", false, "external"));
  }

  @Test
  void aServicePortIsExposedOnItselfAsMarathonLbBindsServicePorts() {
    assertThat(RouteLabels.parse("/a", Map.of(), List.of(10001, 0)).routes())
        .containsExactly(new RouteSpec("/a", 0, RouteSpec.Mode.HTTP, 10001, List.of(), "/", "round_robin", false, null));
    assertThat(RouteLabels.parse("/b", Map.of(), List.of(0)).routes()).isEmpty();
  }

  @Test
  void everyBadValueIsNamedWithWhatWasExpected() {
    RouteLabels.Parsed p = RouteLabels.parse("/bad", Map.of(
        "MEZZO_LB_PORT_0", "http", "MEZZO_LB_MODE_0", "udp", "MEZZO_LB_BALANCE_0", "fastest",
        "MEZZO_LB_VHOST_1", "no spaces.example", "MEZZO_LB_PATH_1", "v1", "MEZZO_LB_STICKY_1", "yes"), List.of(0, 0));

    assertThat(p.errors()).containsExactlyInAnyOrder(
        "MEZZO_LB_PORT_0: 'http' (expected: a port from 1 to 65535)",
        "MEZZO_LB_MODE_0: 'udp' (expected: http or tcp)",
        "MEZZO_LB_BALANCE_0: 'fastest' (expected: one of round_robin, least_request, ewma, consistent_hash, random, "
            + "roundrobin, leastconn, source)",
        "MEZZO_LB_VHOST_1: 'no spaces.example' (expected: host names such as web.example.com or *.example.com)",
        "MEZZO_LB_PATH_1: 'v1' (expected: a path prefix starting with /)",
        "MEZZO_LB_STICKY_1: 'yes' (expected: true or false)");
  }

  @Test
  void healthRetryAndQueueLabelsShapeTheRoutePolicy() {
    RouteLabels.Parsed p = RouteLabels.parse("/web", Map.ofEntries(
        Map.entry("MEZZO_LB_PORT_0", "10080"), Map.entry("MEZZO_LB_HEALTHCHECK_PATH_0", "/ping"),
        Map.entry("MEZZO_LB_HEALTHCHECK_INTERVAL_0", "500ms"), Map.entry("MEZZO_LB_HEALTHCHECK_TIMEOUT_0", "1.5s"),
        Map.entry("MEZZO_LB_HEALTHCHECK_RISE_0", "4"), Map.entry("MEZZO_LB_HEALTHCHECK_FALL_0", "1"),
        Map.entry("MEZZO_LB_PANIC_THRESHOLD_0", "0"), Map.entry("MEZZO_LB_RETRIES_0", "1"),
        Map.entry("MEZZO_LB_RETRY_BUDGET_0", "50"), Map.entry("MEZZO_LB_RETRY_MIN_PER_SECOND_0", "3"),
        Map.entry("MEZZO_LB_RETRY_ON_0", "503, 504"), Map.entry("MEZZO_LB_MAX_CONN_0", "8"),
        Map.entry("MEZZO_LB_MAX_PENDING_0", "16"), Map.entry("MEZZO_LB_QUEUE_TIMEOUT_0", "2m"),
        Map.entry("MEZZO_LB_TRY_TIMEOUT_0", "300ms"),
        Map.entry("MEZZO_LB_PORT_1", "10081"), Map.entry("MEZZO_LB_HEALTHCHECK_1", "off")), List.of(0, 0));

    assertThat(p.errors()).isEmpty();
    assertThat(p.routes().get(0).policy()).isEqualTo(new RoutePolicy(
        new HealthCheckSpec("/ping", Duration.ofMillis(500), Duration.ofMillis(1500), 4, 1), 0, 1, 50, 3,
        Set.of(503, 504), 8, 16, Duration.ofMinutes(2), Duration.ofMillis(300)));
    assertThat(p.routes().get(1).policy().healthCheck()).isNull();
    assertThat(p.routes().get(1).policy().tryTimeout()).as("no per-try timeout by default").isNull();
  }

  @Test
  void theLbChecksTheAppsOwnHttpHealthCheckPathUnlessALabelSaysOtherwise() {
    Map<Integer, String> appChecks = Map.of(0, "/health");
    RouteSpec own = RouteLabels.parse("/web", Map.of("MEZZO_LB_PORT_0", "10080"), List.of(0), appChecks).routes().get(0);
    RouteSpec labelled = RouteLabels.parse("/web", Map.of("MEZZO_LB_PORT_0", "10080", "MEZZO_LB_HEALTHCHECK_PATH_0",
        "/ready"), List.of(0), appChecks).routes().get(0);
    RouteSpec none = RouteLabels.parse("/web", Map.of("MEZZO_LB_PORT_0", "10080"), List.of(0)).routes().get(0);

    assertThat(own.policy().healthCheck().path()).isEqualTo("/health");
    assertThat(labelled.policy().healthCheck().path()).isEqualTo("/ready");
    assertThat(none.policy().healthCheck()).isEqualTo(HealthCheckSpec.defaults()); // a TCP connect every 2s
    assertThat(none.policy()).isEqualTo(RoutePolicy.defaults());
  }

  @Test
  void badPolicyLabelsAreNamedWithWhatWasExpectedAndTheDefaultIsKept() {
    RouteLabels.Parsed p = RouteLabels.parse("/web", Map.of("MEZZO_LB_PORT_0", "10080",
        "MEZZO_LB_HEALTHCHECK_0", "maybe", "MEZZO_LB_HEALTHCHECK_PATH_0", "health",
        "MEZZO_LB_HEALTHCHECK_INTERVAL_0", "-2s", "MEZZO_LB_HEALTHCHECK_RISE_0", "0",
        "MEZZO_LB_PANIC_THRESHOLD_0", "150", "MEZZO_LB_RETRY_ON_0", "404", "MEZZO_LB_MAX_CONN_0", "0",
        "MEZZO_LB_QUEUE_TIMEOUT_0", "soon", "MEZZO_LB_TRY_TIMEOUT_0", "0s"), List.of(0));

    assertThat(p.errors()).containsExactlyInAnyOrder(
        "MEZZO_LB_HEALTHCHECK_0: 'maybe' (expected: on or off)",
        "MEZZO_LB_HEALTHCHECK_PATH_0: 'health' (expected: an HTTP path starting with /)",
        "MEZZO_LB_HEALTHCHECK_INTERVAL_0: '-2s' (expected: a duration from 1ms to 1h such as 500ms, 2s or 1m)",
        "MEZZO_LB_HEALTHCHECK_RISE_0: '0' (expected: a number of checks from 1 to 100)",
        "MEZZO_LB_PANIC_THRESHOLD_0: '150' (expected: a percentage from 0 to 100)",
        "MEZZO_LB_RETRY_ON_0: '404' (expected: comma-separated statuses from 500 to 599, such as 503)",
        "MEZZO_LB_MAX_CONN_0: '0' (expected: a number from 1 to 1000000)",
        "MEZZO_LB_QUEUE_TIMEOUT_0: 'soon' (expected: a duration from 1ms to 1h such as 500ms, 2s or 1m)",
        "MEZZO_LB_TRY_TIMEOUT_0: '0s' (expected: a duration from 1ms to 1h such as 500ms, 2s or 1m)");
    assertThat(p.routes().get(0).policy()).isEqualTo(RoutePolicy.defaults());
  }

  @Test
  void tcpWithAVhostIsRefused() {
    RouteLabels.Parsed p = RouteLabels.parse("/t", Map.of("MEZZO_LB_MODE_0", "tcp", "MEZZO_LB_VHOST_0", "t.example"),
        List.of(0));
    assertThat(p.routes()).isEmpty();
    assertThat(p.errors()).singleElement().asString().contains("tcp mode with a vhost or path");
  }

  @Test
  void theHashKeyComesFromItsLabelOrFromMarathonLbsHdrBalance() {
    RouteLabels.Parsed p = RouteLabels.parse("/h", Map.of(
        "MEZZO_LB_PORT_0", "10080", "MEZZO_LB_BALANCE_0", "consistent_hash", "MEZZO_LB_HASH_KEY_0", "cookie:session",
        "HAPROXY_1_PORT", "10081", "HAPROXY_1_BALANCE", "hdr(X-Tenant)",
        "MEZZO_LB_PORT_2", "10082"), List.of(0, 0, 0));

    assertThat(p.errors()).isEmpty();
    assertThat(p.routes()).extracting(RouteSpec::balance, RouteSpec::hashKey).containsExactly(
        org.assertj.core.groups.Tuple.tuple("consistent_hash", new HashKey(HashKey.Kind.COOKIE, "session")),
        org.assertj.core.groups.Tuple.tuple("consistent_hash", new HashKey(HashKey.Kind.HEADER, "X-Tenant")),
        org.assertj.core.groups.Tuple.tuple("round_robin", HashKey.SOURCE));
  }

  @Test
  void aBadHashKeyIsNamedAndTheAddressIsHashed() {
    RouteLabels.Parsed p = RouteLabels.parse("/h", Map.of(
        "MEZZO_LB_PORT_0", "10080", "MEZZO_LB_BALANCE_0", "consistent_hash", "MEZZO_LB_HASH_KEY_0", "url"),
        List.of(0));

    assertThat(p.errors()).containsExactly(
        "MEZZO_LB_HASH_KEY_0: 'url' (expected: source, header:NAME or cookie:NAME)");
    assertThat(p.routes().get(0).hashKey()).isEqualTo(HashKey.SOURCE);
  }
}
