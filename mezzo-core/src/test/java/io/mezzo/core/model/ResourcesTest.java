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
    assertThatThrownBy(() -> Resources.parse("cpus(eng/../x):1")).hasMessageContaining("'eng/../x'");
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

  @Test
  void reservedAndUnreservedValuesAreDistinct() {
    Resources r = Resources.parse("cpus(eng):2;cpus:4;mem(eng/web):512;ports(*):[31000-32000]");
    assertThat(r.scalar("cpus")).isEqualTo(6.0);
    assertThat(r.unreserved()).isEqualTo(Resources.parse("cpus:4;ports:[31000-32000]"));
    assertThat(r.reservedTo("eng")).isEqualTo(Resources.parse("cpus(eng):2"));
    assertThat(r.reservedTo("eng/web")).isEqualTo(Resources.parse("mem(eng/web):512"));
    assertThat(r.reserved()).isEqualTo(Resources.parse("cpus(eng):2;mem(eng/web):512"));
    assertThat(r.reservationRoles()).containsExactly("eng", "eng/web");
    assertThat(r.contains(Resources.parse("cpus:5"))).isFalse();
    assertThat(r.contains(Resources.parse("cpus:4;cpus(eng):2"))).isTrue();
    assertThat(r.minus(Resources.parse("cpus:1")).reservedTo("eng").scalar("cpus")).isEqualTo(2.0);
    assertThat(r.minus(Resources.parse("cpus(eng):1")).scalar("cpus")).isEqualTo(5.0);
    assertThat(r.scalarMap()).containsEntry("cpus", 6.0).containsEntry("mem", 512.0);
    assertThat(r.toString()).isEqualTo("cpus:4;ports:[31000-32000];cpus(eng):2;mem(eng/web):512");
  }

  @Test
  void resourcesReservedToAnAncestorAreAllocatableToDescendants() {
    Resources r = Resources.parse("cpus:1;cpus(eng):2;cpus(eng/web):4;cpus(ops):8;cpus(engineering):16");
    assertThat(r.allocatableTo("eng/web").scalar("cpus")).isEqualTo(7.0);
    assertThat(r.allocatableTo("eng").scalar("cpus")).isEqualTo(3.0);
    assertThat(r.allocatableTo("eng/db").scalar("cpus")).isEqualTo(3.0);
    assertThat(r.allocatableTo("*").scalar("cpus")).isEqualTo(1.0);
    assertThat(r.allocatableTo("ops/x").scalar("cpus")).isEqualTo(9.0);
  }

  @Test
  void reserveRefinesAndUnreservePops() {
    Resources r = Resources.parse("cpus:2;mem:256");
    Resources eng = r.reserve("eng");
    assertThat(eng.reservedTo("eng")).isEqualTo(eng);
    Resources web = eng.reserve(Resource.ReservationInfo.dynamicFor("eng/web", "ops"));
    assertThat(web.reservedTo("eng/web").scalar("cpus")).isEqualTo(2.0);
    assertThat(web.unreserve()).isEqualTo(eng);
    assertThat(web.unreserve().unreserve()).isEqualTo(r);
    assertThatThrownBy(() -> eng.reserve("ops")).hasMessageContaining("'ops'").hasMessageContaining("descendant of 'eng'");
    assertThatThrownBy(() -> r.reserve("*")).hasMessageContaining("reservation.role: '*'");
  }

  @Test
  void wireFormCarriesReservationsAndAllocationInfo() {
    Resources r = Resources.parse("cpus:1;cpus(eng):2").plus(Resources.parse("mem:64").reserve("eng").reserve(
        Resource.ReservationInfo.dynamicFor("eng/web", "alice")));
    List<Resource> list = r.toList("eng/web");
    assertThat(list).allSatisfy(x -> assertThat(x.allocationInfo()).isEqualTo(new Offer.AllocationInfo("eng/web")));
    assertThat(list).filteredOn(x -> x.name().equals("mem")).singleElement().satisfies(x -> {
      assertThat(x.reservations()).extracting(Resource.ReservationInfo::role).containsExactly("eng", "eng/web");
      assertThat(x.reservations().get(1).principal()).isEqualTo("alice");
    });
    assertThat(Resources.of(list)).isEqualTo(r);
    assertThat(Resources.of(r.toList())).isEqualTo(r);
    String json = io.mezzo.core.json.Json.writeString(r.toList());
    assertThat(json).contains("\"reservations\":[{\"type\":\"STATIC\",\"role\":\"eng\"}]");
  }

  @Test
  void legacyRoleFieldMeansAStaticReservation() {
    Resource legacy = new Resource("cpus", Resource.Type.SCALAR, new Resource.Scalar(2), null, null, "eng");
    assertThat(Resources.of(List.of(legacy))).isEqualTo(Resources.parse("cpus(eng):2"));
    Resource star = new Resource("cpus", Resource.Type.SCALAR, new Resource.Scalar(2), null, null, "*");
    assertThat(Resources.of(List.of(star))).isEqualTo(Resources.parse("cpus:2"));
  }

  @Test
  void badReservationsNameTheFieldAndWhatWasExpected() {
    var eng = Resource.ReservationInfo.staticFor("eng");
    var ops = Resource.ReservationInfo.dynamicFor("ops", null);
    assertThatThrownBy(() -> Resources.of(List.of(new Resource("cpus", Resource.Type.SCALAR, new Resource.Scalar(1),
        null, null, null, List.of(eng, ops), null))))
        .hasMessage("resources[0].reservations[1].role: 'ops' (expected: a descendant of the previous reservation's role 'eng')");
    assertThatThrownBy(() -> Resources.of(List.of(new Resource("cpus", Resource.Type.SCALAR, new Resource.Scalar(1),
        null, null, "ops", List.of(eng), null))))
        .hasMessageContaining("resources[0].role: 'ops'");
    assertThatThrownBy(() -> Resources.of(List.of(new Resource("cpus", Resource.Type.SCALAR, new Resource.Scalar(1),
        null, null, " eng", null, null))))
        .hasMessageContaining("resources[0].role: ' eng'").hasMessageContaining("whitespace");
  }

  @Test
  void mesosJsonWithReservationsAndAllocationInfoIsRead() {
    String json = "[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":2},"
        + "\"reservations\":[{\"type\":\"STATIC\",\"role\":\"eng\"},"
        + "{\"type\":\"DYNAMIC\",\"role\":\"eng/web\",\"principal\":\"ops\"}],"
        + "\"allocation_info\":{\"role\":\"eng/web\"}},"
        + "{\"name\":\"mem\",\"type\":\"SCALAR\",\"scalar\":{\"value\":64},\"role\":\"eng\"}]";
    Resource[] list = io.mezzo.core.json.Json.read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), Resource[].class);
    assertThat(list[0].allocationInfo()).isEqualTo(new Offer.AllocationInfo("eng/web"));
    Resources r = Resources.of(List.of(list));
    assertThat(r.reservedTo("eng/web").scalar("cpus")).isEqualTo(2.0);
    assertThat(r.reservedTo("eng")).isEqualTo(Resources.parse("mem(eng):64"));
    assertThat(r.reservedTo("eng/web").unreserve()).isEqualTo(Resources.parse("cpus(eng):2"));
  }

  /**
   * Regression (fuzz): EMPTY's map had natural order, so looking a reservation stack up in it threw a
   * ClassCastException; an agent subscribing without resources then broke /master/state for good.
   */
  @Test
  void emptyResourcesAnswerReservationQueries() {
    assertThat(Resources.EMPTY.unreserved()).isEqualTo(Resources.EMPTY);
    assertThat(Resources.EMPTY.reservedTo("eng").isEmpty()).isTrue();
    assertThat(Resources.of(List.of()).unreserved().isEmpty()).isTrue();
  }

  /**
   * Regression (fuzz): an agent could register a resource named with 56,000 characters; the name is a
   * key of /master/state, which Jackson-based clients then refused to parse.
   */
  @Test
  void resourceNamesLongerThanTheLimitAreRefused() {
    assertThatThrownBy(() -> Resources.of(List.of(Resource.scalar("x".repeat(60_000), 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("resources[0].name: 60000 characters (expected: at most 256)");
    assertThat(Resources.of(List.of(Resource.scalar("x".repeat(256), 1))).scalar("x".repeat(256))).isEqualTo(1.0);
  }
}
