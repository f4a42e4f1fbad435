package io.mezzo.agent.isolation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Reading and writing cgroup control files, and emptying and removing cgroup directories, shared by
 * both cgroups isolators. Stateless.
 */
final class CgroupFiles {
  private CgroupFiles() {}

  static void write(Path file, String value) throws IOException {
    try {
      Files.writeString(file, value);
    } catch (IOException e) {
      throw new IOException("cannot write '" + value + "' to " + file + ": " + e.getMessage(), e);
    }
  }

  static Optional<String> read(Path file) {
    try {
      return Optional.of(Files.readString(file).trim());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static Optional<Long> readLong(Path file) {
    return read(file).flatMap(CgroupFiles::parseLong);
  }

  /** A flat-keyed file ({@code memory.stat}, {@code cpu.stat}, {@code cpuacct.stat}, {@code memory.events}). */
  static Map<String, Long> readKeyed(Path file) {
    Map<String, Long> out = new HashMap<>();
    read(file).ifPresent(text -> {
      for (String line : text.split("\n")) {
        String[] kv = line.trim().split("\\s+");
        if (kv.length == 2) {
          parseLong(kv[1]).ifPresent(v -> out.put(kv[0], v));
        }
      }
    });
    return out;
  }

  static List<Long> pids(Path procsFile) {
    List<Long> out = new ArrayList<>();
    read(procsFile).ifPresent(text -> text.lines().forEach(l -> parseLong(l.trim()).ifPresent(out::add)));
    return out;
  }

  static long lines(Path file) {
    return read(file).map(t -> t.isEmpty() ? 0L : t.lines().count()).orElse(0L);
  }

  /**
   * SIGKILLs every process left in {@code dir} and removes it; true when it is gone. A cgroup can only
   * be removed once its processes are reaped, which may take the kernel a few milliseconds.
   */
  static boolean killAndRemove(Path dir) {
    if (!Files.isDirectory(dir)) {
      return true;
    }
    for (int attempt = 0; attempt < 20; attempt++) {
      for (long pid : pids(dir.resolve("cgroup.procs"))) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
      try {
        Files.delete(dir);
        return true;
      } catch (IOException e) {
        try {
          TimeUnit.MILLISECONDS.sleep(5); // the kernel reaping killed processes; bounded to 100 ms
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return false;
  }

  private static Optional<Long> parseLong(String s) {
    try {
      return Optional.of(Long.parseLong(s));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
