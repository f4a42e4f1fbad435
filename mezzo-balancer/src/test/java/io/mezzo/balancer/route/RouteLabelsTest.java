package io.mezzo.balancer.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
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
  void tcpWithAVhostIsRefused() {
    RouteLabels.Parsed p = RouteLabels.parse("/t", Map.of("MEZZO_LB_MODE_0", "tcp", "MEZZO_LB_VHOST_0", "t.example"),
        List.of(0));
    assertThat(p.routes()).isEmpty();
    assertThat(p.errors()).singleElement().asString().contains("tcp mode with a vhost or path");
  }
}
