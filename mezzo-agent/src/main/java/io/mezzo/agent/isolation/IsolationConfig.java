package io.mezzo.agent.isolation;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How the agent isolates and measures tasks. Validated when built; immutable.
 *
 * @param mode {@code auto} (cgroups v2 if usable, else v1, else posix), {@code cgroups} (v2 or v1,
 *     failing if neither), {@code cgroups/v2}, {@code cgroups/v1} or {@code posix}; Mesos' spellings
 *     {@code cgroups/cpu,cgroups/mem} and {@code posix/cpu,posix/mem} are read as {@code cgroups} and
 *     {@code posix}
 * @param memoryHeadroomBytes added to each task's {@code mem} to make its memory limit
 * @param enableCfs whether {@code cpus} is also a hard CFS quota (Mesos' {@code --cgroups_enable_cfs})
 * @param cgroupRoot where cgroup hierarchies are mounted, normally {@code /sys/fs/cgroup}
 * @param cgroupParent the cgroup under which each agent's containers are created
 * @param monitorInterval how often usage is sampled and memory limits checked
 */
public record IsolationConfig(
    String mode,
    long memoryHeadroomBytes,
    boolean enableCfs,
    Path cgroupRoot,
    String cgroupParent,
    Duration monitorInterval) {

  public static final List<String> MODES = List.of("auto", "cgroups", "cgroups/v2", "cgroups/v1", "posix");
  public static final Duration DEFAULT_MONITOR_INTERVAL = Duration.ofSeconds(1);

  public IsolationConfig {
    if ("cgroups/cpu,cgroups/mem".equals(mode) || "cgroups/mem,cgroups/cpu".equals(mode)) {
      mode = "cgroups";
    } else if ("posix/cpu,posix/mem".equals(mode) || "posix/mem,posix/cpu".equals(mode)) {
      mode = "posix";
    }
    if (mode == null || !MODES.contains(mode)) {
      throw new IllegalArgumentException("isolation: '" + mode + "' (expected: one of " + String.join(", ", MODES) + ")");
    }
    if (memoryHeadroomBytes < 0) {
      throw new IllegalArgumentException("memoryHeadroomBytes: " + memoryHeadroomBytes + " (expected: >= 0)");
    }
    if (cgroupRoot == null) {
      throw new IllegalArgumentException("cgroupRoot: missing (expected: where cgroups are mounted, such as /sys/fs/cgroup)");
    }
    if (cgroupParent == null || !cgroupParent.matches("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*") || cgroupParent.contains("..")) {
      throw new IllegalArgumentException("cgroupParent: '" + cgroupParent + "' (expected: a relative cgroup path such as mezzo)");
    }
    if (monitorInterval == null || monitorInterval.toMillis() < 10) {
      throw new IllegalArgumentException("monitorInterval: " + monitorInterval + " (expected: >= 10 ms)");
    }
  }

  /** {@code auto}, no headroom, no CFS quota, {@code /sys/fs/cgroup}, parent {@code mezzo}, 1 s sampling. */
  public static IsolationConfig defaults() {
    return new IsolationConfig("auto", 0, false, Path.of("/sys/fs/cgroup"), "mezzo", DEFAULT_MONITOR_INTERVAL);
  }

  public IsolationConfig withMode(String newMode) {
    return new IsolationConfig(newMode, memoryHeadroomBytes, enableCfs, cgroupRoot, cgroupParent, monitorInterval);
  }

  public IsolationConfig withMemoryHeadroomBytes(long bytes) {
    return new IsolationConfig(mode, bytes, enableCfs, cgroupRoot, cgroupParent, monitorInterval);
  }

  public IsolationConfig withEnableCfs(boolean enable) {
    return new IsolationConfig(mode, memoryHeadroomBytes, enable, cgroupRoot, cgroupParent, monitorInterval);
  }

  public IsolationConfig withMonitorInterval(Duration interval) {
    return new IsolationConfig(mode, memoryHeadroomBytes, enableCfs, cgroupRoot, cgroupParent, interval);
  }
}
