package io.mezzo.agent.isolation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * cgroups v2 (the unified hierarchy): one cgroup per container at {@code <root>/<parent>/<containerId>},
 * with the {@code cpu}, {@code memory} and {@code pids} controllers enabled for {@code <parent>}'s
 * children.
 *
 * <p>Memory: {@code memory.max} (and {@code memory.swap.max} = 0); the kernel OOM-kills inside the
 * cgroup and counts it in {@code memory.events} {@code oom_kill}. Cpu: {@code cpu.weight} converted
 * from v1 shares as the kernel and systemd do ({@code 1 + (shares - 2) * 9999 / 262142}), and
 * {@code cpu.max} = quota and period when hard limits are on. Statistics: {@code cpu.stat}
 * ({@code user_usec}, {@code system_usec}, throttling) and {@code memory.stat} ({@code anon} as RSS),
 * {@code memory.current}.
 *
 * <p>Keeps only the containers whose removal failed; owner: the agent loop.
 */
final class CgroupsV2Isolator implements Isolator {
  private final Path parent;
  private final Clock clock;
  private final Set<String> unremoved = new LinkedHashSet<>();

  CgroupsV2Isolator(Path root, String parentName, Clock clock) {
    this.parent = root.resolve(parentName);
    this.clock = clock;
  }

  /**
   * Whether {@code root} is a usable unified hierarchy (its {@code cgroup.controllers} offers cpu,
   * memory and pids, and it is writable); empty if so, else why not.
   */
  static Optional<String> unusable(Path root) {
    Path controllers = root.resolve("cgroup.controllers");
    Optional<String> offered = CgroupFiles.read(controllers);
    if (offered.isEmpty()) {
      return Optional.of("no cgroups v2 hierarchy at " + root);
    }
    Set<String> have = Set.of(offered.get().split("\\s+"));
    for (String c : List.of("cpu", "memory", "pids")) {
      if (!have.contains(c)) {
        return Optional.of("cgroups v2 at " + root + " does not offer the '" + c + "' controller (it offers: '"
            + offered.get() + "'; the controllers are bound to cgroups v1)");
      }
    }
    if (!Files.isWritable(root.resolve("cgroup.subtree_control"))) {
      return Optional.of("cgroups v2 at " + root + " is not writable by this user");
    }
    return Optional.empty();
  }

  @Override
  public String name() {
    return "cgroups/v2";
  }

  @Override
  public List<Path> prepare(String containerId, Limits limits) throws IOException {
    if (!Files.isDirectory(parent)) {
      Files.createDirectories(parent);
    }
    // Controllers must be enabled on each level above the container; "+x" is idempotent.
    CgroupFiles.write(parent.getParent().resolve("cgroup.subtree_control"), "+cpu +memory +pids");
    CgroupFiles.write(parent.resolve("cgroup.subtree_control"), "+cpu +memory +pids");
    Path dir = Files.createDirectories(parent.resolve(containerId));
    if (limits.memBytes() > 0) {
      CgroupFiles.write(dir.resolve("memory.max"), Long.toString(limits.memBytes()));
      if (Files.exists(dir.resolve("memory.swap.max"))) {
        CgroupFiles.write(dir.resolve("memory.swap.max"), "0");
      }
    }
    CgroupFiles.write(dir.resolve("cpu.weight"), Long.toString(weight(limits.shares())));
    if (limits.hardCpu()) {
      CgroupFiles.write(dir.resolve("cpu.max"), limits.cfsQuotaUs() + " " + Limits.CFS_PERIOD_US);
    }
    return List.of(dir.resolve("cgroup.procs"));
  }

  /** v1 shares to v2 weight, the kernel's and systemd's conversion: [2, 262144] onto [1, 10000]. */
  static long weight(long shares) {
    long s = Math.min(262_144, Math.max(2, shares));
    return 1 + (s - 2) * 9999 / 262_142;
  }

  @Override
  public Optional<Usage> usage(String containerId, long pid, Limits limits) {
    Path dir = parent.resolve(containerId);
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    Map<String, Long> cpuStat = CgroupFiles.readKeyed(dir.resolve("cpu.stat"));
    Map<String, Long> memStat = CgroupFiles.readKeyed(dir.resolve("memory.stat"));
    Long user = cpuStat.get("user_usec");
    Long system = cpuStat.get("system_usec");
    Long throttled = cpuStat.get("throttled_usec");
    return Optional.of(new Usage(
        clock.millis() / 1000.0,
        user == null ? null : user / 1e6,
        system == null ? null : system / 1e6,
        null,
        memStat.get("anon"),
        CgroupFiles.readLong(dir.resolve("memory.current")).orElse(null),
        null,
        CgroupFiles.lines(dir.resolve("cgroup.procs")),
        CgroupFiles.lines(dir.resolve("cgroup.threads")),
        cpuStat.get("nr_periods"),
        cpuStat.get("nr_throttled"),
        throttled == null ? null : throttled / 1e6).withLimits(limits));
  }

  @Override
  public Optional<String> limitation(String containerId, long pid, Limits limits) {
    Path dir = parent.resolve(containerId);
    long kills = CgroupFiles.readKeyed(dir.resolve("memory.events")).getOrDefault("oom_kill", 0L);
    if (kills == 0) {
      return Optional.empty();
    }
    long peak = CgroupFiles.readLong(dir.resolve("memory.peak")).orElse(-1L);
    return Optional.of(CgroupsV1Isolator.memoryMessage(limits, peak));
  }

  @Override
  public void destroy(String containerId, long pid) {
    unremoved.add(containerId);
    unremoved.removeIf(id -> {
      Path dir = parent.resolve(id);
      if (Files.exists(dir.resolve("cgroup.kill"))) {
        try {
          CgroupFiles.write(dir.resolve("cgroup.kill"), "1");
        } catch (IOException e) {
          // killAndRemove signals each process instead
        }
      }
      return CgroupFiles.killAndRemove(dir);
    });
  }
}
