package io.mezzo.agent.recovery;

import io.mezzo.agent.containerizer.Containerizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A task's supervisor process that a restarted agent found still running: not the agent's child, so
 * neither {@code waitpid} nor the JDK's {@link Process} can report its exit. This {@link Process}
 * looks instead: every {@code probeMillis} on {@code timer} it checks that the pid is alive, not a
 * zombie and still has the checkpointed start time; once not, {@link #onExit()} completes and
 * {@link #exitValue()} is what the supervisor wrote to the sandbox's {@link Containerizer#EXIT_FILE}.
 *
 * <p>The supervisor traps SIGTERM, SIGINT and SIGHUP, so it writes the file for every exit of the
 * command except when it is SIGKILLed itself: a missing file is then read as {@code 128 + 9}.
 * Thread-safe; the probe runs on {@code timer}.
 */
public final class AdoptedProcess extends Process {
  /** Exit value when the supervisor left no status: it can only have been SIGKILLed. */
  public static final int KILLED = 128 + 9;

  private final long pid;
  private final long startTime;
  private final Path sandbox;
  private final CompletableFuture<Process> exit = new CompletableFuture<>();
  private final ScheduledFuture<?> probe;

  public AdoptedProcess(long pid, long startTime, Path sandbox, ScheduledExecutorService timer, long probeMillis) {
    this.pid = pid;
    this.startTime = startTime;
    this.sandbox = sandbox;
    this.probe = timer.scheduleWithFixedDelay(this::probe, 0, probeMillis, TimeUnit.MILLISECONDS);
  }

  private void probe() {
    if (!ProcessIdentity.isSame(pid, startTime)) {
      exit.complete(this);
      probe.cancel(false);
    }
  }

  /** The exit status the supervisor in {@code sandbox} recorded, if it recorded one. */
  public static OptionalInt recordedExit(Path sandbox) {
    try {
      return OptionalInt.of(Integer.parseInt(Files.readString(sandbox.resolve(Containerizer.EXIT_FILE)).strip()));
    } catch (NoSuchFileException e) {
      return OptionalInt.empty();
    } catch (IOException | NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  @Override
  public CompletableFuture<Process> onExit() {
    return exit;
  }

  @Override
  public int exitValue() {
    if (!exit.isDone()) {
      throw new IllegalThreadStateException("process " + pid + " has not exited");
    }
    return recordedExit(sandbox).orElse(KILLED);
  }

  @Override
  public int waitFor() throws InterruptedException {
    try {
      exit.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("BUG: exit future failed", e);
    }
    return exitValue();
  }

  @Override
  public boolean isAlive() {
    return !exit.isDone() && ProcessIdentity.isSame(pid, startTime);
  }

  @Override
  public long pid() {
    return pid;
  }

  @Override
  public void destroy() {
    signal("TERM");
  }

  @Override
  public Process destroyForcibly() {
    signal("KILL");
    return this;
  }

  private void signal(String sig) {
    if (ProcessIdentity.isSame(pid, startTime)) {
      try {
        new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
      } catch (IOException e) {
        // the group signal the task manager sends first is what matters
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public OutputStream getOutputStream() {
    return OutputStream.nullOutputStream();
  }

  @Override
  public InputStream getInputStream() {
    return InputStream.nullInputStream();
  }

  @Override
  public InputStream getErrorStream() {
    return InputStream.nullInputStream();
  }
}
