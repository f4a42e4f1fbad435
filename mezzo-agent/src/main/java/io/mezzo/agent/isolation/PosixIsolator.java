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
 * Stateless.
 */
final class PosixIsolator implements Isolator {
  private final Path proc;
  private final Clock clock;

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
    ProcTree.Totals t = ProcTree.totals(proc, pid);
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
    long rss = ProcTree.totals(proc, pid).rssBytes();
    return rss > limits.memBytes() ? Optional.of(CgroupsV1Isolator.memoryMessage(limits, rss)) : Optional.empty();
  }

  @Override
  public void destroy(String containerId, long pid) {
    // The agent kills the task's process group; there is nothing else to remove.
  }
}
