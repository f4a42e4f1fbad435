package io.mezzo.master.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.Roles;
import io.mezzo.master.allocator.AllocationView.AgentView;
import io.mezzo.master.allocator.AllocationView.FrameworkView;
import io.mezzo.master.allocator.AllocationView.RoleConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Properties of one or more allocation cycles over seeded random clusters; no wall clock. */
class AllocatorPropertiesTest {
  private static final List<String> ROLES = List.of("*", "eng", "eng/web", "eng/db", "ops", "ops/x");
  private final Allocator allocator = Allocator.drf();

  /** A random cluster: agents (some with reservations), frameworks in random roles, weights and limits. */
  private static AllocationView randomView(long seed, boolean withQuota) {
    Random r = new Random(seed);
    List<AgentView> agents = new ArrayList<>();
    Resources.Builder total = new Resources.Builder();
    int n = 1 + r.nextInt(30);
    for (int i = 0; i < n; i++) {
      String text = "cpus:" + (1 + r.nextInt(8)) + ";mem:" + 128 * (1 + r.nextInt(32)) + ";ports:[31000-31010]";
      if (r.nextInt(3) == 0) {
        String role = ROLES.get(1 + r.nextInt(ROLES.size() - 1));
        text += ";cpus(" + role + "):" + (1 + r.nextInt(4)) + ";mem(" + role + "):" + 128 * (1 + r.nextInt(8));
      }
      Resources t = Resources.parse(text);
      Resources available = r.nextBoolean() ? t : t.minus(Resources.parse("cpus:1;mem:128"));
      agents.add(new AgentView(new AgentId("a" + i), t, available));
      total.add(t);
    }
    Map<String, RoleConfig> roles = new HashMap<>();
    for (String role : ROLES) {
      if (r.nextInt(3) == 0) {
        Map<String, Double> limits = r.nextBoolean() ? Map.of("cpus", (double) r.nextInt(20)) : Map.of();
        Map<String, Double> guarantees = withQuota && r.nextBoolean() && !role.equals("*")
            ? Map.of("cpus", (double) r.nextInt(4), "mem", 128.0 * r.nextInt(8)) : Map.of();
        if (!limits.isEmpty() && !guarantees.isEmpty() && guarantees.get("cpus") > limits.get("cpus")) {
          limits = Map.of();
        }
        roles.put(role, new RoleConfig(1 + r.nextInt(3), guarantees, limits));
      }
    }
    List<FrameworkView> frameworks = new ArrayList<>();
    int f = 1 + r.nextInt(8);
    for (int i = 0; i < f; i++) {
      Set<String> mine = new HashSet<>();
      mine.add(ROLES.get(r.nextInt(ROLES.size())));
      if (r.nextBoolean()) {
        mine.add(ROLES.get(r.nextInt(ROLES.size())));
      }
      Set<String> suppressed = new HashSet<>();
      for (String role : mine) {
        if (r.nextInt(5) == 0) {
          suppressed.add(role);
        }
      }
      Map<String, Resources> held = r.nextBoolean() ? Map.of()
          : Map.of(mine.iterator().next(), Resources.parse("cpus:" + r.nextInt(6) + ";mem:" + 128 * r.nextInt(10)));
      frameworks.add(new FrameworkView(new FrameworkId("f" + i), List.copyOf(mine), held, suppressed, Map.of()));
    }
    return new AllocationView(total.build(), agents, roles, frameworks, 0);
  }

  @Property
  void noResourceIsOfferedTwice(@ForAll long seed) {
    AllocationView view = randomView(seed, true);
    List<Allocation> out = allocator.allocate(view);
    Map<AgentId, Resources> offered = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (Allocation a : out) {
      offered.merge(a.agent(), a.resources(), Resources::plus);
      assertThat(seen.add(a.framework() + " " + a.role() + " " + a.agent())).as("one offer per framework, role, agent").isTrue();
    }
    for (AgentView agent : view.agents()) {
      Resources sum = offered.getOrDefault(agent.id(), Resources.EMPTY);
      assertThat(agent.available().contains(sum)).as("%s offered %s of %s", agent.id(), sum, agent.available()).isTrue();
      // ranges are whole values: a port offered twice would make the sum smaller than its parts
      long parts = out.stream().filter(a -> a.agent().equals(agent.id()))
          .mapToLong(a -> a.resources().ranges("ports").size()).sum();
      assertThat(parts).isEqualTo(sum.ranges("ports").size());
    }
  }

  @Property
  void reservedResourcesAreOfferedOnlyToTheirRoleOrDescendants(@ForAll long seed) {
    AllocationView view = randomView(seed, true);
    for (Allocation a : allocator.allocate(view)) {
      for (String reservedTo : a.resources().reservationRoles()) {
        assertThat(Roles.isSelfOrAncestor(reservedTo, a.role()))
            .as("%s reserved to %s offered to role %s", a.resources(), reservedTo, a.role()).isTrue();
      }
    }
  }

