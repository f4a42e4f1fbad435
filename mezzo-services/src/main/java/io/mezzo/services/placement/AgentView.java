package io.mezzo.services.placement;

import java.util.Map;
import java.util.Objects;

/**
 * What placement knows of an agent: its hostname and its attributes (text form of each value, as in
 * Mesos' {@code --attributes}). Used both for the candidate offer's agent and for the agents of the
 * instances already placed.
 */
public record AgentView(String hostname, Map<String, String> attributes) {
  public AgentView {
    Objects.requireNonNull(hostname, "hostname");
    attributes = Map.copyOf(attributes);
  }

  /** The value a constraint's field reads on this agent, or null when the agent has no such attribute. */
  String valueOf(String field) {
    return field.equals("hostname") || field.equals("@hostname") ? hostname : attributes.get(field);
  }
}
