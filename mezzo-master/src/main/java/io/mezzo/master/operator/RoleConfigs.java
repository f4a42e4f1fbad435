package io.mezzo.master.operator;

import io.mezzo.master.allocator.AllocationView;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The operator-set role configuration (weights and quotas): hard state, written to ZooKeeper before
 * a change is acknowledged and recovered when the master starts. The allocator reads it through
 * {@link #forAllocator()}. Owned by the master loop thread.
 */
public final class RoleConfigs {
  private final Map<String, Double> weights = new TreeMap<>();
  private final Map<String, Quota> quotas = new TreeMap<>();
  /** {@link #forAllocator()}'s answer, rebuilt only after a change. */
  private Map<String, AllocationView.RoleConfig> forAllocator;

  /** A role's quota: guarantees and limits by scalar name. */
  public record Quota(Map<String, Double> guarantees, Map<String, Double> limits) {
    public Quota {
      guarantees = Map.copyOf(guarantees);
      limits = Map.copyOf(limits);
    }
  }

  /** Every role with a non-default weight or a quota, by name. */
  public Map<String, RoleConfig> all() {
    Map<String, RoleConfig> out = new TreeMap<>();
    for (String role : weights.keySet()) {
      out.put(role, get(role));
    }
    for (String role : quotas.keySet()) {
      out.put(role, get(role));
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Every configured role as the allocator takes it. Built once per change, not per allocation
   * cycle.
   */
  public Map<String, AllocationView.RoleConfig> forAllocator() {
    if (forAllocator == null) {
      Map<String, AllocationView.RoleConfig> out = new TreeMap<>();
      all().forEach((role, c) -> out.put(role, new AllocationView.RoleConfig(c.weight(), c.guarantees(), c.limits())));
      forAllocator = Collections.unmodifiableMap(out);
    }
    return forAllocator;
  }

  /** The configuration of {@code role}: defaults (weight 1, no quota) when nothing was set. */
  public RoleConfig get(String role) {
    Quota q = quotas.get(role);
    return new RoleConfig(role, weight(role), q == null ? Map.of() : q.guarantees(), q == null ? Map.of() : q.limits());
  }

  public double weight(String role) {
    return weights.getOrDefault(role, RoleConfig.DEFAULT_WEIGHT);
  }

  public Map<String, Double> weights() {
    return Collections.unmodifiableMap(weights);
  }

  public Map<String, Quota> quotas() {
    return Collections.unmodifiableMap(quotas);
  }

  public void setWeight(String role, double weight) {
    weights.put(role, weight);
    forAllocator = null;
  }

  /** Sets {@code role}'s quota; an empty one (no guarantees, no limits) removes it. */
  public void setQuota(String role, Quota quota) {
    if (quota.guarantees().isEmpty() && quota.limits().isEmpty()) {
      quotas.remove(role);
    } else {
      quotas.put(role, quota);
    }
    forAllocator = null;
  }
}
