package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code mezzo lb --access-log}: parsed, and a path that cannot be written stops the command with its name. */
class LbCommandTest {
  @Test
  void theAccessLogOptionTakesAPathOrADash() {
    LbCommand lb = new LbCommand();
    new CommandLine(lb).parseArgs("--master", "127.0.0.1:5050", "--access-log", "-");
    assertThat(lb.accessLog).isEqualTo("-");
    LbCommand off = new LbCommand();
    new CommandLine(off).parseArgs("--master", "127.0.0.1:5050");
    assertThat(off.accessLog).isNull();
  }

  @Test
  void anAccessLogThatCannotBeOpenedFailsTheCommandNamingThePath(@TempDir Path dir) {
    String bad = dir.resolve("missing/dir/access.log").toString();
    CliRun run = CliRun.mezzo("lb", "--master", "127.0.0.1:1", "--access-log", bad, "--admin-port", "-1");
    assertThat(run.exit()).as("%s", run).isNotZero();
    assertThat(run.err()).contains("access-log: '" + bad + "'");
  }
}
