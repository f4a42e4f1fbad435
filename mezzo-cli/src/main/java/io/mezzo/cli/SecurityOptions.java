package io.mezzo.cli;

import io.mezzo.core.auth.Credentials;
import io.mezzo.core.auth.Security;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The security flags of the server commands ({@code master}, {@code agent}, {@code lb},
 * {@code services}): {@code --credentials FILE} (the principals callers must be, see README
 * "Security"), {@code --insecure} (listen on a non-loopback address without them),
 * {@code --secret-file FILE} (this process's own secret, sent as a bearer token to the servers it
 * calls), {@code --tls-cert/--tls-key} (serve HTTPS), {@code --tls-client-ca} and
 * {@code --tls-client-auth optional|require} (ask callers for client certificates: mutual TLS),
 * {@code --tls-ca} (the CAs trusted when calling other servers over HTTPS; by default this server's
 * own certificate when it has one) and {@code --tls-client-cert/--tls-client-key} (the certificate
 * presented when calling them). A picocli mixin; files are read when the command runs.
 */
final class SecurityOptions {
  @Option(names = "--credentials", paramLabel = "FILE",
      description = "JSON file of principals (name, secret, role) allowed to call this server; must be chmod 600. "
          + "Without it the server only listens on loopback, unless --insecure.")
  Path credentials;

  @Option(names = "--insecure", description = "Accept anyone on a non-loopback address when no --credentials are given.")
  boolean insecure;

  @Option(names = "--secret-file", paramLabel = "FILE",
      description = "File holding this process's own secret, sent as 'Authorization: Bearer' to the servers it calls.")
  Path secretFile;

  @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve HTTPS with this certificate chain (with --tls-key).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "The unencrypted PKCS#8 key of --tls-cert.")
  Path tlsKey;

  @Option(names = "--tls-ca", paramLabel = "PEM",
      description = "Call the other servers over HTTPS, trusting these CAs (default: plain HTTP, or this server's own "
          + "--tls-cert when it has one).")
  Path tlsCa;

  @Option(names = "--tls-client-ca", paramLabel = "PEM",
      description = "Ask callers for client certificates issued by these CAs (mutual TLS, with --tls-cert); a verified "
          + "certificate is the principal whose \"certificate\" is its subject.")
  Path tlsClientCa;

  @Option(names = "--tls-client-auth", paramLabel = "optional|require",
      description = "With --tls-client-ca: optional (default; callers may still use tokens alone) or require "
          + "(a connection without a verified client certificate is refused).")
  String tlsClientAuth;

  @picocli.CommandLine.Mixin
  ClientCertificateOptions clientCertificate = new ClientCertificateOptions();

  Security security() {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-cert, --tls-key: only one given (expected: both, or neither)");
    }
    if (tlsCert == null && (tlsClientCa != null || tlsClientAuth != null)) {
      throw new IllegalArgumentException((tlsClientCa != null ? "--tls-client-ca" : "--tls-client-auth")
          + ": given without --tls-cert (expected: --tls-cert and --tls-key, mutual TLS is TLS)");
    }
    Security s = Security.fromFlags(credentials, insecure);
    return tlsCert == null ? s : s.withTls(new io.mezzo.core.auth.Tls.Server(tlsCert, tlsKey, tlsClientCa,
        tlsClientAuth == null ? null : io.mezzo.core.auth.Tls.ClientAuth.parse("--tls-client-auth", tlsClientAuth)));
  }

  /**
   * How this process calls the others: its secret and, with --tls-ca or --tls-cert, HTTPS, presenting
   * --tls-client-cert if given.
   */
  io.mezzo.core.auth.Caller caller() {
    return caller(secret());
  }

  /** As {@link #caller()} with {@code token} in place of the secret file's. */
  io.mezzo.core.auth.Caller caller(String token) {
    Path ca = tlsCa != null ? tlsCa : tlsCert;
    return new io.mezzo.core.auth.Caller(token, clientCertificate.context(ca));
  }

  /** The secret from {@code --secret-file}, or null without one. */
  String secret() {
    return secretFile == null ? null : Credentials.readSecret("--secret-file", secretFile);
  }
}
