package io.mezzo.agent;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@link AgentMain} run as a real OS process, so that a test can {@code kill -9} it. Its output goes
 * to {@code agent-N.log} beside the work dir.
 */
final class AgentProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private AgentProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static AgentProcess start(String master, Path workDir, String recover, String... extra) {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path log = workDir.resolveSibling(workDir.getFileName() + "-" + System.nanoTime() + ".log");
    try {
      List<String> argv = new java.util.ArrayList<>(List.of(java.toString(), "-Xmx128m", "-XX:+UseSerialGC", "-cp", cp,
          AgentMain.class.getName(), master, workDir.toString(), recover));
      argv.addAll(List.of(extra));
      Process p = new ProcessBuilder(argv)
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      AgentProcess agent = new AgentProcess(p, log);
      await("agent process listening").atMost(Duration.ofSeconds(60))
          .until(() -> agent.output().contains("port ") || !p.isAlive());
      if (!p.isAlive()) {
        throw new IllegalStateException("agent exited: " + agent.output());
      }
      return agent;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String output() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    String out = output();
    int i = out.indexOf("port ");
    return Integer.parseInt(out.substring(i + 5, out.indexOf('\n', i)).strip());
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL, as {@code kill -9}: the agent gets no chance to stop its tasks. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
        kill9();
      }
    }
  }
}
