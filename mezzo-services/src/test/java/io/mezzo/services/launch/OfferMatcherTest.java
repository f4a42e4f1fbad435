package io.mezzo.services.launch;

import static io.mezzo.services.launch.Fixtures.app;
import static io.mezzo.services.launch.Fixtures.env;
import static io.mezzo.services.launch.Fixtures.listedPorts;
import static io.mezzo.services.launch.Fixtures.offer;
import static io.mezzo.services.launch.Fixtures.uuids;
import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resource;
import io.mezzo.core.model.Resources;
import io.mezzo.services.app.AppDefinition;
import io.mezzo.services.launch.OfferMatcher.Launch;
import io.mezzo.services.launch.OfferMatcher.Match;
import io.mezzo.services.launch.OfferMatcher.Want;
import io.mezzo.services.placement.AgentView;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OfferMatcherTest {
  private static final String V1 = "2026-11-27T05:00:00.000Z";

  private static Want want(AppDefinition app, int count, AgentView... placed) {
    return new Want(app, V1, count, List.of(placed));
  }

  private static Match match(Offer offer, Want... wants) {
    return OfferMatcher.match(offer, Map.of("rack", "r1"), List.of(wants), uuids());
  }

  /** What the master checks for a LAUNCH: every task's resources within what the offer has left. */
  private static void assertMasterWouldAccept(Offer offer, Match m) {
    Resources left = Resources.of(offer.resources());
    for (Launch l : m.launches()) {
      Resources needs = Resources.of(l.task().resources());
      assertThat(left.contains(needs)).as("%s within %s", needs, left).isTrue();
      left = left.minus(needs);
    }
  }

  @Test
  void fillsAnOfferWithAsManyInstancesAsFit() {
    Offer offer = offer("h1", "cpus:4;mem:1024;ports:[31000-31009]");
    Match m = match(offer, want(app("/prod/web", "\"cpus\":1,\"mem\":128"), 10));

    assertThat(m.launches()).hasSize(4);
    assertThat(m.launches()).extracting(Launch::ports)
        .containsExactly(List.of(31000), List.of(31001), List.of(31002), List.of(31003));
    assertThat(m.launches()).extracting(Launch::instanceId)
        .containsExactly("prod_web.u1", "prod_web.u2", "prod_web.u3", "prod_web.u4");
    assertThat(m.launches()).allSatisfy(l -> {
      assertThat(l.appId()).isEqualTo("/prod/web");
      assertThat(l.version()).isEqualTo(V1);
      assertThat(l.host()).isEqualTo("h1");
      assertThat(l.task().taskId().value()).isEqualTo(l.instanceId());
      assertThat(l.task().agentId().value()).isEqualTo("agent-h1");
      assertThat(Resources.of(l.task().resources())).isEqualTo(Resources.parse("cpus:1;mem:128;ports:" + ranges(l)));
    });
    assertThat(m.unmetReasons()).containsExactly(Map.entry("/prod/web", List.of("cpus: 0.0 offered, 1.0 needed")));
    assertMasterWouldAccept(offer, m);
  }

  private static String ranges(Launch l) {
    return "[" + l.ports().get(0) + "-" + l.ports().get(0) + "]";
  }

  @Test
  void aWantThatIsMetLeavesNoReason() {
    Match m = match(offer("h1", "cpus:4;mem:1024;ports:[31000-31009]"), want(app("/a", "\"cpus\":1"), 2));

    assertThat(m.launches()).hasSize(2);
    assertThat(m.unmetReasons()).isEmpty();
  }

  @Test
  void uniqueHostnamePlacesOnePerAgent() {
    AppDefinition app = app("/u", "\"cpus\":0.1,\"mem\":16,\"constraints\":[[\"hostname\",\"UNIQUE\"]]");

    Match first = match(offer("h1", "cpus:4;mem:1024;ports:[31000-31009]"), want(app, 3));
    assertThat(first.launches()).hasSize(1);
    assertThat(first.unmetReasons().get("/u")).singleElement().asString()
        .contains("UNIQUE").contains("h1");

    Match again = match(offer("h1", "cpus:4;mem:1024;ports:[31000-31009]"),
        want(app, 2, new AgentView("h1", Map.of())));
    assertThat(again.launches()).isEmpty();

    Match other = match(offer("h2", "cpus:4;mem:1024;ports:[31000-31009]"),
        want(app, 2, new AgentView("h1", Map.of())));
    assertThat(other.launches()).extracting(Launch::host).containsExactly("h2");
  }

  @Test
  void maxPerCountsTheInstancesChosenFromThisOffer() {
    AppDefinition app = app("/m", "\"cpus\":0.1,\"mem\":16,\"constraints\":[[\"rack\",\"MAX_PER\",\"2\"]]");

    Match m = match(offer("h1", "cpus:4;mem:1024;ports:[31000-31009]"),
        want(app, 5, new AgentView("h9", Map.of("rack", "r2"))));

    assertThat(m.launches()).hasSize(2);
    assertThat(m.unmetReasons().get("/m")).singleElement().asString().contains("MAX_PER");
  }

  @Test
  void requirePortsTakesTheExactPort() {
    AppDefinition app = app("/fixed", "\"cpus\":0.1,\"mem\":16,\"requirePorts\":true,"
        + "\"portDefinitions\":[{\"port\":31005},{\"port\":0}]");

    Match m = match(offer("h1", "cpus:4;mem:1024;ports:[31000-31009]"), want(app, 3));

    assertThat(m.launches()).hasSize(1);
    assertThat(m.launches().get(0).ports()).containsExactly(31005, 31000);
    assertThat(listedPorts(m.launches().get(0).task())).containsExactly(31005L, 31000L);
    assertThat(m.unmetReasons().get("/fixed")).containsExactly("ports: 31005 not offered, needed (requirePorts)");

    Match elsewhere = match(offer("h2", "cpus:4;mem:1024;ports:[32000-32009]"), want(app, 1));
    assertThat(elsewhere.launches()).isEmpty();
    assertThat(elsewhere.unmetReasons().get("/fixed")).containsExactly("ports: 31005 not offered, needed (requirePorts)");
  }

  @Test
  void dynamicPortsNeverTakeAFixedPortOfTheSameTask() {
    AppDefinition app = app("/mix", "\"cpus\":0.1,\"mem\":16,\"requirePorts\":true,"
        + "\"portDefinitions\":[{\"port\":0},{\"port\":31000}]");

    Match m = match(offer("h1", "cpus:4;mem:1024;ports:[31000-31001]"), want(app, 1));

    assertThat(m.launches().get(0).ports()).containsExactly(31001, 31000);
  }

  @Test
  void servicePortWithoutRequirePortsTakesAnyHostPort() {
    AppDefinition app = app("/svc", "\"cpus\":0.1,\"mem\":16,\"portDefinitions\":[{\"port\":10000,\"name\":\"http\"}]");

    Match m = match(offer("h1", "cpus:4;mem:1024;ports:[31000-31009]"), want(app, 1));

    Launch l = m.launches().get(0);
    assertThat(l.ports()).containsExactly(31000);
    assertThat(env(l.task())).containsEntry("PORT_10000", "31000").containsEntry("PORT_HTTP", "31000");
  }

  @Test
  void portsAreTakenLowestFirstAcrossRanges() {
    AppDefinition app = app("/p", "\"cpus\":0.1,\"mem\":16,\"portDefinitions\":[{\"port\":0},{\"port\":0},{\"port\":0}]");

    Match m = match(offer("h1", "cpus:4;mem:1024;ports:[31010-31010,31000-31001,31020-31030]"), want(app, 2));

    assertThat(m.launches()).extracting(Launch::ports)
        .containsExactly(List.of(31000, 31001, 31010), List.of(31020, 31021, 31022));
  }

  @Test
  void shortPortsAreReported() {
    AppDefinition app = app("/p2", "\"cpus\":0.1,\"mem\":16,\"portDefinitions\":[{\"port\":0},{\"port\":0}]");

    Match m = match(offer("h1", "cpus:4;mem:1024;ports:[31000-31002]"), want(app, 2));

    assertThat(m.launches()).hasSize(1);
    assertThat(m.unmetReasons().get("/p2")).containsExactly("ports: 1 free, 2 needed");
  }

  @Test
  void shortResourcesAreReportedPerApp() {
    AppDefinition big = app("/big", "\"cpus\":1,\"mem\":1024,\"disk\":100");
    AppDefinition small = app("/small", "\"cpus\":0.5,\"mem\":64");
    AppDefinition noPorts = app("/noports", "\"cpus\":0.1,\"mem\":8,\"portDefinitions\":[]");

    Match m = match(offer("h1", "cpus:0.6;mem:512;disk:10;ports:[31000-31000]"),
        want(big, 1), want(small, 2), want(noPorts, 1));

    assertThat(m.unmetReasons()).containsOnlyKeys("/big", "/small");
    assertThat(m.unmetReasons().get("/big")).containsExactly(
        "cpus: 0.6 offered, 1.0 needed", "mem: 512.0 offered, 1024.0 needed", "disk: 10.0 offered, 100.0 needed");
    assertThat(m.unmetReasons().get("/small")).containsExactly("cpus: 0.1 offered, 0.5 needed",
        "ports: 0 free, 1 needed");
    assertThat(m.launches()).extracting(Launch::appId).containsExactly("/small", "/noports");
  }

  @Test
  void laterWantsUseWhatEarlierOnesLeft() {
    Offer offer = offer("h1", "cpus:3;mem:1024;ports:[31000-31009]");
    Match m = match(offer, want(app("/first", "\"cpus\":2,\"mem\":128"), 5),
        want(app("/second", "\"cpus\":0.5,\"mem\":128"), 5));

    assertThat(m.launches()).extracting(Launch::appId).containsExactly("/first", "/second", "/second");
    assertThat(m.launches()).flatExtracting(Launch::ports).doesNotHaveDuplicates();
    assertMasterWouldAccept(offer, m);
  }

  @Test
  void reservedResourcesGoOnlyToTheirRole() {
    Offer offer = offer("h1", "cpus:1;mem:128;cpus(eng):2;mem(eng):256;ports(eng):[31000-31001];ports:[32000-32009]");
    AppDefinition shared = app("/shared", "\"cpus\":1,\"mem\":128");
    AppDefinition eng = app("/eng", "\"cpus\":1,\"mem\":128,\"role\":\"eng\"");

    Match unreservedOnly = match(offer, want(shared, 3));
    assertThat(unreservedOnly.launches()).hasSize(1);
    assertThat(unreservedOnly.launches().get(0).ports()).containsExactly(32000);
    assertThat(Resources.of(unreservedOnly.launches().get(0).task().resources()).reserved().isEmpty()).isTrue();

    Match engFirst = match(offer, want(eng, 4));
    assertThat(engFirst.launches()).hasSize(3);
    // the role's reservation is used before the shared pool
    assertThat(Resources.of(engFirst.launches().get(0).task().resources()))
        .isEqualTo(Resources.parse("cpus(eng):1;mem(eng):128;ports(eng):[31000-31000]"));
    assertThat(Resources.of(engFirst.launches().get(2).task().resources()))
        .isEqualTo(Resources.parse("cpus:1;mem:128;ports:[32000-32000]"));
    Resource reservedCpus = engFirst.launches().get(0).task().resources().get(0);
    assertThat(reservedCpus.reservations()).extracting(Resource.ReservationInfo::role).containsExactly("eng");
    assertMasterWouldAccept(offer, engFirst);
  }

  @Test
  void anInstanceMaySpanReservedAndUnreservedResources() {
    Offer offer = offer("h1", "cpus:1;mem:128;cpus(eng):0.5;ports:[31000-31001]");

    Match m = match(offer, want(app("/eng", "\"cpus\":1.2,\"mem\":64,\"role\":\"eng\""), 2));

    assertThat(m.launches()).hasSize(1);
    assertThat(Resources.of(m.launches().get(0).task().resources()))
        .isEqualTo(Resources.parse("cpus(eng):0.5;cpus:0.7;mem:64;ports:[31000-31000]"));
    assertThat(m.unmetReasons().get("/eng")).containsExactly("cpus: 0.3 offered, 1.2 needed");
  }

  @Test
  void offerAllocatedToAnotherRoleIsLeftAlone() {
    Offer offer = offer("h1", "cpus:4;mem:1024;ports:[31000-31009]", "eng", "eng");

    Match m = match(offer, want(app("/shared", "\"cpus\":1"), 1), want(app("/eng", "\"cpus\":1,\"role\":\"eng\""), 1));

    assertThat(m.launches()).extracting(Launch::appId).containsExactly("/eng");
    assertThat(m.unmetReasons().get("/shared"))
        .containsExactly("role: offer allocated to 'eng' (expected: the app's role '*')");
  }

  @Test
  void taskResourcesCarryTheOffersAllocationInfo() {
    Offer offer = offer("h1", "cpus:4;mem:1024;cpus(eng):1;ports:[31000-31009]", "eng", "eng");

    Match m = match(offer, want(app("/eng", "\"cpus\":1.5,\"mem\":64,\"role\":\"eng\""), 1));

    assertThat(m.launches().get(0).task().resources())
        .allSatisfy(r -> assertThat(r.allocationInfo()).isEqualTo(new Offer.AllocationInfo("eng")));
    assertMasterWouldAccept(offer, m);
  }

  @Test
  void anAppThatCannotMakeATaskIsReportedWithoutStoppingTheOthers() {
    AppDefinition broken = io.mezzo.services.app.AppValidator.parse("{\"id\":\"/broken\",\"args\":[\"x\"]}")
        .withArgs(List.of());

    Match m = match(offer("h1", "cpus:4;mem:1024;ports:[31000-31009]"), want(broken, 1), want(app("/ok", ""), 1));

    assertThat(m.launches()).extracting(Launch::appId).containsExactly("/ok");
    assertThat(m.unmetReasons().get("/broken")).singleElement().asString().contains("args: []");
  }

  @Test
  void zeroCountWantsAreSkipped() {
    Match m = match(offer("h1", "cpus:4;mem:1024;ports:[31000-31009]", "eng", null), want(app("/z", ""), 0));

    assertThat(m.launches()).isEmpty();
    assertThat(m.unmetReasons()).isEmpty();
  }
}
