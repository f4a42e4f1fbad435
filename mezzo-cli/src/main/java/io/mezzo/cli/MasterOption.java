package io.mezzo.cli;

import io.mezzo.core.ha.MasterDetector;
import io.mezzo.master.ha.ZkMasterDetector;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The {@code --master} option of the services client commands, defaulting to {@code $MEZZO_MASTER}
 * and else {@code 127.0.0.1:5050}: one master's {@code HOST:PORT}, several
 * ({@code HOST:PORT,HOST:PORT,...}: the one leading is asked), or {@code zk://HOST:PORT,.../PATH}
 * (the leader is read from ZooKeeper); and the caller's bearer token: {@code --token-file FILE}, else
 * {@code $MEZZO_TOKEN}, else none (a cluster without credentials, such as {@code mezzo up}); over HTTPS
 * ({@code --tls-ca}) a client certificate may stand in for the token ({@link ClientCertificateOptions}). A picocli
 * mixin; values are checked, and the leader found, when a command runs ({@link #hostPort()}).
 */
final class MasterOption {
  @Option(names = "--master", defaultValue = "${env:MEZZO_MASTER:-127.0.0.1:5050}",
      description = "The master's HOST:PORT, several masters' HOST:PORT,HOST:PORT,... or zk://HOST:PORT,.../PATH"
          + " (default: $MEZZO_MASTER, else 127.0.0.1:5050).")
  String master;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "File holding your secret, sent as 'Authorization: Bearer' (default: $MEZZO_TOKEN, else none).")
  java.nio.file.Path tokenFile;

  @Option(names = "--tls-ca", paramLabel = "PEM", description = "Call the master over HTTPS, trusting these CAs.")
  java.nio.file.Path tlsCa;

  @picocli.CommandLine.Mixin
  ClientCertificateOptions clientCertificate = new ClientCertificateOptions();

  /** The bearer token, or null for none. */
  String token() {
    return token(tokenFile);
  }

  /** The token and, with --tls-ca, HTTPS (presenting --tls-client-cert, if given). */
  io.mezzo.core.auth.Caller caller() {
    return caller(tokenFile, tlsCa, clientCertificate);
  }

  static io.mezzo.core.auth.Caller caller(java.nio.file.Path tokenFile, java.nio.file.Path tlsCa,
      ClientCertificateOptions clientCertificate) {
    return new io.mezzo.core.auth.Caller(token(tokenFile), clientCertificate.context(tlsCa));
  }

  /** The token in {@code file}, else {@code $MEZZO_TOKEN}, else null. */
  static String token(java.nio.file.Path file) {
    if (file != null) {
      return io.mezzo.core.auth.Credentials.readSecret("--token-file", file);
    }
    String env = System.getenv("MEZZO_TOKEN");
    return env == null || env.isBlank() ? null : env.strip();
  }

  /** The leading master's address; exits 2 naming the flag when the value is malformed, 1 when no leader is found. */
  String hostPort() throws CliFailure {
    return leader(master);
  }

  /** The leading master named by {@code spec} (see the class comment); a single HOST:PORT is returned as it is. */
  static String leader(String spec) throws CliFailure {
    if (ZkMasterDetector.isZk(spec)) {
      try {
        return ZkMasterDetector.leader(spec, Duration.ofSeconds(10))
            .orElseThrow(() -> new CliFailure("no leading master is elected in " + spec));
      } catch (IllegalArgumentException e) {
        throw new CliFailure(2, "--master: " + e.getMessage().substring(e.getMessage().indexOf('\'')));
      } catch (IllegalStateException e) {
        throw new CliFailure(e.getMessage());
      }
    }
    if (spec == null || !MasterDetector.isHostList(spec)) {
      throw new CliFailure(2, "--master: '" + spec + "' (expected: HOST:PORT[,HOST:PORT...] or zk://HOST:PORT[,...]/PATH)");
    }
    if (!spec.contains(",")) {
      return spec; // a standby's 307 is followed by the request itself
    }
    try {
      return MasterDetector.of(spec).detect()
          .orElseThrow(() -> new CliFailure("cannot reach a leading master among " + spec));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure("interrupted while finding the leading master");
    }
  }
}
