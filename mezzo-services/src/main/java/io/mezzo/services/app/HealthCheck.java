package io.mezzo.services.app;

/**
 * One health check in Marathon's shape. {@code protocol} decides which fields matter: {@code HTTP},
 * {@code HTTPS}, {@code MESOS_HTTP}, {@code MESOS_HTTPS} use {@code path}; every network protocol uses
 * {@code portIndex} or {@code port} (exactly one); {@code COMMAND} uses {@code command} only. Fields a
 * protocol does not use are null. Defaults are Marathon's (grace 300 s, interval 60 s, timeout 20 s,
 * 3 failures, delay 15 s).
 */
public record HealthCheck(
    Protocol protocol,
    String path,
    Integer portIndex,
    Integer port,
    Command command,
    int gracePeriodSeconds,
    int intervalSeconds,
    int timeoutSeconds,
    int maxConsecutiveFailures,
    int delaySeconds,
    Boolean ignoreHttp1xx) {

  /** Health check protocols, with Marathon's names. */
  public enum Protocol {
    HTTP, HTTPS, TCP, COMMAND, MESOS_HTTP, MESOS_HTTPS, MESOS_TCP;

    boolean usesPath() {
      return this == HTTP || this == HTTPS || this == MESOS_HTTP || this == MESOS_HTTPS;
    }
  }

  /** The shell command of a {@code COMMAND} check; healthy when it exits 0. */
  public record Command(String value) {}
}
