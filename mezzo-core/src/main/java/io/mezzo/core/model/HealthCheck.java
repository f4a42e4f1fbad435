package io.mezzo.core.model;

import java.util.List;

/**
 * A task's health check in the Mesos v1 {@code HealthCheck} shape: the agent probes the task every
 * {@code interval_seconds} (first after {@code delay_seconds}), each probe may take
 * {@code timeout_seconds}; {@code consecutive_failures} failed probes in a row get the task killed,
 * except that failures within {@code grace_period_seconds} of the launch are ignored until the first
 * success. Absent fields take the Mesos defaults (see {@code io.mezzo.agent.health.ProbeSpec}).
 * Immutable; validated by the agent, which refuses a task with a bad check as {@code TASK_ERROR}.
 */
public record HealthCheck(
    CheckInfo.Type type,
    Http http,
    Tcp tcp,
    CommandInfo command,
    Double delaySeconds,
    Double intervalSeconds,
    Double timeoutSeconds,
    Integer consecutiveFailures,
    Double gracePeriodSeconds) {

  /** {@code GET scheme://127.0.0.1:port/path}; healthy when the status is 2xx or 3xx. */
  public record Http(Integer port, String path, String scheme, List<Integer> statuses) {}

  /** A TCP connection to {@code 127.0.0.1:port}; healthy when it is accepted. */
  public record Tcp(Integer port) {}
}
