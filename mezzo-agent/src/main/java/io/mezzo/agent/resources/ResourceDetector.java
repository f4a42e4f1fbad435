package io.mezzo.agent.resources;

import io.mezzo.core.model.RangeSet;
import io.mezzo.core.model.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Works out what an agent offers when it is not told, as the Mesos agent does: every processor,
 * physical memory less {@code min(1 GiB, half)} for the system, free disk of the work directory less
 * {@code min(5 GiB, half)}, and ports {@code [31000-32000]}.
 *
 * <p>{@link #compute} is pure (tests feed it numbers); {@link #detect} reads the machine. Stateless and
 * thread-safe.
 */
public final class ResourceDetector {
  /** The port range Mesos agents offer by default. */
  public static final RangeSet DEFAULT_PORTS = RangeSet.range(31000, 32000);

  private ResourceDetector() {}

  /** Detects the machine's resources; {@code workDir} must exist (its file system gives the disk). */
  public static Resources detect(Path workDir) {
    long memBytes = physicalMemoryBytes();
    long diskBytes;
    try {
      diskBytes = Files.getFileStore(workDir).getUsableSpace();
    } catch (IOException e) {
      throw new UncheckedIOException("workDir: cannot read the free space of " + workDir + ": " + e.getMessage(), e);
    }
    return compute(Runtime.getRuntime().availableProcessors(), memBytes / (1024 * 1024), diskBytes / (1024 * 1024));
  }

  /** The advertised resources for a machine with these totals (memory and disk in MB). */
  public static Resources compute(int processors, long memMb, long diskMb) {
    long mem = memMb - Math.min(1024, memMb / 2);
    long disk = diskMb - Math.min(5120, diskMb / 2);
    return new Resources.Builder()
        .scalar("cpus", processors)
        .scalar("mem", Math.max(0, mem))
        .scalar("disk", Math.max(0, disk))
        .ranges("ports", DEFAULT_PORTS)
        .build();
  }

  private static long physicalMemoryBytes() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    // Not a HotSpot-style JVM: fall back to /proc/meminfo ("MemTotal:  24683876 kB").
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // reported below
    }
    throw new IllegalStateException("resources: cannot detect physical memory (expected: give them, such as mem:8192)");
  }
}
