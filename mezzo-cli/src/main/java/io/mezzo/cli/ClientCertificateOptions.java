package io.mezzo.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The client certificate a command presents when it calls a server over HTTPS (mutual TLS, see README
 * "Security"): {@code --tls-client-cert PEM} and its unencrypted PKCS#8 {@code --tls-client-key PEM}.
 * With them, a server that asks for certificates knows the caller without a token. A picocli mixin of
 * the client commands; files are read when the command runs ({@link io.mezzo.core.auth.Tls#client}).
 */
final class ClientCertificateOptions {
  @Option(names = "--tls-client-cert", paramLabel = "PEM",
      description = "Present this client certificate chain to servers that ask for one (mutual TLS; with --tls-client-key and --tls-ca).")
  Path certificate;

  @Option(names = "--tls-client-key", paramLabel = "PEM", description = "The unencrypted PKCS#8 key of --tls-client-cert.")
  Path key;

  /** The caller's TLS context: trusting {@code ca} (null: plain HTTP) and presenting the certificate, if any. */
  javax.net.ssl.SSLContext context(Path ca) {
    if (ca == null) {
      if (certificate != null || key != null) {
        throw new IllegalArgumentException("--tls-client-cert, --tls-client-key: given without --tls-ca (expected: "
            + "the CAs of the servers' certificates, --tls-ca PEM: a client certificate is only sent over HTTPS)");
      }
      return null;
    }
    return io.mezzo.core.auth.Tls.client(ca, certificate, key);
  }
}
