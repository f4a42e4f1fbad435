package io.mezzo.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Prometheus' own {@code promtool} (Debian's {@code prometheus} package, which {@code .ci/run}
 * installs) on metrics text and configuration files, for tests. {@code promtool check metrics} exits 1
 * when the text does not parse and 3 when it parses but breaks a naming rule (missing HELP, a counter
 * without {@code _total}, non-base units...); both count as failures here. Stateless; any thread.
 */
final class Promtool {
  private Promtool() {}

  /** What one run printed (stdout and stderr together) and its exit status. */
  record Result(int exit, String output) {
    boolean ok() {
      return exit == 0 && output.isBlank();
    }
  }

  /** {@code promtool check metrics} with {@code text} on its standard input. */
  static Result checkMetrics(String text) {
    return run(List.of("promtool", "check", "metrics"), text);
  }

  /** {@code promtool check config FILE}. */
  static Result checkConfig(Path file) {
    return run(List.of("promtool", "check", "config", file.toString()), "");
  }

  private static Result run(List<String> cmd, String stdin) {
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("cannot run " + String.join(" ", cmd) + ": " + e.getMessage()
          + " (expected: promtool on the PATH; apt-get install prometheus)", e);
    }
    try {
      // write on another thread: a long text could fill the pipe while promtool's output fills the other
      Thread writer = new Thread(() -> {
        try (OutputStream in = p.getOutputStream()) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
          // promtool stopped reading; its exit status says why
        }
      }, "promtool-stdin");
      writer.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " did not end within 60 s");
      }
      writer.join(10_000);
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      throw new AssertionError("reading " + String.join(" ", cmd) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + String.join(" ", cmd), e);
    }
  }
}
