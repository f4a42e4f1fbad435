package io.mezzo.agent.gc;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Decides which sandboxes to delete, the Mesos way: a sandbox whose task the agent no longer tracks
 * is kept for the GC delay after it was last written, and disk pressure shortens that delay to
 * {@code gcDelay * max(0, 1 - headroom - diskUsage)} (Mesos {@code --gc_delay}, {@code
 * --gc_disk_headroom}), so that a full disk removes every untracked sandbox at once. A sandbox of a
 * tracked task (running, or terminal with its update not yet acknowledged) is never chosen, however
 * old it is and however full the disk.
 *
 * <p>Pure: no I/O, no clock; the caller passes the time, the disk usage and what it found on disk.
 */
public final class SandboxGc {
  /** Mesos's default {@code --gc_disk_headroom}. */
  public static final double DEFAULT_DISK_HEADROOM = 0.1;

  private SandboxGc() {}

  /** A run directory found on disk and the last time anything in it was written. */
  public record Candidate(Path sandbox, Instant lastModified) {}

  /**
   * How old an untracked sandbox may get at {@code diskUsage} (0..1, the used fraction of the work
   * directory's file system).
   */
  public static Duration maxAge(Duration gcDelay, double diskUsage, double headroom) {
    if (diskUsage < 0 || diskUsage > 1 || Double.isNaN(diskUsage)) {
      throw new IllegalArgumentException("diskUsage: " + diskUsage + " (expected: 0..1)");
    }
    double factor = Math.max(0.0, 1.0 - headroom - diskUsage);
    return Duration.ofNanos((long) (gcDelay.toNanos() * Math.min(1.0, factor)));
  }

  /** The candidates to delete now: untracked ones last written at least {@code maxAge} ago. */
  public static List<Path> select(List<Candidate> found, Set<Path> tracked, Instant now, Duration maxAge) {
    Instant cutoff = now.minus(maxAge);
    List<Path> out = new ArrayList<>();
    for (Candidate c : found) {
      if (!tracked.contains(c.sandbox()) && !c.lastModified().isAfter(cutoff)) {
        out.add(c.sandbox());
      }
    }
    return out;
  }
}
