package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without {@code --credentials}, the servers refuse to listen anywhere but loopback, before starting
 * anything, and say how to configure them.
 */
class LoopbackRuleTest {
  @TempDir
  Path dir;

  @Test
  void masterOnEveryAddressWithoutCredentialsRefusesToStart() {
    CliRun run = CliRun.mezzo("master", "--ip", "0.0.0.0", "--port", "5999", "--work-dir", dir.toString());
    assertThat(run.exit()).as(run.toString()).isNotZero();
    assertThat(run.err()).as(run.toString()).contains("refusing to listen on 0.0.0.0:5999 without credentials "
        + "(pass --credentials FILE, see README \"Security\", or --insecure to accept anyone)");
  }

  @Test
  void agentOnEveryAddressWithoutCredentialsRefusesToStart() {
    CliRun run = CliRun.mezzo("agent", "--master", "127.0.0.1:1", "--ip", "0.0.0.0", "--port", "5998",
        "--work-dir", dir.toString(), "--resources", "cpus:1;mem:64");
    assertThat(run.exit()).as(run.toString()).isNotZero();
    assertThat(run.err()).as(run.toString()).contains("refusing to listen on 0.0.0.0:5998 without credentials");
  }

  @Test
  void loadBalancerAdminOnEveryAddressWithoutCredentialsRefusesToStart() {
    CliRun run = CliRun.mezzo("lb", "--master", "127.0.0.1:1", "--admin-port", "5997");
    assertThat(run.exit()).as(run.toString()).isNotZero();
    assertThat(run.err()).as(run.toString()).contains("refusing to listen on 0.0.0.0:5997 without credentials");
  }

  @Test
  void aCredentialsFileOthersCanReadIsRefused() throws Exception {
    Path f = dir.resolve("credentials.json");
    java.nio.file.Files.writeString(f,
        "{\"principals\": [{\"name\": \"a\", \"secret\": \"0123456789abcdef\", \"role\": \"admin\"}]}");
    java.nio.file.Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    CliRun run = CliRun.mezzo("master", "--ip", "0.0.0.0", "--port", "5996", "--work-dir", dir.toString(),
        "--credentials", f.toString());
    assertThat(run.exit()).as(run.toString()).isNotZero();
    assertThat(run.err()).as(run.toString()).contains("is readable by group or others (expected: chmod 600 " + f + ")");
  }
}
