package io.mezzo.master.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Resources;
import io.mezzo.master.allocator.AllocationView.AgentView;
import io.mezzo.master.allocator.AllocationView.FrameworkView;
import io.mezzo.master.allocator.AllocationView.RoleConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The tricky cases of roles, quota, limits, reservations and partial cycles, one example each. */
class HierarchicalAllocatorTest {
  private final Allocator allocator = Allocator.drf();

  private static AgentView agent(String id, String available) {
    Resources r = Resources.parse(available);
    return new AgentView(new AgentId(id), r, r);
  }

  private static FrameworkView framework(String id, String role, String held) {
    Resources h = Resources.parse(held);
    return new FrameworkView(new FrameworkId(id), List.of(role), h.isEmpty() ? Map.of() : Map.of(role, h),
        Set.of(), Map.of());
  }

  private List<Allocation> allocate(List<AgentView> agents, Map<String, RoleConfig> roles, FrameworkView... fs) {
    Resources.Builder total = new Resources.Builder();
    agents.forEach(a -> total.add(a.total()));
    return allocator.allocate(new AllocationView(total.build(), agents, roles, List.of(fs), 0));
  }

  @Test
  void quotaGuaranteeIsOfferedFirstAndTheRestGoesToOthers() {
    // "a" has the lower share, but "q" has an unmet guarantee of 3 cpus and 1 GB
    List<Allocation> out = allocate(List.of(agent("a0", "cpus:8;mem:8192;ports:[31000-31009]")),
        Map.of("q", new RoleConfig(1, Map.of("cpus", 3.0, "mem", 1024.0), Map.of())),
        framework("fa", "a", ""), framework("fq", "q", "cpus:1"));
    assertThat(out).extracting(Allocation::framework)
        .containsExactly(new FrameworkId("fq"), new FrameworkId("fa"));
    assertThat(out.get(0).resources()).isEqualTo(Resources.parse("cpus:2;mem:1024;ports:[31000-31009]"));
    assertThat(out.get(1).resources()).isEqualTo(Resources.parse("cpus:6;mem:7168"));
  }

  @Test
  void limitsShrinkOffersAndTheRestGoesToOthers() {
    List<Allocation> out = allocate(List.of(agent("a0", "cpus:8;mem:8192")),
        Map.of("capped", new RoleConfig(1, Map.of(), Map.of("cpus", 3.0))),
        framework("f1", "capped", ""), framework("f2", "other", "cpus:1"));
    assertThat(out).extracting(Allocation::resources)
        .containsExactly(Resources.parse("cpus:3;mem:8192"), Resources.parse("cpus:5"));
  }

  @Test
  void parentLimitCoversItsSubtree() {
    List<Allocation> out = allocate(List.of(agent("a0", "cpus:8;mem:1024"), agent("a1", "cpus:8;mem:1024")),
        Map.of("eng", new RoleConfig(1, Map.of(), Map.of("cpus", 4.0))),
        framework("web", "eng/web", "cpus:1"), framework("db", "eng/db", "cpus:2"));
    assertThat(out.stream().mapToDouble(a -> a.resources().scalar("cpus")).sum()).isEqualTo(1.0);
  }

  @Test
  void resourcesReservedToAnAncestorAreOfferedToItsDescendantsOnly() {
    List<Allocation> out = allocate(List.of(agent("a0", "cpus(eng):2;mem(eng):512")), Map.of(),
        framework("ops", "ops", ""), framework("any", "*", ""), framework("web", "eng/web", "cpus:1"));
    assertThat(out).singleElement().satisfies(a -> {
      assertThat(a.framework()).isEqualTo(new FrameworkId("web"));
      assertThat(a.role()).isEqualTo("eng/web");
      assertThat(a.resources().reservedTo("eng")).isEqualTo(a.resources());
    });
  }

  @Test
  void unreservedAndReservedPartsOfOneAgentGoToTheRightRoles() {
    List<Allocation> out = allocate(List.of(agent("a0", "cpus:2;mem:512;cpus(db):4;mem(db):1024")), Map.of(),
        framework("fdb", "db", "cpus:100"), framework("fweb", "web", ""));
    assertThat(out).hasSize(2);
    assertThat(out).filteredOn(a -> a.role().equals("web")).singleElement()
        .satisfies(a -> assertThat(a.resources()).isEqualTo(Resources.parse("cpus:2;mem:512")));
    assertThat(out).filteredOn(a -> a.role().equals("db")).singleElement()
        .satisfies(a -> assertThat(a.resources()).isEqualTo(Resources.parse("cpus(db):4;mem(db):1024")));
  }

