package io.mezzo.agent.isolation;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The fallback where no cgroups can be used: nothing is set up; usage is measured from {@code /proc}
 * over the task's session ({@link ProcTree}), and the memory limit is enforced by reporting a
 * limitation, upon which the agent kills the task, once the tree's RSS is above it. Between two
 * samples a task can overshoot its limit, which the kernel would have prevented with cgroups.
 *
 * <p>One scan of {@code /proc} serves every task sampled within {@link #SCAN_REUSE_MS} of it, so a
 * monitor round costs one scan, not one per task. Owner of that cache: the agent loop.
 */
final class PosixIsolator implements Isolator {
  static final long SCAN_REUSE_MS = 100;

  private final Path proc;
  private final Clock clock;
  private List<ProcTree.Stat> scan = List.of();
  private long scannedAt;
  private boolean scanned;

  PosixIsolator(Path proc, Clock clock) {
    this.proc = proc;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "posix";
  }

  @Override
  public List<Path> prepare(String containerId, Limits limits) {
    return List.of();
  }

  @Override
  public Optional<Usage> usage(String containerId, long pid, Limits limits) {
    ProcTree.Totals t = ProcTree.totals(scan(), pid);
    if (t.processes() == 0) {
      return Optional.empty();
    }
    return Optional.of(new Usage(clock.millis() / 1000.0, t.userSecs(), t.systemSecs(), null, t.rssBytes(), null,
        null, t.processes(), t.threads(), null, null, null).withLimits(limits));
  }

  @Override
  public Optional<String> limitation(String containerId, long pid, Limits limits) {
    if (limits.memBytes() <= 0) {
      return Optional.empty();
    }
    long rss = ProcTree.totals(scan(), pid).rssBytes();
    return rss > limits.memBytes() ? Optional.of(CgroupsV1Isolator.memoryMessage(limits, rss)) : Optional.empty();
  }

  private List<ProcTree.Stat> scan() {
    long now = clock.millis();
    // A clock that went backwards, or an old scan, means scanning again.
    if (!scanned || now < scannedAt || now - scannedAt > SCAN_REUSE_MS) {
      scan = ProcTree.all(proc);
      scannedAt = now;
      scanned = true;
    }
    return scan;
  }

  @Override
  public void destroy(String containerId, long pid) {
    // The agent kills the task's process group; there is nothing else to remove.
  }
}
