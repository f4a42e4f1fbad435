package io.mezzo.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What cgroups a machine mounts under {@code root} (normally {@code /sys/fs/cgroup}), as {@code mezzo
 * doctor} reports it: the layout ({@code v2}: the unified hierarchy at the root; {@code hybrid}: v1
 * controllers with a v2 hierarchy at {@code unified/}; {@code v1}; {@code none}), the controllers a v2
 * hierarchy offers, and the v1 controllers mounted with whether this user may write them. Reads the
 * file system once in {@link #detect}; immutable after.
 */
record CgroupLayout(String layout, Path v2Root, List<String> v2Controllers, boolean v2Writable,
    List<String> v1Controllers, List<String> v1Writable) {
  CgroupLayout {
    v2Controllers = List.copyOf(v2Controllers);
    v1Controllers = List.copyOf(v1Controllers);
    v1Writable = List.copyOf(v1Writable);
  }

  static CgroupLayout detect(Path root) {
    Path v2 = Files.isRegularFile(root.resolve("cgroup.controllers")) ? root
        : Files.isRegularFile(root.resolve("unified/cgroup.controllers")) ? root.resolve("unified") : null;
    List<String> v2Controllers = new ArrayList<>();
    boolean v2Writable = false;
    if (v2 != null) {
      try {
        String offered = Files.readString(v2.resolve("cgroup.controllers")).strip();
        if (!offered.isEmpty()) {
          v2Controllers.addAll(List.of(offered.split("\\s+")));
        }
      } catch (IOException e) {
        // unreadable: offers nothing we can use
      }
      v2Writable = Files.isWritable(v2.resolve("cgroup.subtree_control"));
    }
    List<String> v1 = new ArrayList<>();
    List<String> v1Writable = new ArrayList<>();
    if (v2 != root && Files.isDirectory(root)) {
      try (Stream<Path> dirs = Files.list(root)) {
        dirs.filter(d -> !d.getFileName().toString().equals("unified"))
            .filter(d -> Files.isRegularFile(d.resolve("cgroup.procs")) && !Files.isSymbolicLink(d))
            .map(d -> d.getFileName().toString()).sorted().forEach(c -> {
              v1.add(c);
              if (Files.isWritable(root.resolve(c))) {
                v1Writable.add(c);
              }
            });
      } catch (IOException e) {
        // unreadable root: no v1 controllers we can use
      }
    }
    String layout = v2 == root ? "v2" : v2 != null && !v1.isEmpty() ? "hybrid" : !v1.isEmpty() ? "v1"
        : v2 != null ? "v2" : "none";
    return new CgroupLayout(layout, v2, v2Controllers, v2Writable, v1, v1Writable);
  }

  /** {@code hybrid: v1 cpu, memory, pids (writable: cpu, memory, pids); v2 at /sys/fs/cgroup/unified offers none}. */
  String describe() {
    if (layout.equals("none")) {
      return "no cgroups mounted";
    }
    List<String> parts = new ArrayList<>();
    if (!v1Controllers.isEmpty()) {
      parts.add("v1 " + String.join(", ", v1Controllers) + " (writable: "
          + (v1Writable.isEmpty() ? "none" : String.join(", ", v1Writable)) + ")");
    }
    if (v2Root != null) {
      parts.add("v2 at " + v2Root + " offers " + (v2Controllers.isEmpty() ? "no controller" : String.join(", ", v2Controllers))
          + (v2Writable ? " (writable)" : " (not writable)"));
    }
    return layout + ": " + String.join("; ", parts);
  }
}
