package io.mezzo.services.app;

import java.util.List;

/**
 * A readiness check: during a deployment a new instance counts as ready once {@code path} on the port
 * named {@code portName} answers with one of {@code httpStatusCodesForReady}. Defaults are Marathon's
 * (name {@code readinessCheck}, HTTP, {@code /}, every 30 s, timeout 10 s, ready on 200).
 */
public record ReadinessCheck(
    String name,
    String protocol,
    String path,
    String portName,
    int intervalSeconds,
    int timeoutSeconds,
    List<Integer> httpStatusCodesForReady,
    boolean preserveLastResponse) {
  public ReadinessCheck {
    httpStatusCodesForReady = List.copyOf(httpStatusCodesForReady);
  }
}
