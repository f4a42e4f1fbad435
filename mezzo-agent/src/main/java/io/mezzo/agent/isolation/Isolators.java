package io.mezzo.agent.isolation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the isolator for {@link IsolationConfig#mode()} and says why. In {@code auto}: cgroups v2
 * when a unified hierarchy with the cpu, memory and pids controllers is mounted and writable (at the
 * cgroup root, or at {@code unified/} in a hybrid setup), else cgroups v1 when the memory, cpu,
 * cpuacct and pids hierarchies are mounted and a cgroup can be created in each, else posix. Stateless.
 */
public final class Isolators {
  private Isolators() {}

  /** The chosen isolator and the reason, for the agent's log. */
  public record Selection(Isolator isolator, String reason) {}

  /**
   * @throws IllegalStateException if the mode asks for cgroups that cannot be used here (the message
   *     says what is missing)
   */
  public static Selection select(IsolationConfig config, Clock clock) {
    List<String> why = new ArrayList<>();
    Path root = config.cgroupRoot();
    String mode = config.mode();
    if (mode.equals("auto") || mode.startsWith("cgroups") && !mode.equals("cgroups/v1")) {
      for (Path v2 : List.of(root, root.resolve("unified"))) {
        Optional<String> problem = CgroupsV2Isolator.unusable(v2);
        if (problem.isEmpty()) {
          return new Selection(new CgroupsV2Isolator(v2, config.cgroupParent(), clock),
              "cgroups v2 at " + v2 + " offers cpu, memory and pids and is writable");
        }
        why.add(problem.get());
      }
    }
    if (mode.equals("auto") || mode.equals("cgroups") || mode.equals("cgroups/v1")) {
      Optional<String> problem = CgroupsV1Isolator.unusable(root).or(() -> notWritable(root, config.cgroupParent()));
      if (problem.isEmpty()) {
        return new Selection(new CgroupsV1Isolator(root, config.cgroupParent(), clock),
            "cgroups v1 memory, cpu, cpuacct and pids are mounted under " + root + " and writable"
                + (why.isEmpty() ? "" : "; not v2: " + String.join("; ", why)));
      }
      why.add(problem.get());
    }
    if (!mode.equals("auto") && !mode.equals("posix")) {
      throw new IllegalStateException("isolation: '" + mode + "' cannot be used here: " + String.join("; ", why)
          + " (expected: a mode this machine supports, or auto or posix)");
    }
    return new Selection(new PosixIsolator(Path.of("/proc"), clock),
        mode.equals("posix") ? "posix was asked for" : "no usable cgroups: " + String.join("; ", why));
  }

  private static Optional<String> notWritable(Path root, String parent) {
    for (String c : List.of("memory", "cpu", "cpuacct", "pids")) {
      Path dir = root.resolve(c).resolve(parent);
      try {
        Files.createDirectories(dir);
      } catch (Exception e) {
        return Optional.of("cannot create cgroup " + dir + ": " + e.getMessage());
      }
    }
    return Optional.empty();
  }
}