  @Property
  void offersGoOnlyToSubscribedUnsuppressedRoles(@ForAll long seed) {
    AllocationView view = randomView(seed, true);
    Map<FrameworkId, FrameworkView> byId = new HashMap<>();
    view.frameworks().forEach(f -> byId.put(f.id(), f));
    for (Allocation a : allocator.allocate(view)) {
      FrameworkView f = byId.get(a.framework());
      assertThat(f.roles()).contains(a.role());
      assertThat(f.suppressedRoles()).doesNotContain(a.role());
      assertThat(a.resources().scalar("cpus") >= 0.01 || a.resources().scalar("mem") >= 32).isTrue();
    }
  }

  @Property
  void limitsAreNeverExceeded(@ForAll long seed) {
    AllocationView view = randomView(seed, true);
    List<Allocation> out = allocator.allocate(view);
    view.roles().forEach((role, config) -> config.limits().forEach((name, limit) -> {
      double before = view.frameworks().stream().flatMap(f -> f.allocated().entrySet().stream())
          .filter(e -> Roles.isSelfOrAncestor(role, e.getKey())).mapToDouble(e -> e.getValue().scalar(name)).sum();
      double offered = out.stream().filter(a -> Roles.isSelfOrAncestor(role, a.role()))
          .mapToDouble(a -> a.resources().scalar(name)).sum();
      // a role already beyond its limit (the limit was lowered) is offered none of that resource
      assertThat(before + offered).as("%s of role %s", name, role).isLessThanOrEqualTo(Math.max(limit, before) + 1e-9);
    }));
  }

  @Property
  void quotaGuaranteesAreMetWhenTheClusterCanMeetThem(@ForAll long seed) {
    Random r = new Random(seed);
    int agents = 5 + r.nextInt(20);
    List<AgentView> as = new ArrayList<>();
    for (int i = 0; i < agents; i++) {
      Resources t = Resources.parse("cpus:" + (2 + r.nextInt(6)) + ";mem:" + 256 * (4 + r.nextInt(12)));
      as.add(new AgentView(new AgentId("a" + i), t, t));
    }
    AllocationView probe = new AllocationView(as, List.of(), 0);
    double cpus = probe.clusterTotal().scalar("cpus");
    double mem = probe.clusterTotal().scalar("mem");
    // up to three quota roles whose guarantees together fit in the cluster, one hungry role without quota
    Map<String, RoleConfig> roles = new LinkedHashMap<>();
    List<FrameworkView> fs = new ArrayList<>();
    double cpusLeft = cpus;
    double memLeft = mem;
    for (String role : List.of("q1", "q2", "q3/sub")) {
      double gc = Math.floor(r.nextDouble() * cpusLeft / 2);
      double gm = 128 * Math.floor(r.nextDouble() * memLeft / 2 / 128);
      cpusLeft -= gc;
      memLeft -= gm;
      roles.put(role, new RoleConfig(1, Map.of("cpus", gc, "mem", gm), Map.of()));
      fs.add(new FrameworkView(new FrameworkId("f-" + role.replace('/', '-')), List.of(role), Map.of(), Set.of(), Map.of()));
    }
    fs.add(new FrameworkView(new FrameworkId("a-greedy"), List.of("other"), Map.of(), Set.of(), Map.of()));
    AllocationView view = new AllocationView(probe.clusterTotal(), as, roles, fs, 0);
    List<Allocation> out = allocator.allocate(view);
    roles.forEach((role, config) -> config.guarantees().forEach((name, g) -> {
      double got = out.stream().filter(a -> a.role().equals(role)).mapToDouble(a -> a.resources().scalar(name)).sum();
      assertThat(got).as("%s of %s", name, role).isGreaterThanOrEqualTo(g - 1e-9);
    }));
    // and the role without quota got only what the guarantees left
    double greedyCpus = out.stream().filter(a -> a.role().equals("other")).mapToDouble(a -> a.resources().scalar("cpus")).sum();
    double guaranteed = roles.values().stream().mapToDouble(c -> c.guarantees().get("cpus")).sum();
    assertThat(greedyCpus).isLessThanOrEqualTo(cpus - guaranteed + 1e-9);
  }

  @Property
  void nonQuotaRolesLeaveHeadroomForUnmetGuarantees(@ForAll @IntRange(min = 1, max = 20) int agents,
      @ForAll @IntRange(min = 0, max = 40) int guaranteeCpus) {
    // The quota role has no framework connected, so nothing can meet its guarantee now: it is held back.
    List<AgentView> as = new ArrayList<>();
    for (int i = 0; i < agents; i++) {
      Resources t = Resources.parse("cpus:2;mem:2048");
      as.add(new AgentView(new AgentId("a" + i), t, t));
    }
    AllocationView probe = new AllocationView(as, List.of(), 0);
    Map<String, RoleConfig> roles = Map.of("quota", new RoleConfig(1, Map.of("cpus", (double) guaranteeCpus), Map.of()));
    List<FrameworkView> fs = List.of(new FrameworkView(new FrameworkId("f"), List.of("other"), Map.of(), Set.of(), Map.of()));
    List<Allocation> out = allocator.allocate(new AllocationView(probe.clusterTotal(), as, roles, fs, 0));
    double offered = out.stream().mapToDouble(a -> a.resources().scalar("cpus")).sum();
    assertThat(offered).isEqualTo(Math.max(0, 2.0 * agents - guaranteeCpus));
  }

