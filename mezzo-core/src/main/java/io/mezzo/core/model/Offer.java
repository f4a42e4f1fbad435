package io.mezzo.core.model;

import java.util.List;

/** A resource offer in the Mesos v1 JSON shape, as the OFFERS event carries it. */
public record Offer(
    OfferId id,
    FrameworkId frameworkId,
    AgentId agentId,
    String hostname,
    List<Resource> resources,
    AllocationInfo allocationInfo) {

  /** The role an offer's resources are allocated to. */
  public record AllocationInfo(String role) {}
}
