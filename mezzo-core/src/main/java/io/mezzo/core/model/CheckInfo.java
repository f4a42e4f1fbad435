package io.mezzo.core.model;

/**
 * A task's (readiness) check in the Mesos v1 {@code CheckInfo} shape: probed like a
 * {@link HealthCheck}, but its results are only reported (as {@link CheckStatus} in
 * {@code TASK_RUNNING} updates with reason {@code REASON_TASK_CHECK_STATUS_UPDATED}); it never kills.
 * Immutable.
 */
public record CheckInfo(
    Type type,
    Command command,
    Http http,
    Tcp tcp,
    Double delaySeconds,
    Double intervalSeconds,
    Double timeoutSeconds) {

  /** What a check or health check probes. */
  public enum Type {
    UNKNOWN,
    COMMAND,
    HTTP,
    TCP
  }

  /** Runs {@code command} next to the task; its exit code is the result. */
  public record Command(CommandInfo command) {}

  /** {@code GET http://127.0.0.1:port/path}; the status code is the result. */
  public record Http(Integer port, String path) {}

  /** A TCP connection to {@code 127.0.0.1:port}; whether it was accepted is the result. */
  public record Tcp(Integer port) {}
}
