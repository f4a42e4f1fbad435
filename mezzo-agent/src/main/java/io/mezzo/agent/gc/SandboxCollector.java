package io.mezzo.agent.gc;

import io.mezzo.agent.containerizer.Containerizer;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes old sandboxes ({@code workDir/frameworks/F/tasks/T/runs/R}) as {@link SandboxGc} decides,
 * every {@link #interval} on its own daemon thread {@code agent-gc}, then the {@code runs},
 * {@code tasks/T} and {@code frameworks/F} directories left empty. A run's age is the newest
 * modification time of the run directory and the files directly in it (the task's {@code stdout}
 * and {@code stderr} are written until it ends). Deletion never follows symbolic links. A sandbox
 * whose {@code task.pid} is still a live process is kept even when untracked (after an agent restart,
 * before its task is re-adopted), so GC never deletes the files of a running task.
 *
 * <p>Empty parents are removed on the agent loop ({@code agentLoop}), the thread that creates
 * sandboxes, so that a {@code runs} directory never vanishes under a launch creating a run in it.
 *
 * <p>The work directory is scanned before the agent's tracked sandboxes are asked for (on the agent
 * loop, through {@code tracked}), so a sandbox created between the two is always seen as tracked.
 * If the agent loop does not answer, nothing is deleted that round.
 *
 * <p>Owner of nothing but its thread; {@link #close} stops it. Time comes from the injected clock.
 */
public final class SandboxCollector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SandboxCollector.class);

  private final Path workDir;
  private final Duration gcDelay;
  private final Supplier<? extends CompletionStage<Set<Path>>> tracked;
  private final Clock clock;
  private final Executor agentLoop;
  private final ScheduledExecutorService thread;
  /** Rounds run and sandboxes removed since start, for the agent's meters (read from any thread). */
  private final java.util.concurrent.atomic.AtomicLong runs = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong removedTotal = new java.util.concurrent.atomic.AtomicLong();

  private SandboxCollector(Path workDir, Duration gcDelay, Supplier<? extends CompletionStage<Set<Path>>> tracked,
      Executor agentLoop, Clock clock) {
    this.workDir = workDir;
    this.agentLoop = agentLoop;
    this.gcDelay = gcDelay;
    this.tracked = tracked;
    this.clock = clock;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "agent-gc");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts collecting under {@code workDir} every {@link #interval(Duration)}.
   *
   * @param tracked the sandboxes of every task the agent tracks, computed on the agent loop
   * @param agentLoop the agent loop, where empty parent directories are removed
   */
  public static SandboxCollector start(Path workDir, Duration gcDelay,
      Supplier<? extends CompletionStage<Set<Path>>> tracked, Executor agentLoop, Clock clock) {
    SandboxCollector c = new SandboxCollector(workDir.toAbsolutePath().normalize(), gcDelay, tracked, agentLoop, clock);
    long ms = interval(gcDelay).toMillis();
    c.thread.scheduleWithFixedDelay(c::collectQuietly, ms, ms, TimeUnit.MILLISECONDS);
    return c;
  }

  /**
   * A tenth of the GC delay, between 100 ms and one minute (Mesos's {@code --disk_watch_interval}
   * default), so that short delays in tests are honoured closely and long ones cost one scan a minute.
   */
  public static Duration interval(Duration gcDelay) {
    long tenth = gcDelay.toMillis() / 10;
    return Duration.ofMillis(Math.max(100, Math.min(60_000, tenth)));
  }

  private void collectQuietly() {
    try {
      collect();
    } catch (RuntimeException e) {
      LOG.error("BUG: sandbox garbage collection failed", e);
    }
  }

  /** One round: scan, ask for tracked sandboxes, delete. Returns what was deleted. On the gc thread. */
  List<Path> collect() {
    runs.incrementAndGet();
    List<SandboxGc.Candidate> found = scan();
    if (found.isEmpty()) {
      return List.of();
    }
    Set<Path> live;
    try {
      live = normalize(tracked.get().toCompletableFuture().get(10, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.warn("sandbox gc skipped: cannot learn the tracked tasks: {}", e.toString());
      return List.of();
    }
    double usage = diskUsage();
    Duration maxAge = SandboxGc.maxAge(gcDelay, usage, SandboxGc.DEFAULT_DISK_HEADROOM);
    List<Path> doomed = SandboxGc.select(found, live, clock.instant(), maxAge);
    List<Path> removed = new ArrayList<>();
    for (Path sandbox : doomed) {
      if (processAlive(sandbox)) {
        // Untracked yet running: an agent restart has not re-adopted it (yet). Never delete under it.
        LOG.warn("sandbox gc: keeping {}: its task.pid is still running but the agent does not track it", sandbox);
        continue;
      }
      try {
        deleteTree(sandbox);
        removed.add(sandbox);
        removedTotal.incrementAndGet();
        LOG.info("sandbox gc: removed {} (disk {}% used, max age {})", sandbox, Math.round(usage * 100), maxAge);
        try {
          agentLoop.execute(() -> pruneEmptyParents(sandbox));
        } catch (RejectedExecutionException e) {
          // the agent is stopping; empty directories are pruned next time
        }
      } catch (IOException e) {
        LOG.warn("sandbox gc: cannot remove {}: {}", sandbox, e.toString());
      }
    }
    return removed;
  }

  /** Whether the sandbox's {@code task.pid} names a live process (a reused pid only delays deletion). */
  private static boolean processAlive(Path sandbox) {
    try {
      long pid = Long.parseLong(Files.readString(sandbox.resolve(Containerizer.PID_FILE)).strip());
      return pid > 1 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    } catch (IOException | NumberFormatException e) {
      return false; // never started, or not a pid: nothing runs there
    }
  }

  private List<SandboxGc.Candidate> scan() {
    List<SandboxGc.Candidate> out = new ArrayList<>();
    for (Path framework : dirs(workDir.resolve("frameworks"))) {
      for (Path task : dirs(framework.resolve("tasks"))) {
        for (Path run : dirs(task.resolve("runs"))) {
          Instant modified = lastModified(run);
          if (modified != null) {
            out.add(new SandboxGc.Candidate(run, modified));
          }
        }
      }
    }
    return out;
  }

  private static List<Path> dirs(Path dir) {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
      s.forEach(out::add);
    } catch (IOException e) {
      LOG.debug("sandbox gc: cannot list {}: {}", dir, e.toString());
    }
    return out;
  }

  private static Instant lastModified(Path run) {
    try {
      Instant newest = Files.getLastModifiedTime(run, LinkOption.NOFOLLOW_LINKS).toInstant();
      try (DirectoryStream<Path> s = Files.newDirectoryStream(run)) {
        for (Path p : s) {
          Instant t = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
          if (t.isAfter(newest)) {
            newest = t;
          }
        }
      }
      return newest;
    } catch (IOException e) {
      return null; // gone, or unreadable: left alone this round
    }
  }

  private double diskUsage() {
    try {
      FileStore store = Files.getFileStore(workDir);
      long total = store.getTotalSpace();
      return total <= 0 ? 0.0 : Math.min(1.0, Math.max(0.0, 1.0 - (double) store.getUsableSpace() / total));
    } catch (IOException e) {
      LOG.debug("sandbox gc: cannot read disk usage of {}: {}", workDir, e.toString());
      return 0.0;
    }
  }

  private static Set<Path> normalize(Set<Path> paths) {
    Set<Path> out = new HashSet<>();
    paths.forEach(p -> out.add(p.toAbsolutePath().normalize()));
    return out;
  }

  private static void deleteTree(Path root) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file); // a symbolic link is deleted, never followed
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        Files.deleteIfExists(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Removes runs/, tasks/T, tasks/ and frameworks/F above {@code sandbox} while they are empty. */
  private void pruneEmptyParents(Path sandbox) {
    Path dir = sandbox.getParent();
    Path stop = workDir.resolve("frameworks");
    while (dir != null && dir.startsWith(stop) && !dir.equals(stop)) {
      try {
        Files.delete(dir);
      } catch (IOException e) {
        return; // not empty (another run, or a new one being created), or gone
      }
      dir = dir.getParent();
    }
  }

  /** Collection rounds since start. Any thread. */
  public long runs() {
    return runs.get();
  }

  /** Sandboxes deleted since start. Any thread. */
  public long removed() {
    return removedTotal.get();
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
