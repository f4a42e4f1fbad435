package io.mezzo.master.allocator;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Resources;
import java.util.List;
import java.util.Map;

/**
 * The immutable picture of the cluster an {@link Allocator} decides on: every active agent with its
 * total and still-available resources, and every framework that may receive offers with what it
 * already holds (in tasks and outstanding offers) and the filters it has set.
 */
public record AllocationView(List<AgentView> agents, List<FrameworkView> frameworks, long nowNanos) {

  public AllocationView {
    agents = List.copyOf(agents);
    frameworks = List.copyOf(frameworks);
  }

  /** One agent: {@code available} is total minus tasks minus outstanding offers. */
  public record AgentView(AgentId id, Resources total, Resources available) {}

  /**
   * One framework: {@code allocated} is what it holds now; {@code filters} maps an agent to the
   * filter the framework set on it; {@code suppressed} frameworks receive nothing.
   */
  public record FrameworkView(
      FrameworkId id, String role, Resources allocated, boolean suppressed, Map<AgentId, Filter> filters) {
    public FrameworkView {
      filters = Map.copyOf(filters);
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
