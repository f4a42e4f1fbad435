package io.mezzo.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * The principals a server accepts, each with a shared secret sent as {@code Authorization: Bearer
 * <secret>}, a TLS client certificate subject, or both. Loaded from a JSON file:
 *
 * <pre>{"principals": [
 *   {"name": "ops",    "secret": "...", "role": "operator"},
 *   {"name": "svc",    "secret": "...", "role": "framework", "frameworkRoles": ["*", "web"]},
 *   {"name": "agents", "certificate": "CN=agent-1", "role": "agent"}]}</pre>
 *
 * A {@code certificate} is the subject distinguished name of the principal's client certificate
 * (mutual TLS, see {@link Tls}): a verified certificate is this principal when its subject equals that
 * name as X.500 names compare ({@link X500Principal#equals}: every attribute, in order; case and
 * spacing inside values do not matter). {@link #identify} is the one rule that turns a request's token
 * and certificate into a principal.
 *
 * <p>Validated when loaded: every error names the field, the bad value and what was expected. Names,
 * secrets and certificate subjects are unique; every principal has a secret or a certificate; secrets
 * have at least {@link #MIN_SECRET_CHARS} characters; the file must not be
 * readable by group or others (a leaked secret file is a leaked cluster). Secrets are compared through
 * their SHA-256 digests with {@link MessageDigest#isEqual} over every principal, so the time taken says
 * nothing about how much of a guess matched, nor which principal it was close to.
 *
 * <p>Immutable and thread-safe.
 */
public final class Credentials {
  public static final int MIN_SECRET_CHARS = 16;

  private final List<Entry> entries;

  /** A principal with the digest of its secret (null: none) and its certificate subject (null: none). */
  private record Entry(Principal principal, byte[] digest, X500Principal subject) {}

  private Credentials(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Reads and validates a credentials file; refuses one that group or others may read. */
  public static Credentials load(Path file) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
        throw new IllegalArgumentException("credentials: " + file + " is readable by group or others "
            + "(expected: chmod 600 " + file + ")");
      }
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: nothing to check
    } catch (IOException e) {
      throw new UncheckedIOException("credentials: cannot read " + file + ": " + e.getMessage(), e);
    }
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("credentials: cannot read " + file + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("credentials " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses the JSON text of a credentials file (see the class comment). */
  public static Credentials parse(String json) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON (expected: {\"principals\": [...]}): " + e.getMessage(), e);
    }
    if (root == null || !root.isObject() || !root.path("principals").isArray() || root.path("principals").isEmpty()) {
      throw new IllegalArgumentException("principals: missing or empty (expected: a non-empty array)");
    }
    onlyFields(root, "", Set.of("principals"));
    List<Principal> principals = new ArrayList<>();
    List<String> secrets = new ArrayList<>();
    List<X500Principal> subjects = new ArrayList<>();
    int i = 0;
    for (JsonNode p : root.get("principals")) {
      String at = "principals[" + i++ + "]";
      if (!p.isObject()) {
        throw new IllegalArgumentException(at + ": " + p + " (expected: an object)");
      }
      onlyFields(p, at + ".", Set.of("name", "secret", "certificate", "role", "frameworkRoles"));
      String name = text(p, at + ".name");
      if (!p.has("secret") && !p.has("certificate")) {
        throw new IllegalArgumentException(at + ": neither secret nor certificate (expected: a secret, a "
            + "certificate subject, or both)");
      }
      String secret = p.has("secret") ? text(p, at + ".secret") : null;
      X500Principal subject = p.has("certificate") ? subject(at + ".certificate", text(p, at + ".certificate")) : null;
      Role role = Role.parse(at + ".role", text(p, at + ".role"));
      Set<String> frameworkRoles = new LinkedHashSet<>();
      JsonNode fr = p.get("frameworkRoles");
      if (role == Role.FRAMEWORK) {
        if (fr == null || !fr.isArray() || fr.isEmpty()) {
          throw new IllegalArgumentException(at + ".frameworkRoles: " + fr
              + " (expected: the Mesos roles this framework principal may use, such as [\"*\"])");
        }
        fr.forEach(r -> {
          if (!r.isTextual() || r.asText().isBlank()) {
            throw new IllegalArgumentException(at + ".frameworkRoles: " + r + " (expected: role names)");
          }
          frameworkRoles.add(r.asText());
        });
      } else if (fr != null) {
        throw new IllegalArgumentException(at + ".frameworkRoles: given for role " + role.label()
            + " (expected: only for role framework)");
      }
      principals.add(new Principal(name, role, frameworkRoles));
      secrets.add(secret);
      subjects.add(subject);
    }
    return of(principals, secrets, subjects);
  }

  /** Credentials from principals and their secrets (same order); validated as a file would be. */
  public static Credentials of(List<Principal> principals, List<String> secrets) {
    return of(principals, secrets, java.util.Collections.nCopies(principals.size(), null));
  }

  /**
   * Credentials from principals, their secrets and their certificate subjects (same order; a null
   * secret or subject: none, but not both); validated as a file would be.
   */
  public static Credentials of(List<Principal> principals, List<String> secrets, List<X500Principal> subjects) {
    if (principals.size() != secrets.size() || principals.size() != subjects.size()) {
      throw new IllegalArgumentException("secrets, certificates: " + secrets.size() + ", " + subjects.size()
          + " (expected: one each per principal, " + principals.size() + ")");
    }
    Set<String> names = new HashSet<>();
    Set<String> seen = new HashSet<>();
    Set<X500Principal> seenSubjects = new HashSet<>();
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < principals.size(); i++) {
      Principal p = principals.get(i);
      String secret = secrets.get(i);
      X500Principal subject = subjects.get(i);
      if (p.name() == null || p.name().isBlank() || p.role() == null) {
        throw new IllegalArgumentException("principals[" + i + "]: " + p + " (expected: a name and a role)");
      }
      if (!names.add(p.name())) {
        throw new IllegalArgumentException("principals[" + i + "].name: '" + p.name() + "' (expected: unique)");
      }
      if (subject != null && !seenSubjects.add(subject)) {
        throw new IllegalArgumentException("principals[" + i + "].certificate: '" + subject.getName()
            + "' is another principal's too (expected: one certificate subject per principal)");
      }
      if (secret == null && subject != null) {
        entries.add(new Entry(p, null, subject));
        continue;
      }
      if (secret == null || secret.length() < MIN_SECRET_CHARS) {
        throw new IllegalArgumentException("principals[" + i + "].secret: " + (secret == null ? 0 : secret.length())
            + " characters (expected: >= " + MIN_SECRET_CHARS + ")");
      }
      if (!seen.add(secret)) {
        throw new IllegalArgumentException("principals[" + i + "].secret: the same as another principal's "
            + "(expected: one secret per principal)");
      }
      entries.add(new Entry(p, digest(secret), subject));
    }
    return new Credentials(entries);
  }

  /** These credentials plus {@code principal} with {@code secret} (an in-process client's, say). */
  public Credentials with(Principal principal, String secret) {
    if (secret == null || secret.length() < MIN_SECRET_CHARS) {
      throw new IllegalArgumentException("secret of " + principal.name() + ": too short (expected: >= "
          + MIN_SECRET_CHARS + " characters)");
    }
    byte[] d = digest(secret);
    for (Entry e : entries) {
      if (e.principal().name().equals(principal.name()) || (e.digest() != null && MessageDigest.isEqual(e.digest(), d))) {
        throw new IllegalArgumentException("principal '" + principal.name() + "': clashes with '"
            + e.principal().name() + "' (expected: a unique name and secret)");
      }
    }
    List<Entry> out = new ArrayList<>(entries);
    out.add(new Entry(principal, d, null));
    return new Credentials(out);
  }

  /** The principal whose secret is {@code token}, compared in constant time over every principal. */
  public Optional<Principal> authenticate(String token) {
    if (token == null) {
      return Optional.empty();
    }
    byte[] d = digest(token);
    Principal found = null;
    for (Entry e : entries) {
      if (e.digest() != null && MessageDigest.isEqual(e.digest(), d) && found == null) {
        found = e.principal();
      }
    }
    return Optional.ofNullable(found);
  }

  /** The principal whose {@code certificate} is {@code subject} (a verified client certificate's), if any. */
  public Optional<Principal> authenticateCertificate(X500Principal subject) {
    if (subject == null) {
      return Optional.empty();
    }
    return entries.stream().filter(e -> subject.equals(e.subject())).map(Entry::principal).findFirst();
  }

  /**
   * Who a request is, from its bearer token (null: none) and the subject of the client certificate
   * its TLS connection presented and the server verified (null: none): the token's principal when the
   * token is known; else the certificate's; else empty (the caller answers 401). A known token thus
   * wins over a certificate, so operators keep using tokens on a server that asks for certificates,
   * and a stale or foreign token does not hide a good certificate. The single place where a server
   * derives its caller.
   */
  public Optional<Principal> identify(String token, X500Principal certificateSubject) {
    Optional<Principal> byToken = authenticate(token);
    return byToken.isPresent() ? byToken : authenticateCertificate(certificateSubject);
  }

  public List<Principal> principals() {
    return entries.stream().map(Entry::principal).toList();
  }

  /** A fresh random secret (256 bits, URL-safe base64), for in-process clients. */
  public static String newSecret() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /**
   * Reads a client's secret (or token) file: its content without surrounding white space. The error
   * names {@code flag} and the file.
   */
  public static String readSecret(String flag, Path file) {
    String s;
    try {
      s = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(flag + ": cannot read " + file + ": " + e.getMessage(), e);
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException(flag + ": " + file + " is empty (expected: the secret on one line)");
    }
    return s;
  }

  private static String text(JsonNode node, String field) {
    String name = field.substring(field.lastIndexOf('.') + 1);
    JsonNode v = node.get(name);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new IllegalArgumentException(field + ": " + v + " (expected: a non-empty string)");
    }
    return v.asText();
  }

  private static X500Principal subject(String field, String dn) {
    try {
      return new X500Principal(dn);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": '" + dn + "' (expected: a certificate subject such as "
          + "\"CN=agent-1\" or \"CN=spark,O=analytics\"): " + e.getMessage(), e);
    }
  }

  private static void onlyFields(JsonNode node, String at, Set<String> known) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        throw new IllegalArgumentException(at + f + ": unknown field (expected: one of " + known + ")");
      }
    }
  }

  private static byte[] digest(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("BUG: SHA-256 is missing from the JDK", e);
    }
  }
}
