package io.mezzo.master.allocator;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.Roles;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The immutable picture of the cluster an {@link Allocator} decides on.
 *
 * <ul>
 *   <li>{@code clusterTotal}: every active agent's total, summed (all reservations included). Shares
 *       are always relative to it, also when {@code agents} is only part of the cluster.
 *   <li>{@code agents}: the agents to allocate in this cycle (all of them, or only those whose
 *       resources just changed), in the order they are to be considered.
 *   <li>{@code roles}: configuration per role (weight, quota); roles not listed have weight 1 and no
 *       quota. Names are hierarchical ({@code eng/web}): a role's quota covers its subtree and weights
 *       apply among siblings.
 *   <li>{@code frameworks}: every framework that may receive offers, with what it holds per role.
 * </ul>
 *
 * <p>Role names are validated when the view is built.
 */
public record AllocationView(
    Resources clusterTotal,
    List<AgentView> agents,
    Map<String, RoleConfig> roles,
    List<FrameworkView> frameworks,
    long nowNanos) {

  public AllocationView {
    if (clusterTotal == null) {
      throw new IllegalArgumentException("clusterTotal: missing (expected: the sum of all active agents' totals)");
    }
    agents = List.copyOf(agents);
    roles = Map.copyOf(roles);
    roles.keySet().forEach(Roles::validate);
    frameworks = List.copyOf(frameworks);
  }

  /**
   * A cycle over every agent given, with no role configuration: the cluster total is the sum of
   * the agents' totals.
   */
  public AllocationView(List<AgentView> agents, List<FrameworkView> frameworks, long nowNanos) {
    this(sum(agents), agents, Map.of(), frameworks, nowNanos);
  }

  private static Resources sum(List<AgentView> agents) {
    Resources.Builder b = new Resources.Builder();
    agents.forEach(a -> b.add(a.total()));
    return b.build();
  }

  /** One agent: {@code available} is total minus tasks minus outstanding offers, reserved parts included. */
  public record AgentView(AgentId id, Resources total, Resources available) {}

  /**
   * A role's configuration, as Mesos's weights and quota configs: {@code weight} (> 0, default 1)
   * divides the role's dominant share when it is compared with its siblings; {@code guarantees}
   * (scalar name to amount) are allocated to the role's subtree before anything else when the
   * cluster can; {@code limits} cap what the subtree holds (a name not listed is unlimited).
   */
  public record RoleConfig(double weight, Map<String, Double> guarantees, Map<String, Double> limits) {
    public static final RoleConfig DEFAULT = new RoleConfig(1, Map.of(), Map.of());

    public RoleConfig {
      if (!(weight > 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException("weight: " + weight + " (expected: a finite number > 0)");
      }
      guarantees = checked("guarantees", guarantees);
      limits = checked("limits", limits);
      for (Map.Entry<String, Double> g : guarantees.entrySet()) {
        Double limit = limits.get(g.getKey());
        if (limit != null && g.getValue() > limit) {
          throw new IllegalArgumentException("guarantees." + g.getKey() + ": " + g.getValue()
              + " (expected: <= limits." + g.getKey() + " " + limit + ")");
        }
      }
    }

    /** A configuration from unreserved scalar resources, such as an operator's quota request. */
    public static RoleConfig of(double weight, Resources guarantees, Resources limits) {
      for (Resources r : List.of(guarantees, limits)) {
        if (r.hasReservations() || !r.withoutScalars().isEmpty()) {
          throw new IllegalArgumentException(
              (r == guarantees ? "guarantees" : "limits") + ": '" + r + "' (expected: unreserved scalars only)");
        }
      }
      return new RoleConfig(weight, guarantees.scalarMap(), limits.scalarMap());
    }

    public static RoleConfig weight(double weight) {
      return new RoleConfig(weight, Map.of(), Map.of());
    }

    private static Map<String, Double> checked(String field, Map<String, Double> amounts) {
      if (amounts == null) {
        return Map.of();
      }
      Map<String, Double> out = new LinkedHashMap<>();
      amounts.forEach((name, value) -> {
        if (value == null || !(value >= 0) || Double.isInfinite(value)) {
          throw new IllegalArgumentException(field + "." + name + ": " + value + " (expected: a finite number >= 0)");
        }
        out.put(name, value);
      });
      return Map.copyOf(out);
    }
  }

  /**
   * One framework: {@code roles} it is subscribed to (several for MULTI_ROLE frameworks);
   * {@code allocated} what it holds per role (tasks and outstanding offers, reserved values
   * included); {@code suppressedRoles} the roles it wants no offers for; {@code filters} maps an
   * agent to the filter the framework set on it.
   *
   * <p>{@code filters} is wrapped, not copied: a framework may filter thousands of agents, and the
   * master builds a view every cycle. The caller must not change the map while the view is in use
   * (the master's loop thread owns both and runs the allocator synchronously).
   */
  public record FrameworkView(
      FrameworkId id,
      List<String> roles,
      Map<String, Resources> allocated,
      Set<String> suppressedRoles,
      Map<AgentId, Filter> filters) {
    public FrameworkView {
      roles = List.copyOf(roles);
      if (new HashSet<>(roles).size() != roles.size()) {
        throw new IllegalArgumentException("roles: " + roles + " (expected: no role twice)");
      }
      roles.forEach(Roles::validate);
      allocated = Map.copyOf(allocated);
      allocated.keySet().forEach(Roles::validate);
      suppressedRoles = Set.copyOf(suppressedRoles);
      filters = java.util.Collections.unmodifiableMap(filters);
    }

    /** A framework subscribed to one role, holding {@code allocated} in it. */
    public FrameworkView(
        FrameworkId id, String role, Resources allocated, boolean suppressed, Map<AgentId, Filter> filters) {
      this(id, List.of(role), allocated.isEmpty() ? Map.of() : Map.of(role, allocated),
          suppressed ? Set.of(role) : Set.of(), filters);
    }
  }

  /**
   * A refusal: until {@code untilNanos}, do not offer this agent's resources to the framework when
   * they are contained in {@code refused} (as Mesos filters do: new resources lift the filter).
   */
  public record Filter(Resources refused, long untilNanos) {
    public boolean blocks(Resources offer, long nowNanos) {
      return nowNanos - untilNanos < 0 && refused.contains(offer);
    }
  }
}
