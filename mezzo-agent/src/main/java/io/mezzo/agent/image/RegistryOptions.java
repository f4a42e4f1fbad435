package io.mezzo.agent.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * How an {@link ImageStore} talks to registries and how much it keeps. Immutable, validated when built.
 *
 * @param insecureRegistries registries ({@code HOST[:PORT]}) spoken to over plain HTTP; loopback
 *     registries always are, every other one over HTTPS ({@code --insecure-registries})
 * @param credentials user and password per registry ({@code --registry-credentials FILE})
 * @param timeout connect timeout, and the longest a single request may wait for its response headers
 * @param maxManifestBytes the largest manifest or index read (4 MiB by default)
 * @param gcMaxBytes {@link ImageStore#collect()} removes least recently used unretained images while the
 *     images take more than this ({@code --image-gc-max-bytes}); {@code Long.MAX_VALUE} for no limit
 * @param gcMaxAge {@link ImageStore#collect()} removes unretained images unused for longer than this
 *     ({@code --image-gc-max-age}); {@code null} for no age limit
 * @param caCertificates a PEM file of CA certificates trusted for HTTPS registries besides the JDK's own
 *     ({@code --registry-ca}), for registries with a private CA; {@code null} for the JDK's only
 */
public record RegistryOptions(
    Set<String> insecureRegistries,
    Map<String, Credentials> credentials,
    Duration timeout,
    long maxManifestBytes,
    long gcMaxBytes,
    Duration gcMaxAge,
    Path caCertificates) {

  /** A registry user name and password (basic auth, or the basic auth of a bearer token request). */
  public record Credentials(String username, String password) {
    public Credentials {
      if (username == null || username.isEmpty()) {
        throw new IllegalArgumentException("username: '" + username + "' (expected: a user name)");
      }
      password = password == null ? "" : password;
    }

    @Override
    public String toString() {
      return "Credentials[" + username + ", ****]";
    }
  }

  public static final long DEFAULT_MAX_MANIFEST_BYTES = 4L << 20;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  public RegistryOptions {
    insecureRegistries = insecureRegistries == null ? Set.of() : Set.copyOf(insecureRegistries);
    credentials = credentials == null ? Map.of() : Map.copyOf(credentials);
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
    if (maxManifestBytes <= 0) {
      throw new IllegalArgumentException("maxManifestBytes: " + maxManifestBytes + " (expected: > 0)");
    }
    if (gcMaxBytes < 0) {
      throw new IllegalArgumentException("gcMaxBytes: " + gcMaxBytes + " (expected: >= 0)");
    }
    if (gcMaxAge != null && gcMaxAge.isNegative()) {
      throw new IllegalArgumentException("gcMaxAge: " + gcMaxAge + " (expected: >= 0, or null for no limit)");
    }
  }

  /** No insecure registries, no credentials, 30 s timeout, 4 MiB manifests, no GC limits. */
  public static RegistryOptions defaults() {
    return new RegistryOptions(Set.of(), Map.of(), DEFAULT_TIMEOUT, DEFAULT_MAX_MANIFEST_BYTES, Long.MAX_VALUE, null, null);
  }

  public RegistryOptions withInsecureRegistries(Set<String> registries) {
    return new RegistryOptions(registries, credentials, timeout, maxManifestBytes, gcMaxBytes, gcMaxAge, caCertificates);
  }

  public RegistryOptions withCredentials(Map<String, Credentials> byRegistry) {
    return new RegistryOptions(insecureRegistries, byRegistry, timeout, maxManifestBytes, gcMaxBytes, gcMaxAge, caCertificates);
  }

  public RegistryOptions withTimeout(Duration t) {
    return new RegistryOptions(insecureRegistries, credentials, t, maxManifestBytes, gcMaxBytes, gcMaxAge, caCertificates);
  }

  public RegistryOptions withGc(long maxBytes, Duration maxAge) {
    return new RegistryOptions(insecureRegistries, credentials, timeout, maxManifestBytes, maxBytes, maxAge, caCertificates);
  }

  /** Also trusts the CA certificates in the PEM file {@code pem} (null: only the JDK's) for HTTPS registries. */
  public RegistryOptions withCaCertificates(Path pem) {
    return new RegistryOptions(insecureRegistries, credentials, timeout, maxManifestBytes, gcMaxBytes, gcMaxAge, pem);
  }

  /**
   * Reads {@code --registry-credentials FILE}: {@code {"HOST[:PORT]": {"username": "...", "password": "..."}}}.
   *
   * @throws IllegalArgumentException naming the file and the entry that is wrong
   */
  public static Map<String, Credentials> readCredentials(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("registry-credentials: " + file + ": " + e.getMessage()
          + " (expected: a JSON object {\"HOST[:PORT]\": {\"username\": ..., \"password\": ...}})", e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("registry-credentials: " + file + " (expected: a JSON object of registries)");
    }
    Map<String, Credentials> out = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (!v.path("username").isTextual()) {
        throw new IllegalArgumentException("registry-credentials: " + file + ": " + e.getKey()
            + ".username: missing (expected: a string)");
      }
      out.put(e.getKey(), new Credentials(v.path("username").asText(), v.path("password").asText("")));
    }
    return out;
  }
}
