package io.mezzo.agent.isolation;

/**
 * What one task's container is held to: {@code cpus} (shares, and a hard CFS quota when
 * {@code hardCpu}) and {@code memBytes} (the task's {@code mem} plus the configured headroom; 0 means
 * no memory limit). Immutable.
 */
public record Limits(double cpus, long memBytes, boolean hardCpu) {
  public Limits {
    if (!(cpus >= 0) || Double.isInfinite(cpus)) {
      throw new IllegalArgumentException("cpus: " + cpus + " (expected: a finite number >= 0)");
    }
    if (memBytes < 0) {
      throw new IllegalArgumentException("memBytes: " + memBytes + " (expected: >= 0)");
    }
  }

  /** cgroups v1 {@code cpu.shares}: 1024 per cpu, at least 2 (the kernel's minimum), as Mesos does. */
  public long shares() {
    return Math.max(2, (long) (cpus * 1024));
  }

  /** CFS quota in microseconds per {@link #CFS_PERIOD_US}, at least 1 ms (the kernel's minimum). */
  public long cfsQuotaUs() {
    return Math.max(1000, (long) (cpus * CFS_PERIOD_US));
  }

  public static final long CFS_PERIOD_US = 100_000;
}
