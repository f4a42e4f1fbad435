package io.mezzo.services.instance;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the services scheduler knows of one instance of an app: the Mesos task it runs as, where, on
 * which ports, in which state, and whether its health check passes. Immutable; every change makes a
 * new record ({@code with...}), which the scheduler stores before acting on it.
 *
 * @param instanceId the Mesos task id, Marathon-style: the app id's path segments joined by {@code _},
 *     a dot, a UUID ({@code prod_web.6f1c...})
 * @param appId the app's absolute id ({@code /prod/web})
 * @param version the app version (ISO-8601 timestamp) the instance was launched from
 * @param agentId the agent it runs on
 * @param host the agent's hostname
 * @param ports the host ports assigned, in {@code portDefinitions} order
 * @param state where the instance is in its life
 * @param healthy the last health result; null while unknown or when the app has no health check
 * @param stagedAt when the launch was sent
 * @param startedAt when it first reported RUNNING, or null
 * @param stateSince when {@code state} last changed (drain and unreachable timers count from it)
 * @param message the last status message, or null
 */
public record Instance(
    String instanceId,
    String appId,
    String version,
    String agentId,
    String host,
    List<Integer> ports,
    InstanceState state,
    Boolean healthy,
    Instant stagedAt,
    Instant startedAt,
    Instant stateSince,
    String message) {

  public Instance {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(state, "state");
    ports = ports == null ? List.of() : List.copyOf(ports);
  }

  /** This instance in {@code newState} since {@code at} (the same record when the state is unchanged). */
  public Instance withState(InstanceState newState, Instant at, String newMessage) {
    if (newState == state && Objects.equals(newMessage, message)) {
      return this;
    }
    Instant started = startedAt == null && newState == InstanceState.RUNNING ? at : startedAt;
    return new Instance(instanceId, appId, version, agentId, host, ports, newState, healthy, stagedAt, started,
        newState == state ? stateSince : at, newMessage == null ? message : newMessage);
  }

  public Instance withHealthy(Boolean newHealthy) {
    return new Instance(instanceId, appId, version, agentId, host, ports, state, newHealthy, stagedAt, startedAt,
        stateSince, message);
  }
}
