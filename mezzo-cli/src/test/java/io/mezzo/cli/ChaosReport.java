package io.mezzo.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The chaos suite's report: one row per kind of fault, with how often it was injected, the failover
 * (or recovery) times measured for it, and the requests sent and failed through the load balancer
 * while it lasted. {@link #lines} renders the table, each line starting with {@code CHAOS} so that
 * {@code bench/chaos} and CI logs can pick it out. Not thread-safe: the test's thread fills it.
 */
final class ChaosReport {
  /**
   * One fault: its name, times injected, times measured (ms; may be empty), the longest wait (ms) for
   * every app to converge to its spec after it, and the load's figures.
   */
  record Row(String fault, int times, List<Long> timesMs, long convergeMs, long sent, long failed, String note) {
    long median() {
      List<Long> sorted = timesMs.stream().sorted().toList();
      int n = sorted.size();
      return n == 0 ? -1 : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    long max() {
      return timesMs.stream().mapToLong(Long::longValue).max().orElse(-1);
    }
  }

  private final List<Row> rows = new ArrayList<>();

  void add(String fault, int times, List<Long> timesMs, long convergeMs, LoadWindow load, String note) {
    rows.add(new Row(fault, times, List.copyOf(timesMs), convergeMs, load.sent(), load.failed(), note));
  }

  List<Row> rows() {
    return List.copyOf(rows);
  }

  /** The requests sent and failed through the load balancer over one part of the run. */
  record LoadWindow(long sent, long failed) {}

  /** The table, a header and a line per row, every line prefixed {@code CHAOS}. */
  List<String> lines() {
    List<String> out = new ArrayList<>();
    String format = "CHAOS %-40s %5s %9s %9s %11s %8s %6s  %s";
    out.add(String.format(Locale.ROOT, format, "fault", "times", "median_ms", "max_ms", "converge_ms", "lb_sent",
        "failed", "note"));
    for (Row r : rows) {
      out.add(String.format(Locale.ROOT, format, r.fault(), r.times(), r.timesMs().isEmpty() ? "-" : r.median(),
          r.timesMs().isEmpty() ? "-" : r.max(), r.convergeMs() < 0 ? "-" : r.convergeMs(), r.sent(), r.failed(),
          r.note()));
    }
    return out;
  }
}
