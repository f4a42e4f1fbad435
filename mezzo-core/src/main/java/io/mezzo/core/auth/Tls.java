package io.mezzo.core.auth;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for the control plane, from PEM files: a server's certificate chain and PKCS#8 key
 * ({@code --tls-cert}, {@code --tls-key}) and a client's trusted CAs ({@code --tls-ca}). The JDK's
 * TLS implementation does the work on both sides; clients verify the server's host name against its
 * certificate. Mutual TLS (client certificates) is not supported yet: callers are identified by their
 * bearer tokens. Files are checked when these are built, and errors name the flag and file.
 */
public final class Tls {
  private Tls() {}

  /**
   * A server's TLS files.
   *
   * @param certificate PEM certificate chain, the server's first
   * @param privateKey PEM PKCS#8 private key ({@code BEGIN PRIVATE KEY}), unencrypted
   */
  public record Server(Path certificate, Path privateKey) {
    public Server {
      readable("--tls-cert", certificate);
      readable("--tls-key", privateKey);
    }

    /** Netty's server context for these files. */
    public SslContext context() {
      try {
        return SslContextBuilder.forServer(certificate.toFile(), privateKey.toFile())
            .sslProvider(SslProvider.JDK).build();
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("--tls-cert " + certificate + " / --tls-key " + privateKey
            + ": cannot be used (expected: a PEM certificate chain and its unencrypted PKCS#8 PEM key): "
            + e.getMessage(), e);
      }
    }
  }

  /** A client context that trusts exactly the CA certificates in the PEM file {@code caPem}. */
  public static SSLContext trusting(Path caPem) {
    readable("--tls-ca", caPem);
    try (InputStream in = Files.newInputStream(caPem)) {
      Collection<? extends Certificate> cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (cas.isEmpty()) {
        throw new IllegalArgumentException("--tls-ca: " + caPem + " holds no certificate (expected: PEM CA certificates)");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : cas) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("--tls-ca: " + caPem + ": " + e.getMessage()
          + " (expected: PEM CA certificates)", e);
    }
  }

  private static void readable(String flag, Path file) {
    if (file == null || !Files.isReadable(file)) {
      throw new IllegalArgumentException(flag + ": " + file + " (expected: a readable PEM file)");
    }
  }
}
