package io.mezzo.cli;

import io.mezzo.core.ha.MasterDetector;
import io.mezzo.master.ha.ZkMasterDetector;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The {@code --master} option of the services client commands, defaulting to {@code $MEZZO_MASTER}
 * and else {@code 127.0.0.1:5050}: one master's {@code HOST:PORT}, several
 * ({@code HOST:PORT,HOST:PORT,...}: the one leading is asked), or {@code zk://HOST:PORT,.../PATH}
 * (the leader is read from ZooKeeper). A picocli mixin; the value is checked, and the leader found,
 * when a command runs, by {@link #hostPort()}.
 */
final class MasterOption {
  @Option(names = "--master", defaultValue = "${env:MEZZO_MASTER:-127.0.0.1:5050}",
      description = "The master's HOST:PORT, several masters' HOST:PORT,HOST:PORT,... or zk://HOST:PORT,.../PATH"
          + " (default: $MEZZO_MASTER, else 127.0.0.1:5050).")
  String master;

  /** The leading master's address; exits 2 naming the flag when the value is malformed, 1 when no leader is found. */
  String hostPort() throws CliFailure {
    return leader(master);
  }

  /** The leading master named by {@code spec} (see the class comment); a single HOST:PORT is returned as it is. */
  static String leader(String spec) throws CliFailure {
    if (ZkMasterDetector.isZk(spec)) {
      try {
        return ZkMasterDetector.leader(spec, Duration.ofSeconds(10))
            .orElseThrow(() -> new CliFailure("no leading master is elected in " + spec));
      } catch (IllegalArgumentException e) {
        throw new CliFailure(2, "--master: " + e.getMessage().substring(e.getMessage().indexOf('\'')));
      } catch (IllegalStateException e) {
        throw new CliFailure(e.getMessage());
      }
    }
    if (spec == null || !MasterDetector.isHostList(spec)) {
      throw new CliFailure(2, "--master: '" + spec + "' (expected: HOST:PORT[,HOST:PORT...] or zk://HOST:PORT[,...]/PATH)");
    }
    if (!spec.contains(",")) {
      return spec; // a standby's 307 is followed by the request itself
    }
    try {
      return MasterDetector.of(spec).detect()
          .orElseThrow(() -> new CliFailure("cannot reach a leading master among " + spec));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure("interrupted while finding the leading master");
    }
  }
}
