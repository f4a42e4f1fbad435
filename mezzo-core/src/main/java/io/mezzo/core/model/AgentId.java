package io.mezzo.core.model;

/** The id of an agent ({@code agent_id} on the wire); immutable and validated, see {@link Ids}. */
public record AgentId(String value) {
  public AgentId {
    Ids.check("agent_id", value);
  }

  public static AgentId of(String value) {
    return new AgentId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
