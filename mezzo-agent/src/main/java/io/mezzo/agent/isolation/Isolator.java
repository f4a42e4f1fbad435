package io.mezzo.agent.isolation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Holds each task to its resources and measures what it uses. A container is one task run, named by
 * a {@code containerId} unique on the agent (its sandbox's run id) and, once spawned, by the pid of its
 * main process, which is also its session and process group id.
 *
 * <p>Lifecycle: {@link #prepare} before spawning (the task's process joins the files it returns before
 * it execs, so nothing it forks escapes); {@link #usage} and {@link #limitation} while it runs and
 * once more when its main process exits; {@link #destroy} after that, which kills whatever is left and
 * removes the container. Implementations: {@code cgroups/v2}, {@code cgroups/v1}, {@code posix}
 * (measures from {@code /proc}; enforces memory by killing); see {@link Isolators#select}.
 *
 * <p>Called on the agent loop only; implementations keep no state beyond what they write to the
 * kernel, apart from containers still to be removed.
 */
public interface Isolator {
  /** {@code cgroups/v2}, {@code cgroups/v1} or {@code posix}. */
  String name();

  /**
   * Creates the container and applies {@code limits}; returns the {@code cgroup.procs} files the
   * task's process must write its pid to before it execs (none for posix).
   *
   * @throws IOException if the container cannot be created (the message names the file)
   */
  List<Path> prepare(String containerId, Limits limits) throws IOException;

  /** Samples the container's usage, limits included; empty once nothing of it can be read. */
  Optional<Usage> usage(String containerId, long pid, Limits limits);

  /**
   * Whether the container ran out of memory: the kernel OOM-killed a process of it (cgroups), or its
   * process tree's RSS is above its limit (posix). Empty if not; else the message for TASK_FAILED.
   */
  Optional<String> limitation(String containerId, long pid, Limits limits);

  /** Kills whatever is left in the container and removes it; retried later when the kernel is slow. */
  void destroy(String containerId, long pid);
}
