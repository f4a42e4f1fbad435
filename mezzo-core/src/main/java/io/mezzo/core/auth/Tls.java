package io.mezzo.core.auth;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * TLS for the control plane, from PEM files: a server's certificate chain and PKCS#8 key
 * ({@code --tls-cert}, {@code --tls-key}), optionally the CAs its callers' certificates must chain to
 * ({@code --tls-client-ca}, mutual TLS); a client's trusted CAs ({@code --tls-ca}) and optionally its
 * own certificate and key ({@code --tls-client-cert}, {@code --tls-client-key}). The JDK's TLS
 * implementation does the work on both sides; clients verify the server's host name against its
 * certificate. Which principal a verified client certificate is, is {@link Credentials#identify}'s
 * business. Files are checked when these are built, and errors name the flag and file.
 */
public final class Tls {
  private Tls() {}

  /** Whether a server asks its callers for a certificate ({@code --tls-client-auth}). */
  public enum ClientAuth {
    /** No client certificates: callers are known by their tokens only. */
    NONE,
    /** Asked for; a caller may present one (verified against the client CA) or none. */
    OPTIONAL,
    /** Required: a connection without a verified client certificate is refused in the handshake. */
    REQUIRE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code --tls-client-auth}'s value: {@code optional} or {@code require}. */
    public static ClientAuth parse(String flag, String text) {
      if ("optional".equals(text)) {
        return OPTIONAL;
      }
      if ("require".equals(text)) {
        return REQUIRE;
      }
      throw new IllegalArgumentException(flag + ": '" + text + "' (expected: optional or require)");
    }
  }

  /**
   * A server's TLS files.
   *
   * @param certificate PEM certificate chain, the server's first
   * @param privateKey PEM PKCS#8 private key ({@code BEGIN PRIVATE KEY}), unencrypted
   * @param clientCa PEM CA certificates that callers' certificates must chain to, or null (no mutual TLS)
   * @param clientAuth {@link ClientAuth#NONE} without {@code clientCa}, else optional or required
   */
  public record Server(Path certificate, Path privateKey, Path clientCa, ClientAuth clientAuth) {
    public Server {
      readable("--tls-cert", certificate);
      readable("--tls-key", privateKey);
      if (clientAuth == null) {
        clientAuth = clientCa == null ? ClientAuth.NONE : ClientAuth.OPTIONAL;
      }
      if (clientCa == null && clientAuth != ClientAuth.NONE) {
        throw new IllegalArgumentException("--tls-client-auth: " + clientAuth.label()
            + " without --tls-client-ca (expected: the CAs of the client certificates, --tls-client-ca PEM)");
      }
      if (clientCa != null) {
        readable("--tls-client-ca", clientCa);
        if (clientAuth == ClientAuth.NONE) {
          throw new IllegalArgumentException("--tls-client-auth: none with --tls-client-ca " + clientCa
              + " (expected: optional or require)");
        }
      }
    }

    /** Without mutual TLS. */
    public Server(Path certificate, Path privateKey) {
      this(certificate, privateKey, null, ClientAuth.NONE);
    }

    /** This, asking callers for certificates issued by the CAs in {@code caPem} ({@code mode}: optional or require). */
    public Server withClientAuth(Path caPem, ClientAuth mode) {
      return new Server(certificate, privateKey, caPem, mode);
    }

    /** Netty's server context for these files. */
    public SslContext context() {
      SslContextBuilder b;
      try {
        b = SslContextBuilder.forServer(certificate.toFile(), privateKey.toFile()).sslProvider(SslProvider.JDK);
      } catch (RuntimeException e) {
        throw unusable(e);
      }
      if (clientCa != null) {
        X509Certificate[] cas = certificates("--tls-client-ca", clientCa).toArray(X509Certificate[]::new);
        b.trustManager(cas).clientAuth(clientAuth == ClientAuth.REQUIRE
            ? io.netty.handler.ssl.ClientAuth.REQUIRE : io.netty.handler.ssl.ClientAuth.OPTIONAL);
      }
      try {
        return b.build();
      } catch (IOException | RuntimeException e) {
        throw unusable(e);
      }
    }

    private IllegalArgumentException unusable(Exception e) {
      return new IllegalArgumentException("--tls-cert " + certificate + " / --tls-key " + privateKey
          + ": cannot be used (expected: a PEM certificate chain and its unencrypted PKCS#8 PEM key): "
          + e.getMessage(), e);
    }
  }

  /** A client context that trusts exactly the CA certificates in the PEM file {@code caPem}. */
  public static SSLContext trusting(Path caPem) {
    return client(caPem, null, null);
  }

  /**
   * A client context that trusts exactly the CA certificates in {@code caPem} and, when
   * {@code certificatePem} and {@code keyPem} are given, presents that certificate chain (its
   * unencrypted PKCS#8 key) to every server that asks for one, whichever CAs the server names: a
   * server that does not trust it refuses it, which says more than sending nothing would.
   */
  public static SSLContext client(Path caPem, Path certificatePem, Path keyPem) {
    if ((certificatePem == null) != (keyPem == null)) {
      throw new IllegalArgumentException("--tls-client-cert, --tls-client-key: only one given (expected: both, or neither)");
    }
    List<X509Certificate> cas = certificates("--tls-ca", caPem);
    KeyManager[] keys = certificatePem == null ? null : new KeyManager[] {identity(certificatePem, keyPem)};
    return context(keys, cas, "--tls-ca", caPem);
  }

  /** A TLS context presenting {@code keys} (null: none) and trusting exactly {@code trusted}; errors name {@code flag}. */
  private static SSLContext context(KeyManager[] keys, List<X509Certificate> trusted, String flag, Path pem) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : trusted) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(keys, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(flag + ": " + pem + ": " + e.getMessage() + " (expected: PEM CA certificates)", e);
    }
  }

  /**
   * A client context that trusts the JDK's default CAs and also those in the PEM file {@code caPem}
   * (a private registry's CA, say), for servers that may be either public or private; errors name {@code flag}.
   */
  public static SSLContext trustingDefaultsAnd(String flag, Path caPem) {
    List<X509Certificate> trusted = new java.util.ArrayList<>();
    try {
      TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      defaults.init((KeyStore) null);
      for (javax.net.ssl.TrustManager tm : defaults.getTrustManagers()) {
        if (tm instanceof javax.net.ssl.X509TrustManager x) {
          trusted.addAll(List.of(x.getAcceptedIssuers()));
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK's default trust store cannot be read: " + e.getMessage(), e);
    }
    trusted.addAll(certificates(flag, caPem));
    return context(null, trusted, flag, caPem);
  }

  /** The certificates in a PEM file, at least one; errors name {@code flag}. */
  private static List<X509Certificate> certificates(String flag, Path pem) {
    readable(flag, pem);
    try (InputStream in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (all.isEmpty()) {
        throw new IllegalArgumentException(flag + ": " + pem + " holds no certificate (expected: PEM certificates)");
      }
      return all.stream().map(X509Certificate.class::cast).toList();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(flag + ": " + pem + ": " + e.getMessage() + " (expected: PEM certificates)", e);
    }
  }

  /** The client's certificate chain and key as a key manager that always presents them. */
  private static X509ExtendedKeyManager identity(Path certificatePem, Path keyPem) {
    X509Certificate[] chain = certificates("--tls-client-cert", certificatePem).toArray(X509Certificate[]::new);
    readable("--tls-client-key", keyPem);
    PrivateKey key;
    try {
      String text = Files.readString(keyPem, StandardCharsets.US_ASCII);
      int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
      int end = text.indexOf("-----END PRIVATE KEY-----");
      if (begin < 0 || end < begin) {
        throw new IllegalArgumentException("--tls-client-key: " + keyPem
            + " holds no PKCS#8 key (expected: an unencrypted '-----BEGIN PRIVATE KEY-----' PEM block)");
      }
      byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + 27, end));
      String algorithm = chain[0].getPublicKey().getAlgorithm();
      key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      if (!matches(key, chain[0])) {
        throw new IllegalArgumentException("--tls-client-key: " + keyPem + " is not the key of --tls-client-cert "
            + certificatePem + " (expected: the key the certificate was issued for)");
      }
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw e instanceof IllegalArgumentException i && i.getMessage().startsWith("--tls-client-key") ? i
          : new IllegalArgumentException("--tls-client-key: " + keyPem + ": " + e.getMessage()
              + " (expected: the unencrypted PKCS#8 PEM key of --tls-client-cert " + certificatePem + ")", e);
    }
    return new PresentedIdentity(chain, key);
  }

  /** Whether {@code key} signs what {@code certificate}'s public key verifies (true for algorithms not tried). */
  private static boolean matches(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
    String signature = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (signature == null) {
      return true; // the handshake will tell
    }
    byte[] probe = "mezzo".getBytes(StandardCharsets.US_ASCII);
    java.security.Signature signer = java.security.Signature.getInstance(signature);
    signer.initSign(key);
    signer.update(probe);
    byte[] signed = signer.sign();
    java.security.Signature verifier = java.security.Signature.getInstance(signature);
    verifier.initVerify(certificate.getPublicKey());
    verifier.update(probe);
    return verifier.verify(signed);
  }

  /** Presents one certificate chain to every server that asks; never a server identity. Immutable. */
  private static final class PresentedIdentity extends X509ExtendedKeyManager {
    private static final String ALIAS = "client";
    private final X509Certificate[] chain;
    private final PrivateKey key;

    PresentedIdentity(X509Certificate[] chain, PrivateKey key) {
      this.chain = chain;
      this.key = key;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {ALIAS};
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return ALIAS;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return ALIAS;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return ALIAS.equals(alias) ? key : null;
    }
  }

  private static void readable(String flag, Path file) {
    if (file == null || !Files.isReadable(file)) {
      throw new IllegalArgumentException(flag + ": " + file + " (expected: a readable PEM file)");
    }
  }
}
