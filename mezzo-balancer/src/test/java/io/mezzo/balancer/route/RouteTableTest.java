package io.mezzo.balancer.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class RouteTableTest {
  private static RouteSpec http(String app, Integer port, List<String> vhosts, String path) {
    return new RouteSpec(app, 0, RouteSpec.Mode.HTTP, port, vhosts, path, "round_robin", false, null);
  }

  @Test
  void exactHostBeatsWildcardBeatsAnyHostAndTheLongestPathWins() {
    RouteSpec exact = http("/exact", null, List.of("api.example.com"), "/");
    RouteSpec exactV2 = http("/exact-v2", null, List.of("api.example.com"), "/v2");
    RouteSpec wild = http("/wild", null, List.of("*.example.com"), "/");
    RouteSpec any = http("/any", null, List.of(), "/static");
    RouteTable t = RouteTable.build(List.of(any, wild, exactV2, exact), 80, null).table();

    assertThat(t.http(80, "API.example.com:80", "/v2/users")).isEqualTo(exactV2);
    assertThat(t.http(80, "api.example.com", "/v2x")).isEqualTo(exact);
    assertThat(t.http(80, "www.example.com", "/")).isEqualTo(wild);
    assertThat(t.http(80, "other.org", "/static/app.js")).isEqualTo(any);
    assertThat(t.http(80, "other.org", "/")).isNull();
    assertThat(t.listeners()).containsExactly(Map.entry(80, RouteSpec.Mode.HTTP));
  }

  @Test
  void dedicatedPortsServeTheirOneRouteInTheirMode() {
    RouteSpec web = http("/web", 10080, List.of(), "/");
    RouteSpec db = new RouteSpec("/db", 0, RouteSpec.Mode.TCP, 5432, List.of(), "/", "round_robin", false, null);
    RouteTable t = RouteTable.build(List.of(web, db), 80, null).table();

    assertThat(t.http(10080, "anything", "/x")).isEqualTo(web);
    assertThat(t.tcp(5432)).isEqualTo(db);
    assertThat(t.http(5432, "h", "/")).isNull();
    assertThat(t.tcp(10080)).isNull();
    assertThat(t.listeners()).containsExactly(Map.entry(5432, RouteSpec.Mode.TCP), Map.entry(10080, RouteSpec.Mode.HTTP));
  }

  @Test
  void conflictsAreReportedAndTheFirstAppKeepsTheRoute() {
    RouteTable.Built b = RouteTable.build(List.of(http("/b", 9000, List.of("x.io"), "/"), http("/a", 9000, List.of(), "/"),
        http("/c", null, List.of("x.io"), "/"), http("/d", 80, List.of(), "/")), 80, null);

    assertThat(b.conflicts()).containsExactly(
        "/b:0: port 9000 is taken by /a:0",
        "/c:0: vhost 'x.io' path / is taken by /b:0",
        "/d:0: port 80 is the shared HTTP port (expected: another port, or a vhost)");
    assertThat(b.table().http(9000, "h", "/").appId()).isEqualTo("/a");
    assertThat(b.table().http(80, "x.io", "/").appId()).isEqualTo("/b");
  }

  @Test
  void aGroupExposesItsOwnRoutesAndThoseWithoutAGroup() {
    RouteSpec ext = new RouteSpec("/ext", 0, RouteSpec.Mode.HTTP, 9001, List.of(), "/", "round_robin", false, "external");
    RouteSpec in = new RouteSpec("/in", 0, RouteSpec.Mode.HTTP, 9002, List.of(), "/", "round_robin", false, "internal");
    RouteSpec all = http("/all", 9003, List.of(), "/");
    assertThat(RouteTable.build(List.of(ext, in, all), 80, "external").table().routes()).containsExactly(all, ext);
    assertThat(RouteTable.build(List.of(ext, in, all), 80, null).table().routes()).hasSize(3);
  }

  @Property
  void aPrefixMatchesOnlyAtSegmentBoundaries(@ForAll @AlphaChars @StringLength(min = 1, max = 8) String seg,
      @ForAll @AlphaChars @StringLength(min = 1, max = 8) String more) {
    String prefix = "/" + seg;
    assertThat(RouteTable.matchesPrefix(prefix, prefix)).isTrue();
    assertThat(RouteTable.matchesPrefix(prefix + "/" + more, prefix)).isTrue();
    assertThat(RouteTable.matchesPrefix(prefix + "?" + more, prefix)).isTrue();
    assertThat(RouteTable.matchesPrefix(prefix + more, prefix)).isFalse();
  }
}
