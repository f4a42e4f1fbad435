package io.mezzo.core.model;

import java.util.List;

/**
 * What an agent tells the master about itself when it subscribes: where it is and what it offers.
 * {@code id} is empty on first registration and assigned by the master.
 */
public record AgentInfo(AgentId id, String hostname, int port, List<Resource> resources) {
  public AgentInfo withId(AgentId newId) {
    return new AgentInfo(newId, hostname, port, resources);
  }
}