  @Test
  void subtreeSharesDecideBeforeLeafShares() {
    // Flat DRF would serve eng/a (share 0); hierarchically the eng subtree (0.5) is behind ops (0.1).
    List<AgentView> agents = List.of(agent("a0", "cpus:1;mem:1024"));
    Resources total = Resources.parse("cpus:100;mem:100000");
    List<Allocation> out = allocator.allocate(new AllocationView(total, agents, Map.of(), List.of(
        framework("fa", "eng/a", ""), framework("fb", "eng/b", "cpus:50"), framework("fo", "ops", "cpus:10")), 0));
    assertThat(out).singleElement().extracting(Allocation::framework).isEqualTo(new FrameworkId("fo"));
  }

  @Test
  void weightDividesTheShareAmongSiblings() {
    Resources total = Resources.parse("cpus:100;mem:100000");
    List<Allocation> out = allocator.allocate(new AllocationView(total, List.of(agent("a0", "cpus:1;mem:1024")),
        Map.of("heavy", RoleConfig.weight(3)),
        List.of(framework("fh", "heavy", "cpus:20"), framework("fl", "light", "cpus:10")), 0));
    assertThat(out).singleElement().extracting(Allocation::framework).isEqualTo(new FrameworkId("fh"));
  }

  @Test
  void sharesAreRelativeToTheClusterTotalInPartialCycles() {
    // Only a0 is allocated now; over it alone f2's memory would look small, over the cluster it is not.
    Resources total = Resources.parse("cpus:1000;mem:10000");
    List<Allocation> out = allocator.allocate(new AllocationView(total, List.of(agent("a0", "cpus:6;mem:8000")),
        Map.of(), List.of(framework("f1", "*", "cpus:5"), framework("f2", "*", "mem:3000")), 0));
    assertThat(out).singleElement().extracting(Allocation::framework).isEqualTo(new FrameworkId("f1"));
  }

  @Test
  void multiRoleFrameworksAreOfferedPerRoleAndSuppressionIsPerRole() {
    FrameworkView both = new FrameworkView(new FrameworkId("f"), List.of("a", "b"), Map.of(), Set.of(), Map.of());
    List<Allocation> out = allocate(List.of(agent("a0", "cpus:1;mem:128"), agent("a1", "cpus:1;mem:128")), Map.of(), both);
    assertThat(out).extracting(Allocation::role).containsExactly("a", "b");
    FrameworkView onlyB = new FrameworkView(new FrameworkId("f"), List.of("a", "b"), Map.of(), Set.of("a"), Map.of());
    assertThat(allocate(List.of(agent("a0", "cpus:1;mem:128"), agent("a1", "cpus:1;mem:128")), Map.of(), onlyB))
        .extracting(Allocation::role).containsExactly("b", "b");
  }

  @Test
  void rolesOwnFrameworksCompeteWithItsChildRoles() {
    // eng's own framework and eng/web are siblings under eng: each gets one of two equal agents.
    List<Allocation> out = allocate(List.of(agent("a0", "cpus:1;mem:128"), agent("a1", "cpus:1;mem:128")), Map.of(),
        framework("own", "eng", ""), framework("web", "eng/web", ""));
    assertThat(out).extracting(Allocation::role).containsExactlyInAnyOrder("eng", "eng/web");
  }

  @Test
  void badRoleConfigurationNamesTheFieldAndWhatWasExpected() {
    assertThatThrownBy(() -> RoleConfig.weight(-1)).hasMessage("weight: -1.0 (expected: a finite number > 0)");
    assertThatThrownBy(() -> new RoleConfig(1, Map.of("cpus", 4.0), Map.of("cpus", 2.0)))
        .hasMessage("guarantees.cpus: 4.0 (expected: <= limits.cpus 2.0)");
    assertThatThrownBy(() -> RoleConfig.of(1, Resources.parse("cpus(eng):1"), Resources.EMPTY))
        .hasMessageContaining("guarantees: 'cpus(eng):1' (expected: unreserved scalars only)");
    assertThatThrownBy(() -> new FrameworkView(new FrameworkId("f"), List.of("eng/"), Map.of(), Set.of(), Map.of()))
        .hasMessageContaining("role: 'eng/'");
  }
}
