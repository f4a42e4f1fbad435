package io.mezzo.master.operator;

import io.mezzo.core.model.AgentId;
import io.mezzo.master.registry.ZkStore;

/**
 * Persists the operator's hard state through the {@link ZkStore}: maintenance orders under
 * {@code /mezzo/maintenance/<agent id>}, quotas under {@code /mezzo/quotas/<role>} and weights under
 * {@code /mezzo/weights/<role>}. Writes are synchronous, so a caller answers only after they landed.
 * Thread-safe as the store is; used from the master loop.
 */
public final class OperatorStore {
  private static final String MAINTENANCE = "maintenance";
  private static final String QUOTAS = "quotas";
  private static final String WEIGHTS = "weights";

  private final ZkStore store;

  public OperatorStore(ZkStore store) {
    this.store = store;
  }

  /** The stored form of a weight. */
  record Weight(double weight) {}

  /** Loads everything into {@code state}; called once, on the loop, when the master starts. */
  public void recover(OperatorState state) {
    store.records(MAINTENANCE, AgentMaintenance.class).forEach((id, m) -> state.maintenance().put(new AgentId(id), m));
    store.records(QUOTAS, RoleConfigs.Quota.class).forEach(state.roles()::setQuota);
    store.records(WEIGHTS, Weight.class).forEach((role, w) -> state.roles().setWeight(role, w.weight()));
  }

  public void putMaintenance(AgentId agent, AgentMaintenance m) {
    if (m == null) {
      store.removeRecord(MAINTENANCE, agent.value());
    } else {
      store.putRecord(MAINTENANCE, agent.value(), m);
    }
  }

  public void putQuota(String role, RoleConfigs.Quota quota) {
    if (quota.guarantees().isEmpty() && quota.limits().isEmpty()) {
      store.removeRecord(QUOTAS, role);
    } else {
      store.putRecord(QUOTAS, role, quota);
    }
  }

  public void putWeight(String role, double weight) {
    store.putRecord(WEIGHTS, role, new Weight(weight));
  }

}
