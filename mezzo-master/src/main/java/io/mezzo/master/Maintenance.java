package io.mezzo.master;

import io.mezzo.core.agentapi.AgentEvent;
import io.mezzo.core.http.HttpError;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.OfferId;
import io.mezzo.master.operator.AgentMaintenance;
import io.mezzo.master.operator.OperatorState;
import io.mezzo.master.operator.OperatorStore;
import io.mezzo.master.registry.ZkStore;
import io.mezzo.master.state.AgentEntry;
import io.mezzo.master.state.TaskEntry;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's maintenance orders on agents (DRAIN_AGENT, DEACTIVATE_AGENT, REACTIVATE_AGENT):
 * each order is written to ZooKeeper before it takes effect; a maintained agent gets no offers, a
 * draining one has its tasks killed and becomes DRAINED (or, with {@code mark_gone}, is forgotten)
 * once none of them is left.
 *
 * <p>Part of the master loop: it runs only on the loop thread and changes state through the
 * {@link MasterLoop} it belongs to.
 */
final class Maintenance {
  private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);

  private final MasterLoop loop;
  private final ZkStore store;
  private final OperatorState ops;
  private final MasterConfig config;

  Maintenance(MasterLoop loop, ZkStore store, OperatorState ops, MasterConfig config) {
    this.loop = loop;
    this.store = store;
    this.ops = ops;
    this.config = config;
  }

  /**
   * DRAIN_AGENT: persisted first; then the agent gets no offers, its outstanding offers are rescinded
   * and its tasks killed with at most {@code maxGraceNanos} of grace. It is DRAINED (and, with
   * {@code markGone}, removed for good) once none of its tasks is left running.
   */
  void drainAgent(AgentId id, Long maxGraceNanos, boolean markGone) {
    AgentEntry agent = maintainable(id, "drain_agent.agent_id");
    AgentMaintenance m = new AgentMaintenance(AgentMaintenance.Mode.DRAINING, maxGraceNanos, markGone);
    new OperatorStore(store).putMaintenance(id, m);
    ops.maintenance().put(id, m);
    LOG.info("agent {} draining (max grace period {} ns, mark gone {})", id, maxGraceNanos, markGone);
    for (OfferId o : new ArrayList<>(agent.offers)) {
      loop.removeOffer(o, true);
    }
    killForDrain(agent);
    checkDrained(id);
  }

  /** DEACTIVATE_AGENT: no more offers; its tasks keep running. A draining agent stays draining. */
  void deactivateAgent(AgentId id) {
    AgentEntry agent = maintainable(id, "deactivate_agent.agent_id");
    if (ops.maintenance().containsKey(id)) {
      return;
    }
    new OperatorStore(store).putMaintenance(id, AgentMaintenance.deactivated());
    ops.maintenance().put(id, AgentMaintenance.deactivated());
    LOG.info("agent {} deactivated by the operator", id);
    for (OfferId o : new ArrayList<>(agent.offers)) {
      loop.removeOffer(o, true);
    }
  }

  /** REACTIVATE_AGENT: back in service, ending a deactivation or a drain. */
  void reactivateAgent(AgentId id) {
    maintainable(id, "reactivate_agent.agent_id");
    if (ops.maintenance().containsKey(id)) {
      new OperatorStore(store).putMaintenance(id, null);
      ops.maintenance().remove(id);
      LOG.info("agent {} reactivated by the operator", id);
      loop.requestAllocation();
    }
  }

  private AgentEntry maintainable(AgentId id, String field) {
    AgentEntry agent = loop.agents().get(id);
    if (agent == null) {
      throw HttpError.badRequest(field + ": '" + id + "' (expected: the id of a registered agent)");
    }
    return agent;
  }

  void killForDrain(AgentEntry agent) {
    AgentMaintenance m = ops.maintenance().get(agent.id);
    if (m == null || m.mode() != AgentMaintenance.Mode.DRAINING || !agent.isActive()) {
      return;
    }
    long grace = config.killGracePeriod().toNanos();
    if (m.maxGracePeriodNanos() != null) {
      grace = Math.min(grace, m.maxGracePeriodNanos());
    }
    for (TaskEntry t : agent.tasks) {
      if (!t.state().isTerminal()) {
        loop.sendAgent(agent, AgentEvent.kill(t.frameworkId, t.info.taskId(), grace / 1e9));
      }
    }
  }

  void checkDrained(AgentId id) {
    AgentMaintenance m = ops.maintenance().get(id);
    if (m == null || m.mode() != AgentMaintenance.Mode.DRAINING) {
      return;
    }
    AgentEntry agent = loop.agents().get(id);
    if (agent != null) {
      for (TaskEntry t : agent.tasks) {
        if (!t.state().isTerminal()) {
          return;
        }
      }
    }
    AgentMaintenance next = m.withMode(m.markGone() ? AgentMaintenance.Mode.GONE : AgentMaintenance.Mode.DRAINED);
    new OperatorStore(store).putMaintenance(id, next);
    ops.maintenance().put(id, next);
    LOG.info("agent {} is {}", id, next.mode());
    if (next.mode() == AgentMaintenance.Mode.GONE) {
      // Later on the loop: callers may be iterating over the agents.
      loop.execute(() -> forgetGoneAgent(id));
    }
  }

  private void forgetGoneAgent(AgentId id) {
    AgentEntry agent = loop.agents().remove(id);
    if (agent == null) {
      return;
    }
    store.removeAgent(id);
    loop.countInTotal(agent, false);
    for (OfferId o : new ArrayList<>(agent.offers)) {
      loop.removeOffer(o, true);
    }
    if (agent.stream != null) {
      agent.stream.close();
    }
    ops.onAgentRemoved(id);
  }
}
