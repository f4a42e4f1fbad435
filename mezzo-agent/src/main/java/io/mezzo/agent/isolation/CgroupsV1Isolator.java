package io.mezzo.agent.isolation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * cgroups v1: one cgroup per container under {@code <root>/<controller>/<parent>/<containerId>} in the
 * {@code memory}, {@code cpu}, {@code cpuacct} and {@code pids} hierarchies (one directory when
 * {@code cpu} and {@code cpuacct} are co-mounted).
 *
 * <p>Memory: {@code memory.limit_in_bytes} (and {@code memory.memsw.limit_in_bytes} to the same value
 * where swap accounting exists, so the limit cannot be dodged by swapping); the kernel OOM-kills
 * inside the cgroup, which {@code oom_kill} in {@code memory.oom_control} records. Cpu:
 * {@code cpu.shares} = 1024 per cpu, plus {@code cpu.cfs_quota_us} per 100 ms period when hard limits
 * are on (Mesos' {@code --cgroups_enable_cfs}). Statistics: {@code cpuacct.stat} (in USER_HZ ticks,
 * 100 per second on Linux), {@code memory.stat} {@code total_rss} and {@code total_cache},
 * {@code memory.usage_in_bytes}, {@code cpu.stat} throttling.
 *
 * <p>Keeps only the set of containers whose removal failed, retried on each {@link #destroy}; owner:
 * the agent loop.
 */
final class CgroupsV1Isolator implements Isolator {
  static final double USER_HZ = 100.0;

  private final Path memory;
  private final Path cpu;
  private final Path cpuacct;
  private final Path pids;
  private final Clock clock;
  private final Set<String> unremoved = new LinkedHashSet<>();

  CgroupsV1Isolator(Path root, String parent, Clock clock) {
    this.memory = root.resolve("memory").resolve(parent);
    this.cpu = root.resolve("cpu").resolve(parent);
    this.cpuacct = root.resolve("cpuacct").resolve(parent);
    this.pids = root.resolve("pids").resolve(parent);
    this.clock = clock;
  }

  /** Whether the four controllers are mounted under {@code root}; empty if so, else why not. */
  static Optional<String> unusable(Path root) {
    for (String c : List.of("memory", "cpu", "cpuacct", "pids")) {
      if (!Files.isRegularFile(root.resolve(c).resolve("cgroup.procs"))) {
        return Optional.of("no cgroups v1 '" + c + "' hierarchy at " + root.resolve(c));
      }
    }
    return Optional.empty();
  }

  @Override
  public String name() {
    return "cgroups/v1";
  }

  @Override
  public List<Path> prepare(String containerId, Limits limits) throws IOException {
    List<Path> dirs = dirs(containerId);
    for (Path d : dirs) {
      Files.createDirectories(d);
    }
    Path mem = memory.resolve(containerId);
    if (limits.memBytes() > 0) {
      CgroupFiles.write(mem.resolve("memory.limit_in_bytes"), Long.toString(limits.memBytes()));
      Path memsw = mem.resolve("memory.memsw.limit_in_bytes");
      if (Files.exists(memsw)) {
        CgroupFiles.write(memsw, Long.toString(limits.memBytes()));
      }
    }
    Path c = cpu.resolve(containerId);
    CgroupFiles.write(c.resolve("cpu.shares"), Long.toString(limits.shares()));
    if (limits.hardCpu()) {
      CgroupFiles.write(c.resolve("cpu.cfs_period_us"), Long.toString(Limits.CFS_PERIOD_US));
      CgroupFiles.write(c.resolve("cpu.cfs_quota_us"), Long.toString(limits.cfsQuotaUs()));
    }
    List<Path> join = new ArrayList<>();
    dirs.forEach(d -> join.add(d.resolve("cgroup.procs")));
    return join;
  }

  @Override
  public Optional<Usage> usage(String containerId, long pid, Limits limits) {
    Path acct = cpuacct.resolve(containerId);
    Path mem = memory.resolve(containerId);
    if (!Files.isDirectory(acct) || !Files.isDirectory(mem)) {
      return Optional.empty();
    }
    Map<String, Long> times = CgroupFiles.readKeyed(acct.resolve("cpuacct.stat"));
    Map<String, Long> memStat = CgroupFiles.readKeyed(mem.resolve("memory.stat"));
    Map<String, Long> cpuStat = CgroupFiles.readKeyed(cpu.resolve(containerId).resolve("cpu.stat"));
    Long throttledNs = cpuStat.get("throttled_time");
    return Optional.of(new Usage(
        clock.millis() / 1000.0,
        times.containsKey("user") ? times.get("user") / USER_HZ : null,
        times.containsKey("system") ? times.get("system") / USER_HZ : null,
        null,
        memStat.get("total_rss"),
        CgroupFiles.readLong(mem.resolve("memory.usage_in_bytes")).orElse(null),
        null,
        CgroupFiles.lines(mem.resolve("cgroup.procs")),
        CgroupFiles.lines(pids.resolve(containerId).resolve("tasks")),
        cpuStat.get("nr_periods"),
        cpuStat.get("nr_throttled"),
        throttledNs == null ? null : throttledNs / 1e9).withLimits(limits));
  }

  @Override
  public Optional<String> limitation(String containerId, long pid, Limits limits) {
    Path mem = memory.resolve(containerId);
    long kills = CgroupFiles.readKeyed(mem.resolve("memory.oom_control")).getOrDefault("oom_kill", 0L);
    if (kills == 0) {
      return Optional.empty();
    }
    long peak = CgroupFiles.readLong(mem.resolve("memory.max_usage_in_bytes")).orElse(-1L);
    return Optional.of(memoryMessage(limits, peak));
  }

  @Override
  public void destroy(String containerId, long pid) {
    unremoved.add(containerId);
    unremoved.removeIf(id -> dirs(id).stream().allMatch(CgroupFiles::killAndRemove));
  }

  private List<Path> dirs(String containerId) {
    Set<Path> out = new LinkedHashSet<>();
    for (Path p : List.of(memory, cpu, cpuacct, pids)) {
      Path d = p.resolve(containerId);
      try {
        out.add(Files.exists(p) ? p.toRealPath().resolve(containerId) : d);
      } catch (IOException e) {
        out.add(d);
      }
    }
    return new ArrayList<>(out);
  }

  static String memoryMessage(Limits limits, long peakBytes) {
    return "Memory limit exceeded: the task used more than its limit of " + mib(limits.memBytes())
        + (peakBytes > 0 ? " (peak " + mib(peakBytes) + ")" : "") + " and was killed";
  }

  private static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }
}
