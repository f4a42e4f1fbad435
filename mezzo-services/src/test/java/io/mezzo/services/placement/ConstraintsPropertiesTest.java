package io.mezzo.services.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.services.app.Constraint;
import io.mezzo.services.app.Operator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Greedy placement driven by {@link Constraints}, over random offer sequences. */
class ConstraintsPropertiesTest {

  private static AgentView agent(int host, int rack) {
    return new AgentView("host-" + host, Map.of("rack", "rack-" + rack));
  }

  /** Places on each offer the constraints accept, as a scheduler taking offers in order would. */
  private static List<AgentView> placeGreedily(List<Constraint> constraints, List<AgentView> offers) {
    List<AgentView> placed = new ArrayList<>();
    for (AgentView offer : offers) {
      if (Constraints.evaluate(constraints, offer, placed).accepted()) {
        placed.add(offer);
      }
    }
    return placed;
  }

  @Property
  void uniqueHostnameNeverPutsTwoInstancesOnOneHost(
      @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 7) Integer> offeredHosts) {
    List<AgentView> offers = offeredHosts.stream().map(h -> agent(h, h % 3)).toList();

    List<AgentView> placed = placeGreedily(List.of(new Constraint("hostname", Operator.UNIQUE, null)), offers);

    List<String> hosts = placed.stream().map(AgentView::hostname).toList();
    assertThat(hosts).doesNotHaveDuplicates();
    assertThat(new HashSet<>(hosts)).as("every offered host gets one")
        .isEqualTo(new HashSet<>(offers.stream().map(AgentView::hostname).toList()));
  }

  @Property
  void maxPerRackNeverExceedsItsLimit(
      @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 11) Integer> offeredHosts,
      @ForAll @IntRange(min = 1, max = 4) int limit) {
    List<AgentView> offers = offeredHosts.stream().map(h -> agent(h, h % 3)).toList();

    List<AgentView> placed = placeGreedily(
        List.of(new Constraint("rack", Operator.MAX_PER, Integer.toString(limit))), offers);

    Map<String, Integer> perRack = new HashMap<>();
    placed.forEach(a -> perRack.merge(a.attributes().get("rack"), 1, Integer::sum));
    assertThat(perRack.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(limit));
    Map<String, Long> offeredPerRack = new HashMap<>();
    offers.forEach(a -> offeredPerRack.merge(a.attributes().get("rack"), 1L, Long::sum));
    offeredPerRack.forEach((rack, n) ->
        assertThat(perRack.getOrDefault(rack, 0)).as(rack).isEqualTo((int) Math.min(n, limit)));
  }

  @Property
  void groupByWithTheRackCountKeepsRacksWithinOneOfEachOther(
      @ForAll @IntRange(min = 2, max = 4) int racks,
      @ForAll @IntRange(min = 1, max = 3) int hostsPerRack,
      @ForAll @IntRange(min = 1, max = 25) int instances,
      @ForAll long seed) {
    List<AgentView> agents = new ArrayList<>();
    for (int r = 0; r < racks; r++) {
      for (int h = 0; h < hostsPerRack; h++) {
        agents.add(agent(r * hostsPerRack + h, r));
      }
    }
    List<Constraint> groupBy = List.of(new Constraint("rack", Operator.GROUP_BY, Integer.toString(racks)));
    Random random = new Random(seed);
    List<AgentView> placed = new ArrayList<>();

    for (int i = 0; i < instances; i++) {
      // one offer round: every agent, in a random order; the first acceptable one gets the instance
      List<AgentView> round = new ArrayList<>(agents);
      Collections.shuffle(round, random);
      AgentView chosen = round.stream()
          .filter(a -> Constraints.evaluate(groupBy, a, placed).accepted())
          .findFirst().orElse(null);
      assertThat(chosen).as("some rack accepts instance %d", i).isNotNull();
      placed.add(chosen);

      int[] perRack = new int[racks];
      placed.forEach(a -> perRack[Integer.parseInt(a.attributes().get("rack").substring(5))]++);
      int max = java.util.Arrays.stream(perRack).max().orElseThrow();
      int min = java.util.Arrays.stream(perRack).min().orElseThrow();
      assertThat(max - min).as("rack counts %s", java.util.Arrays.toString(perRack)).isLessThanOrEqualTo(1);
    }
  }

  @Property
  void clusterWithoutValueKeepsEveryInstanceOnTheFirstRack(
      @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 8) Integer> offeredHosts) {
    List<AgentView> offers = offeredHosts.stream().map(h -> agent(h, h % 3)).toList();

    List<AgentView> placed = placeGreedily(List.of(new Constraint("rack", Operator.CLUSTER, null)), offers);

    String firstRack = offers.get(0).attributes().get("rack");
    assertThat(placed).allSatisfy(a -> assertThat(a.attributes().get("rack")).isEqualTo(firstRack));
    assertThat(placed).hasSize((int) offers.stream().filter(a -> a.attributes().get("rack").equals(firstRack)).count());
  }
}
