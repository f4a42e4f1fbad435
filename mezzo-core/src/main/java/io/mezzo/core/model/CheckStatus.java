package io.mezzo.core.model;

/**
 * The result of a {@link CheckInfo} in the Mesos v1 {@code CheckStatusInfo} shape: exactly the part
 * named by {@code type} is set; inside it a null result ({@code exit_code}, {@code status_code})
 * means the probe itself could not complete (timed out, connection refused). Immutable.
 */
public record CheckStatus(CheckInfo.Type type, Command command, Http http, Tcp tcp) {

  public record Command(Integer exitCode) {}

  public record Http(Integer statusCode) {}

  public record Tcp(Boolean succeeded) {}
}
