package io.mezzo.master.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Resources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class DrfAllocatorTest {
  private final Allocator allocator = Allocator.drf();

  private static AllocationView.AgentView agent(int i, String resources) {
    Resources r = Resources.parse(resources);
    return new AllocationView.AgentView(new AgentId("a" + i), r, r);
  }

  private static AllocationView.FrameworkView framework(String id, String allocated) {
    return new AllocationView.FrameworkView(new FrameworkId(id), "*", Resources.parse(allocated), false, Map.of());
  }

  @Test
  void lowestDominantShareIsServedFirst() {
    // Cluster: 10 cpus, 100 GB. f1 holds 5 cpus (share 0.5), f2 holds 20 GB (share 0.2).
    List<AllocationView.AgentView> agents = List.of(
        new AllocationView.AgentView(new AgentId("a0"), Resources.parse("cpus:10;mem:100000"),
            Resources.parse("cpus:1;mem:1000")));
    List<Allocation> out = allocator.allocate(new AllocationView(agents,
        List.of(framework("f1", "cpus:5"), framework("f2", "mem:20000")), 0));
    assertThat(out).singleElement().extracting(Allocation::framework).isEqualTo(new FrameworkId("f2"));
  }

  @Test
  void sharesAreRecomputedWithinOneCycle() {
    List<AllocationView.AgentView> agents = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      agents.add(agent(i, "cpus:4;mem:4096"));
    }
    List<Allocation> out = allocator.allocate(new AllocationView(agents,
        List.of(framework("f1", ""), framework("f2", "")), 0));
    Map<FrameworkId, Integer> counts = new HashMap<>();
    out.forEach(a -> counts.merge(a.framework(), 1, Integer::sum));
    assertThat(counts).containsEntry(new FrameworkId("f1"), 2).containsEntry(new FrameworkId("f2"), 2);
  }

  @Test
  void filteredAgentGoesToTheNextFramework() {
    AllocationView.AgentView a = agent(0, "cpus:4;mem:4096");
    var filtered = new AllocationView.FrameworkView(new FrameworkId("f1"), "*", Resources.EMPTY, false,
        Map.of(a.id(), new AllocationView.Filter(a.available(), 1_000)));
    List<Allocation> during = allocator.allocate(new AllocationView(List.of(a), List.of(filtered, framework("f2", "cpus:1")), 0));
    assertThat(during).singleElement().extracting(Allocation::framework).isEqualTo(new FrameworkId("f2"));
    List<Allocation> after = allocator.allocate(new AllocationView(List.of(a), List.of(filtered, framework("f2", "cpus:1")), 2_000));
    assertThat(after).singleElement().extracting(Allocation::framework).isEqualTo(new FrameworkId("f1"));
  }

  @Test
  void suppressedFrameworksGetNothingAndTinyBundlesAreNotOffered() {
    var suppressed = new AllocationView.FrameworkView(new FrameworkId("f1"), "*", Resources.EMPTY, true, Map.of());
    assertThat(allocator.allocate(new AllocationView(List.of(agent(0, "cpus:4;mem:4096")), List.of(suppressed), 0))).isEmpty();
    assertThat(allocator.allocate(new AllocationView(List.of(agent(0, "cpus:0.001;mem:1")),
        List.of(framework("f2", "")), 0))).isEmpty();
  }

  @Property
  void noAgentIsOfferedTwiceAndEveryAgentGoesToSomeone(@ForAll @IntRange(min = 1, max = 40) int agents,
      @ForAll @IntRange(min = 1, max = 8) int frameworks) {
    List<AllocationView.AgentView> as = new ArrayList<>();
    for (int i = 0; i < agents; i++) {
      as.add(agent(i, "cpus:" + (1 + i % 4) + ";mem:" + (512 * (1 + i % 3))));
    }
    List<AllocationView.FrameworkView> fs = new ArrayList<>();
    for (int i = 0; i < frameworks; i++) {
      fs.add(framework("f" + i, ""));
    }
    List<Allocation> out = allocator.allocate(new AllocationView(as, fs, 0));
    Set<AgentId> seen = new HashSet<>();
    for (Allocation a : out) {
      assertThat(seen.add(a.agent())).as("agent %s offered twice", a.agent()).isTrue();
    }
    assertThat(seen).hasSize(agents);
  }

  @Property
  void equalDemandConvergesToEqualShares(@ForAll @IntRange(min = 2, max = 6) int frameworks) {
    // Identical agents, frameworks taking everything offered: dominant shares stay within one agent's share.
    int agents = frameworks * 5;
    List<AllocationView.AgentView> as = new ArrayList<>();
    for (int i = 0; i < agents; i++) {
      as.add(agent(i, "cpus:2;mem:2048"));
    }
    List<AllocationView.FrameworkView> fs = new ArrayList<>();
    for (int i = 0; i < frameworks; i++) {
      fs.add(framework("f" + i, ""));
    }
    Map<FrameworkId, Integer> counts = new HashMap<>();
    allocator.allocate(new AllocationView(as, fs, 0)).forEach(a -> counts.merge(a.framework(), 1, Integer::sum));
    int min = counts.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    assertThat(max - min).isLessThanOrEqualTo(1);
    assertThat(counts).hasSize(frameworks);
  }
}
