package io.mezzo.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority for tests of TLS and mutual TLS, made by the {@code openssl}
 * command (Debian's {@code openssl} package; {@code .ci/run} installs it) with the same commands
 * README "Security" shows operators: an EC P-256 CA valid for two days, and certificates it issues
 * (a server's, naming its IP addresses, or a client's, named by its subject) with unencrypted PKCS#8
 * keys. Files live under the directory given; nothing is reused between runs. Not thread-safe: one
 * test class makes its certificates in its set-up.
 */
public final class TestPki {
  private final Path dir;
  private final Path caCertificate;
  private final Path caKey;

  /** A key pair and its certificate, as PEM files. */
  public record Identity(Path certificate, Path key) {}

  private TestPki(Path dir, Path caCertificate, Path caKey) {
    this.dir = dir;
    this.caCertificate = caCertificate;
    this.caKey = caKey;
  }

  /** Makes a new CA whose certificate's subject is {@code CN=name}, its files in {@code dir/name-ca.*}. */
  public static TestPki create(Path dir, String name) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + dir + ": " + e, e);
    }
    Path cert = dir.resolve(name + "-ca.pem");
    Path key = dir.resolve(name + "-ca.key");
    openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=" + name, "-days", "2",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    return new TestPki(dir, cert, key);
  }

  /** The CA certificate (PEM): what servers' {@code --tls-client-ca} and callers' {@code --tls-ca} name. */
  public Path caPem() {
    return caCertificate;
  }

  /** A server certificate for {@code 127.0.0.1} and {@code localhost}, files {@code dir/<name>.pem|.key}. */
  public Identity server(String name) {
    return issue(name, "/CN=" + name, "subjectAltName=IP:127.0.0.1,DNS:localhost");
  }

  /** A server certificate for the addresses {@code ips} (IP subject alternative names). */
  public Identity server(String name, java.util.List<String> ips) {
    return issue(name, "/CN=" + name, "subjectAltName=" + String.join(",", ips.stream().map(ip -> "IP:" + ip).toList()));
  }

  /**
   * A client certificate whose subject is {@code subject} in OpenSSL's slash form, such as
   * {@code /CN=agent-1} (subject {@code CN=agent-1}) or {@code /O=acme/CN=ops} ({@code CN=ops,O=acme}).
   */
  public Identity client(String name, String subject) {
    return issue(name, subject, null);
  }

  private Identity issue(String name, String subject, String subjectAltName) {
    Path cert = dir.resolve(name + ".pem");
    Path key = dir.resolve(name + ".key");
    List<String> args = new ArrayList<>(List.of("req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
        "-subj", subject, "-days", "2", "-CA", caCertificate.toString(), "-CAkey", caKey.toString(),
        "-addext", "basicConstraints=critical,CA:FALSE"));
    if (subjectAltName != null) {
      args.addAll(List.of("-addext", subjectAltName));
    }
    openssl(dir, args.toArray(String[]::new));
    return new Identity(cert, key);
  }

  private static void openssl(Path dir, String... args) {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Path log = dir.resolve("openssl.log");
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("openssl " + String.join(" ", args) + ": no exit within 60 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("openssl " + String.join(" ", args) + ": exit " + p.exitValue() + "\n"
            + Files.readString(log, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new IllegalStateException("openssl: cannot run (" + e.getMessage() + "; expected: the openssl "
          + "command, Debian package openssl)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running openssl", e);
    }
  }
}
