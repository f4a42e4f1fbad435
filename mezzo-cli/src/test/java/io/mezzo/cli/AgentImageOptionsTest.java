package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mezzo agent} takes the image store's flags of {@code mezzo image} and {@code --image-gc-interval};
 * a bad value stops it before it starts, with a message naming the flag and a non-zero exit.
 */
class AgentImageOptionsTest {
  @TempDir
  Path dir;

  private CliRun agent(String... flags) {
    String[] args = new String[flags.length + 5];
    args[0] = "agent";
    args[1] = "--master";
    args[2] = "127.0.0.1:1";
    args[3] = "--work-dir";
    args[4] = dir.resolve("agent").toString();
    System.arraycopy(flags, 0, args, 5, flags.length);
    return mezzo(args);
  }

  @Test
  void missingCredentialsFileIsNamedWithItsFlag() {
    CliRun run = agent("--registry-credentials", "/nonexistent");
    assertThat(run.exit()).as(run.toString()).isNotZero();
    assertThat(run.err()).contains("--registry-credentials: /nonexistent: no such readable file (expected: a JSON file");
  }

  @Test
  void malformedCredentialsFileIsNamedWithItsFlag() throws Exception {
    Path file = Files.writeString(dir.resolve("credentials.json"), "{\"registry:5000\": ");
    CliRun run = agent("--registry-credentials", file.toString());
    assertThat(run.exit()).as(run.toString()).isNotZero();
    assertThat(run.err()).contains("--registry-credentials: " + file + ": ").contains("(expected: a JSON object");

    Files.writeString(file, "{\"registry:5000\": {\"password\": \"pw\"}}");
    CliRun noUser = agent("--registry-credentials", file.toString());
    assertThat(noUser.exit()).isNotZero();
    assertThat(noUser.err()).contains("--registry-credentials: " + file + ": registry:5000.username: missing");
  }

  @Test
  void negativeSizesAndIntervalsAreRefusedNamingTheFlag() {
    CliRun bytes = agent("--image-gc-max-bytes", "-1");
    assertThat(bytes.exit()).isNotZero();
    assertThat(bytes.err()).contains("--image-gc-max-bytes: -1 (expected: >= 0)");

    CliRun interval = agent("--image-gc-interval", "-5s");
    assertThat(interval.exit()).isNotZero();
    assertThat(interval.err()).contains("--image-gc-interval: PT-5S (expected: >= 0, 0 for never)");
  }

  @Test
  void helpListsTheRegistryAndGcFlags() {
    CliRun help = mezzo("agent", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("--insecure-registries").contains("--registry-credentials")
        .contains("--registry-timeout").contains("--image-gc-max-bytes").contains("--image-gc-max-age")
        .contains("--image-gc-interval=DURATION");
  }
}
