package io.mezzo.cli;

import io.mezzo.core.auth.Credentials;
import io.mezzo.core.auth.Security;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The security flags of the server commands ({@code master}, {@code agent}, {@code lb},
 * {@code services}): {@code --credentials FILE} (the principals callers must be, see README
 * "Security"), {@code --insecure} (listen on a non-loopback address without them) and
 * {@code --secret-file FILE} (this process's own secret, sent as a bearer token to the servers it
 * calls). A picocli mixin; files are read when the command runs.
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

  Security security() {
    return Security.fromFlags(credentials, insecure);
  }

  /** The secret from {@code --secret-file}, or null without one. */
  String secret() {
    return secretFile == null ? null : Credentials.readSecret("--secret-file", secretFile);
  }
}
