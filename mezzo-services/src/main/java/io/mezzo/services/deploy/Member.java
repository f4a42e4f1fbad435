package io.mezzo.services.deploy;

import java.time.Instant;
import java.util.Objects;

/**
 * What the deployment and scaling decisions need to know of one active instance: its id, whether it
 * serves, and when it started. Immutable; built by the scheduler from its instance records for every
 * decision.
 *
 * @param id the instance id (the Mesos task id)
 * @param healthy true when the instance is RUNNING and its health checks (and readiness checks, during
 *     a deployment) pass; for an app without checks, true once it is RUNNING
 * @param startedAt when it first reported RUNNING, or null while it has not started yet (such an
 *     instance counts as the youngest of all)
 */
public record Member(String id, boolean healthy, Instant startedAt) {

  public Member {
    Objects.requireNonNull(id, "id");
  }
}
