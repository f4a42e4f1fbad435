package io.mezzo.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --master HOST:PORT} option of the services client commands, defaulting to
 * {@code $MEZZO_MASTER} and else {@code 127.0.0.1:5050}, and the caller's bearer token:
 * {@code --token-file FILE}, else {@code $MEZZO_TOKEN}, else none (a cluster without credentials,
 * such as {@code mezzo up}). A picocli mixin; values are checked when a command runs.
 */
final class MasterOption {
  @Option(names = "--master", defaultValue = "${env:MEZZO_MASTER:-127.0.0.1:5050}",
      description = "The master's HOST:PORT (default: $MEZZO_MASTER, else 127.0.0.1:5050).")
  String master;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "File holding your secret, sent as 'Authorization: Bearer' (default: $MEZZO_TOKEN, else none).")
  java.nio.file.Path tokenFile;

  @Option(names = "--tls-ca", paramLabel = "PEM", description = "Call the master over HTTPS, trusting these CAs.")
  java.nio.file.Path tlsCa;

  /** The bearer token, or null for none. */
  String token() {
    return token(tokenFile);
  }

  /** The token and, with --tls-ca, HTTPS. */
  io.mezzo.core.auth.Caller caller() {
    return caller(tokenFile, tlsCa);
  }

  static io.mezzo.core.auth.Caller caller(java.nio.file.Path tokenFile, java.nio.file.Path tlsCa) {
    return new io.mezzo.core.auth.Caller(token(tokenFile), tlsCa == null ? null : io.mezzo.core.auth.Tls.trusting(tlsCa));
  }

  /** The token in {@code file}, else {@code $MEZZO_TOKEN}, else null. */
  static String token(java.nio.file.Path file) {
    if (file != null) {
      return io.mezzo.core.auth.Credentials.readSecret("--token-file", file);
    }
    String env = System.getenv("MEZZO_TOKEN");
    return env == null || env.isBlank() ? null : env.strip();
  }

  /** The validated address; exits 2 naming the flag when it is not HOST:PORT. */
  String hostPort() throws CliFailure {
    if (master == null || !master.matches("[^:/\\s]+:\\d{1,5}") || Integer.parseInt(master.split(":")[1]) > 65535) {
      throw new CliFailure(2, "--master: '" + master + "' (expected: HOST:PORT)");
    }
    return master;
  }
}
