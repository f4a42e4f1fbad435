package io.mezzo.core.model;

import java.util.List;

/**
 * A framework's description as sent in SUBSCRIBE (Mesos v1 shape). Fields Mezzo does not use yet
 * are ignored by the JSON reader, as Mesos clients send many of them.
 */
public record FrameworkInfo(
    String user,
    String name,
    FrameworkId id,
    Double failoverTimeout,
    Boolean checkpoint,
    String role,
    List<String> roles,
    String hostname,
    String principal,
    String webuiUrl,
    List<Capability> capabilities) {

  /** A framework capability such as {@code PARTITION_AWARE} or {@code MULTI_ROLE}. */
  public record Capability(String type) {}

  public boolean hasCapability(String type) {
    return capabilities != null && capabilities.stream().anyMatch(c -> type.equals(c.type()));
  }

  /** The role the framework's resources are allocated to: its first role, or {@code *}. */
  public String effectiveRole() {
    if (roles != null && !roles.isEmpty()) {
      return roles.get(0);
    }
    return role == null || role.isEmpty() ? "*" : role;
  }

  public FrameworkInfo withId(FrameworkId newId) {
    return new FrameworkInfo(user, name, newId, failoverTimeout, checkpoint, role, roles, hostname,
        principal, webuiUrl, capabilities);
  }
}
