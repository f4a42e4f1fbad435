package io.mezzo.agent.isolation;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads {@code /proc/<pid>/stat} to measure a task's process tree without cgroups: every process
 * whose session id is the task's pid (each task runs in its own session, so this is everything it
 * forked that did not start a session of its own). Stateless.
 */
final class ProcTree {
  /** Linux reports times in USER_HZ ticks and RSS in pages; both are fixed on x86-64 and arm64. */
  static final long PAGE_SIZE = 4096;

  private ProcTree() {}

  /** One process: session id, cpu ticks, threads, RSS pages. */
  record Stat(long pid, long ppid, long session, long utimeTicks, long stimeTicks, long threads, long rssPages) {}

  /** Totals over every process of {@code session}. */
  record Totals(double userSecs, double systemSecs, long rssBytes, long processes, long threads) {}

  static Totals totals(List<Stat> all, long session) {
    long user = 0;
    long sys = 0;
    long rss = 0;
    long procs = 0;
    long threads = 0;
    for (Stat s : all) {
      if (s.session() == session) {
        user += s.utimeTicks();
        sys += s.stimeTicks();
        rss += s.rssPages();
        procs++;
        threads += s.threads();
      }
    }
    return new Totals(user / CgroupsV1Isolator.USER_HZ, sys / CgroupsV1Isolator.USER_HZ, rss * PAGE_SIZE, procs, threads);
  }

  static List<Stat> all(Path proc) {
    List<Stat> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path d : dirs) {
        try {
          parse(Files.readString(d.resolve("stat"))).ifPresent(out::add);
        } catch (IOException e) {
          // the process exited while we looked
        }
      }
    } catch (IOException e) {
      // no /proc: nothing to measure
    }
    return out;
  }

  /** Parses one {@code stat} line; the command name in parentheses may hold spaces and parentheses. */
  static Optional<Stat> parse(String line) {
    int close = line.lastIndexOf(')');
    int open = line.indexOf('(');
    if (open < 0 || close < 0) {
      return Optional.empty();
    }
    String[] f = line.substring(close + 2).trim().split("\\s+");
    // f[0] is field 3 (state): field n is f[n - 3].
    if (f.length < 22) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Stat(Long.parseLong(line.substring(0, open).trim()), Long.parseLong(f[1]),
          Long.parseLong(f[3]), Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[17]),
          Long.parseLong(f[21])));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
