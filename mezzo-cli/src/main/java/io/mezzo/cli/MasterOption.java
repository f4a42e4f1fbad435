package io.mezzo.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --master HOST:PORT} option of the services client commands, defaulting to
 * {@code $MEZZO_MASTER} and else {@code 127.0.0.1:5050}. A picocli mixin; the value is checked when
 * a command runs, by {@link #hostPort()}.
 */
final class MasterOption {
  @Option(names = "--master", defaultValue = "${env:MEZZO_MASTER:-127.0.0.1:5050}",
      description = "The master's HOST:PORT (default: $MEZZO_MASTER, else 127.0.0.1:5050).")
  String master;

  /** The validated address; exits 2 naming the flag when it is not HOST:PORT. */
  String hostPort() throws CliFailure {
    if (master == null || !master.matches("[^:/\\s]+:\\d{1,5}") || Integer.parseInt(master.split(":")[1]) > 65535) {
      throw new CliFailure(2, "--master: '" + master + "' (expected: HOST:PORT)");
    }
    return master;
  }
}
