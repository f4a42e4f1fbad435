package io.mezzo.master.operator;

import io.mezzo.core.model.Resources;
import java.util.Map;

/**
 * What operators configured for one role: its weight (1.0 unless set) and its quota, as guarantees
 * (resources the role is entitled to) and limits (resources it may not exceed). A resource name
 * absent from {@code limits} is unlimited; a limit of 0 is kept and means "none of it". Immutable.
 *
 * @param role the role name, never {@code *}
 * @param weight the role's fair-share weight, {@code > 0}
 * @param guarantees scalar name to guaranteed amount, each {@code >= 0}
 * @param limits scalar name to upper bound, each {@code >= 0} and {@code >=} its guarantee
 */
public record RoleConfig(String role, double weight, Map<String, Double> guarantees, Map<String, Double> limits) {
  public static final double DEFAULT_WEIGHT = 1.0;

  public RoleConfig {
    guarantees = Map.copyOf(guarantees);
    limits = Map.copyOf(limits);
  }

  /** The guarantees as unreserved scalar resources (zero amounts dropped). */
  public Resources guaranteedResources() {
    return toResources(guarantees);
  }

  /** The limits as unreserved scalar resources; a zero limit is lost here, read {@link #limits()} for it. */
  public Resources limitResources() {
    return toResources(limits);
  }

  public boolean hasQuota() {
    return !guarantees.isEmpty() || !limits.isEmpty();
  }

  static Resources toResources(Map<String, Double> scalars) {
    Resources.Builder b = new Resources.Builder();
    scalars.forEach(b::scalar);
    return b.build();
  }
}