  @Property
  void filtersAreHonouredUntilTheyExpire(@ForAll long seed, @ForAll @IntRange(min = 0, max = 2000) int now) {
    AllocationView base = randomView(seed, false);
    AgentView agent = base.agents().get(0);
    FrameworkView f0 = base.frameworks().get(0);
    long until = 1000;
    FrameworkView filtered = new FrameworkView(f0.id(), f0.roles(), f0.allocated(), f0.suppressedRoles(),
        Map.of(agent.id(), new AllocationView.Filter(agent.available(), until)));
    List<FrameworkView> fs = new ArrayList<>(base.frameworks());
    fs.set(0, filtered);
    List<Allocation> out = allocator.allocate(
        new AllocationView(base.clusterTotal(), base.agents(), base.roles(), fs, now));
    boolean offered = out.stream().anyMatch(a -> a.framework().equals(f0.id()) && a.agent().equals(agent.id()));
    if (now < until) {
      assertThat(offered).as("offered %s to %s before the filter expired", agent.id(), f0.id()).isFalse();
    } else {
      // after expiry the filter plays no part: the same decisions as without it
      assertThat(out).isEqualTo(allocator.allocate(
          new AllocationView(base.clusterTotal(), base.agents(), base.roles(), base.frameworks(), now)));
    }
  }

  @Property(tries = 30)
  void equalWeightsAndDemandConvergeToSharesWithinOneTask(@ForAll @IntRange(min = 2, max = 5) int frameworks,
      @ForAll @IntRange(min = 5, max = 40) int agents) {
    Map<String, Double> shares = simulate(agents, frameworks, Map.of());
    double task = 1.0 / (agents * 4); // one task: 1 of each agent's 4 cpus (cpus dominate)
    double min = shares.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    double max = shares.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    assertThat(max - min).isLessThanOrEqualTo(task + 1e-9);
  }

  @Property(tries = 30)
  void weightsChangeSharesInProportion(@ForAll @IntRange(min = 6, max = 40) int agents) {
    Map<String, Double> shares = simulate(agents, 2, Map.of("r0", RoleConfig.weight(2), "r1", RoleConfig.weight(1)));
    double task = 1.0 / (agents * 4);
    assertThat(Math.abs(shares.get("r0") / 2 - shares.get("r1"))).isLessThanOrEqualTo(task + 1e-9);
  }

  /**
   * Frameworks f{i} in roles r{i} with unbounded demand for tasks of 1 cpu and 512 MB on agents of
   * 4 cpus and 4 GB: each cycle, each launches one task per offer and declines the rest. Runs until
   * the cluster is full; returns every role's dominant share.
   */
  private Map<String, Double> simulate(int agents, int frameworks, Map<String, RoleConfig> roles) {
    Resources agentTotal = Resources.parse("cpus:4;mem:4096");
    Resources task = Resources.parse("cpus:1;mem:512");
    Map<AgentId, Resources> used = new LinkedHashMap<>();
    for (int i = 0; i < agents; i++) {
      used.put(new AgentId("a" + i), Resources.EMPTY);
    }
    Map<String, Resources> held = new LinkedHashMap<>();
    for (int i = 0; i < frameworks; i++) {
      held.put("r" + i, Resources.EMPTY);
    }
    Resources total = Resources.EMPTY;
    for (int i = 0; i < agents; i++) {
      total = total.plus(agentTotal);
    }
    for (int cycle = 0; cycle < agents * 4 + 5; cycle++) {
      List<AgentView> as = new ArrayList<>();
      used.forEach((id, u) -> as.add(new AgentView(id, agentTotal, agentTotal.minus(u))));
      List<FrameworkView> fs = new ArrayList<>();
      held.forEach((role, h) -> fs.add(new FrameworkView(new FrameworkId("f-" + role), List.of(role),
          h.isEmpty() ? Map.of() : Map.of(role, h), Set.of(), Map.of())));
      List<Allocation> out = allocator.allocate(new AllocationView(total, as, roles, fs, cycle));
      for (Allocation a : out) {
        if (a.resources().contains(task)) {
          used.merge(a.agent(), task, Resources::plus);
          held.merge(a.role(), task, Resources::plus);
        }
      }
    }
    Map<String, Double> shares = new HashMap<>();
    double cpus = total.scalar("cpus");
    double mem = total.scalar("mem");
    held.forEach((role, h) -> shares.put(role, Math.max(h.scalar("cpus") / cpus, h.scalar("mem") / mem)));
    double sum = held.values().stream().mapToDouble(h -> h.scalar("cpus")).sum();
    assertThat(sum).as("the cluster fills up").isEqualTo(cpus);
    return shares;
  }
}
