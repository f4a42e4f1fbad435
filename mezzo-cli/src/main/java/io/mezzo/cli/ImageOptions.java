package io.mezzo.cli;

import io.mezzo.agent.image.RegistryOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The image store's options, a picocli mixin shared by {@code mezzo image ...} and (for the agent that
 * runs images) {@code mezzo agent}: {@code --insecure-registries}, {@code --registry-credentials FILE},
 * {@code --registry-timeout}, {@code --image-gc-max-bytes}, {@code --image-gc-max-age}. Turned into
 * {@link RegistryOptions} (validated there) by {@link #registryOptions()}.
 */
final class ImageOptions {
  @Option(names = "--insecure-registries", split = ",", paramLabel = "HOST[:PORT]",
      description = "Registries spoken to over plain HTTP (loopback registries always are; others use HTTPS).")
  List<String> insecureRegistries = List.of();

  @Option(names = "--registry-credentials", paramLabel = "FILE",
      description = "JSON {\"HOST[:PORT]\": {\"username\": ..., \"password\": ...}}: basic auth, or the credentials of a bearer token request.")
  Path registryCredentials;

  @Option(names = "--registry-ca", paramLabel = "PEM",
      description = "CA certificates trusted for HTTPS registries besides the JDK's (a registry with a private CA).")
  Path registryCa;

  @Option(names = "--registry-timeout", defaultValue = "30s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "Connect and response timeout of registry requests (default: ${DEFAULT-VALUE}).")
  Duration registryTimeout;

  @Option(names = "--image-gc-max-bytes", paramLabel = "BYTES",
      description = "Image GC removes least recently used images no task uses while images take more than this (default: no limit).")
  Long gcMaxBytes;

  @Option(names = "--image-gc-max-age", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "Image GC removes images no task has used for longer than this (default: no limit).")
  Duration gcMaxAge;

  /**
   * The options as the store takes them. A bad value is an {@link IllegalArgumentException} whose
   * message starts with the flag: {@code --image-gc-max-bytes: -1 (expected: >= 0)}.
   */
  RegistryOptions registryOptions() {
    if (gcMaxBytes != null && gcMaxBytes < 0) {
      throw new IllegalArgumentException("--image-gc-max-bytes: " + gcMaxBytes + " (expected: >= 0)");
    }
    if (gcMaxAge != null && gcMaxAge.isNegative()) {
      throw new IllegalArgumentException("--image-gc-max-age: " + gcMaxAge + " (expected: >= 0)");
    }
    if (registryTimeout.isZero() || registryTimeout.isNegative()) {
      throw new IllegalArgumentException("--registry-timeout: " + registryTimeout + " (expected: > 0)");
    }
    RegistryOptions o = RegistryOptions.defaults().withInsecureRegistries(Set.copyOf(insecureRegistries))
        .withTimeout(registryTimeout)
        .withGc(gcMaxBytes == null ? Long.MAX_VALUE : gcMaxBytes, gcMaxAge);
    if (registryCa != null) {
      io.mezzo.core.auth.Tls.trustingDefaultsAnd("--registry-ca", registryCa); // names a bad file now, not at the first pull
      o = o.withCaCertificates(registryCa);
    }
    if (registryCredentials == null) {
      return o;
    }
    if (!Files.isRegularFile(registryCredentials) || !Files.isReadable(registryCredentials)) {
      throw new IllegalArgumentException("--registry-credentials: " + registryCredentials + ": no such readable file"
          + " (expected: a JSON file {\"HOST[:PORT]\": {\"username\": ..., \"password\": ...}})");
    }
    try {
      return o.withCredentials(RegistryOptions.readCredentials(registryCredentials));
    } catch (IllegalArgumentException e) { // "registry-credentials: FILE: what is wrong (expected: ...)"
      throw new IllegalArgumentException("--" + e.getMessage(), e);
    }
  }
}
