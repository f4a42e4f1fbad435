package io.mezzo.services.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resources;
import io.mezzo.services.app.AppDefinition;
import io.mezzo.services.launch.OfferMatcher.Launch;
import io.mezzo.services.launch.OfferMatcher.Match;
import io.mezzo.services.launch.OfferMatcher.Want;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever the offer and the wants, the launches fit in the offer and never share a port. */
class OfferMatcherPropertiesTest {

  /** An offer in agent syntax: some unreserved and some {@code eng}-reserved cpus, mem, disk and ports. */
  @Provide
  Arbitrary<String> offers() {
    Arbitrary<Integer> tenths = Arbitraries.integers().between(0, 40);
    Arbitrary<Integer> mem = Arbitraries.integers().between(0, 2048);
    // An agent has each port once: unreserved ports come from 31000-31099, eng's from 31100 up.
    Arbitrary<String> ports = portRanges(31000);
    Arbitrary<String> engPorts = portRanges(31100);
    return Combinators.combine(tenths, mem, tenths, mem, ports, engPorts, tenths)
        .as((cpus, m, engCpus, engMem, p, ep, disk) -> {
          List<String> parts = new ArrayList<>(List.of("cpus:" + cpus / 10.0, "mem:" + m,
              "cpus(eng):" + engCpus / 10.0, "mem(eng):" + engMem, "disk:" + disk * 10));
          if (!p.isEmpty()) {
            parts.add("ports:[" + p + "]");
          }
          if (!ep.isEmpty()) {
            parts.add("ports(eng):[" + ep + "]");
          }
          return String.join(";", parts);
        });
  }

  /** Up to four possibly overlapping ranges within [base, base + 49]. */
  private static Arbitrary<String> portRanges(int base) {
    return Arbitraries.integers().between(base, base + 40).list().ofMaxSize(4)
        .map(begins -> {
          List<String> ranges = new ArrayList<>();
          for (int i = 0; i < begins.size(); i++) {
            int b = begins.get(i);
            ranges.add(b + "-" + (b + i * 3));
          }
          return String.join(",", ranges);
        });
  }

  @Provide
  Arbitrary<List<Want>> wants() {
    Arbitrary<String> role = Arbitraries.of("", ",\"role\":\"eng\"");
    Arbitrary<String> ports = Arbitraries.of(0, 0, 31000, 31005, 31017, 31103, 10000).list().ofMaxSize(3)
        .filter(list -> list.stream().filter(p -> p != 0).distinct().count() == list.stream().filter(p -> p != 0).count())
        .map(list -> "\"portDefinitions\":["
            + String.join(",", list.stream().map(p -> "{\"port\":" + p + "}").toList()) + "]");
    Arbitrary<Want> want = Combinators.combine(
            Arbitraries.integers().between(1, 20), Arbitraries.integers().between(0, 512),
            Arbitraries.integers().between(0, 5), ports, Arbitraries.of(true, false), role,
            Arbitraries.of("", ",\"constraints\":[[\"hostname\",\"UNIQUE\"]]"), Arbitraries.integers().between(0, 6))
        .as((cpus, mem, disk, portDefs, requirePorts, r, constraints, count) -> {
          AppDefinition app = Fixtures.app("/app-" + cpus + "-" + mem, "\"cpus\":" + cpus / 10.0 + ",\"mem\":" + mem
              + ",\"disk\":" + disk * 10 + "," + portDefs + ",\"requirePorts\":" + requirePorts + r + constraints);
          return new Want(app, "v1", count, List.of());
        });
    return want.list().ofMaxSize(5);
  }

  @Property(tries = 300)
  void launchesNeverExceedTheOfferNorShareAPort(@ForAll("offers") String resources, @ForAll("wants") List<Want> wants) {
    Offer offer = Fixtures.offer("h1", resources);
    Match m = OfferMatcher.match(offer, Map.of(), wants, Fixtures.uuids());

    Resources left = Resources.of(offer.resources());
    Set<Integer> ports = new HashSet<>();
    for (Launch l : m.launches()) {
      Resources needs = Resources.of(l.task().resources());
      assertThat(left.contains(needs)).as("%s within %s", needs, left).isTrue();
      left = left.minus(needs);
      for (int p : l.ports()) {
        assertThat(ports.add(p)).as("port %d taken twice", p).isTrue();
      }
      assertThat(Fixtures.listedPorts(l.task())).containsExactlyElementsOf(l.ports().stream().map(Long::valueOf).toList());
    }
    Resources total = Resources.EMPTY;
    for (Launch l : m.launches()) {
      total = total.plus(Resources.of(l.task().resources()));
    }
    assertThat(Resources.of(offer.resources()).contains(total)).isTrue();
    for (Want w : wants) {
      long launched = m.launches().stream().filter(l -> l.appId().equals(w.app().id())).count();
      if (launched < wants.stream().filter(x -> x.app().id().equals(w.app().id())).mapToInt(Want::count).sum()) {
        assertThat(m.unmetReasons()).containsKey(w.app().id());
      }
    }
  }
}
