package io.mezzo.services.launch;

import io.mezzo.core.model.CheckInfo;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.services.app.HealthCheck;
import java.util.List;

/**
 * Turns an app's health check (Marathon's shape) into the one health check a Mesos task carries. Pure
 * and stateless.
 *
 * <p>Mezzo has no scheduler-side prober: the agent probes every check, so Marathon's scheduler-run
 * {@code HTTP}/{@code HTTPS}/{@code TCP} and the agent-run {@code MESOS_*} variants map alike:
 * {@code HTTP}, {@code HTTPS}, {@code MESOS_HTTP}, {@code MESOS_HTTPS} become an HTTP check with scheme
 * {@code http} or {@code https}; {@code TCP}, {@code MESOS_TCP} a TCP check; {@code COMMAND} a shell
 * command. The port is the host port at {@code portIndex} or the fixed {@code port}. Fields map one to
 * one ({@code gracePeriodSeconds} to {@code grace_period_seconds}, {@code intervalSeconds},
 * {@code timeoutSeconds}, {@code delaySeconds}, {@code maxConsecutiveFailures} to
 * {@code consecutive_failures}), except that Marathon's {@code maxConsecutiveFailures: 0} ("never
 * kill") becomes {@link Integer#MAX_VALUE}: Mesos needs at least 1, and the agent keeps reporting
 * health either way. {@code ignoreHttp1xx} has no Mesos field and is dropped: the agent counts 2xx and
 * 3xx as healthy, 1xx as a failure.
 */
final class HealthCheckMapper {
  private HealthCheckMapper() {}

  static io.mezzo.core.model.HealthCheck toMesos(HealthCheck h, List<Integer> hostPorts) {
    io.mezzo.core.model.HealthCheck.Http http = null;
    io.mezzo.core.model.HealthCheck.Tcp tcp = null;
    CommandInfo command = null;
    CheckInfo.Type type;
    switch (h.protocol()) {
      case HTTP, HTTPS, MESOS_HTTP, MESOS_HTTPS -> {
        type = CheckInfo.Type.HTTP;
        boolean tls = h.protocol() == HealthCheck.Protocol.HTTPS || h.protocol() == HealthCheck.Protocol.MESOS_HTTPS;
        http = new io.mezzo.core.model.HealthCheck.Http(port(h, hostPorts), h.path() == null ? "/" : h.path(),
            tls ? "https" : "http", null);
      }
      case TCP, MESOS_TCP -> {
        type = CheckInfo.Type.TCP;
        tcp = new io.mezzo.core.model.HealthCheck.Tcp(port(h, hostPorts));
      }
      case COMMAND -> {
        type = CheckInfo.Type.COMMAND;
        command = CommandInfo.shell(h.command().value());
      }
      default -> throw new IllegalStateException("BUG: health check protocol " + h.protocol());
    }
    int failures = h.maxConsecutiveFailures() == 0 ? Integer.MAX_VALUE : h.maxConsecutiveFailures();
    return new io.mezzo.core.model.HealthCheck(type, http, tcp, command, (double) h.delaySeconds(),
        (double) h.intervalSeconds(), (double) h.timeoutSeconds(), failures, (double) h.gracePeriodSeconds());
  }

  private static int port(HealthCheck h, List<Integer> hostPorts) {
    if (h.port() != null) {
      return h.port();
    }
    int index = h.portIndex() == null ? 0 : h.portIndex();
    if (index >= hostPorts.size()) {
      throw new IllegalArgumentException("healthChecks/0/portIndex: " + index + " (expected: < the "
          + hostPorts.size() + " host ports assigned; AppValidator checks it against portDefinitions)");
    }
    return hostPorts.get(index);
  }
}
