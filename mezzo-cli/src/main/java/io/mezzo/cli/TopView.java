package io.mezzo.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Renders a {@link TopSnapshot} as the lines of one {@code mezzo top} frame: a title, the cluster line
 * (agents, cpus and mem used of total with percentages, frameworks, tasks), any problem with a source,
 * then a table of apps sorted by {@link Sort} (numbers largest first, missing ones last, ties by id),
 * every line cut to the terminal's width. Pure.
 */
final class TopView {
  private TopView() {}

  /** The sort keys of {@code --sort}. */
  enum Sort {
    id(null), instances(r -> (double) r.desired()), running(r -> (double) r.running()), rps(TopSnapshot.AppRow::rps),
    p95(TopSnapshot.AppRow::p95Ms), inflight(TopSnapshot.AppRow::inFlight), cpu(TopSnapshot.AppRow::cpuUsed),
    mem(TopSnapshot.AppRow::memUsedMb);

    private final Function<TopSnapshot.AppRow, Double> key;

    Sort(Function<TopSnapshot.AppRow, Double> key) {
      this.key = key;
    }

    Comparator<TopSnapshot.AppRow> comparator() {
      Comparator<TopSnapshot.AppRow> byId = Comparator.comparing(TopSnapshot.AppRow::id);
      if (key == null) {
        return byId;
      }
      return Comparator.comparing(key, Comparator.nullsLast(Comparator.<Double>reverseOrder())).thenComparing(byId);
    }
  }

  /** The frame's lines, each at most {@code width} characters; {@code footer} (may be null) ends the title. */
  static List<String> render(TopSnapshot s, Sort sort, int width, String footer) {
    List<String> lines = new ArrayList<>();
    lines.add("mezzo top  master " + s.master() + "  " + s.at() + (footer == null ? "" : "  " + footer));
    TopSnapshot.Cluster c = s.cluster();
    lines.add("agents " + c.agentsActive() + "/" + c.agents() + " active  cpus " + num(c.cpusUsed()) + "/"
        + num(c.cpusTotal()) + percent(c.cpusUsed(), c.cpusTotal()) + "  mem " + num(c.memUsedMb()) + "/"
        + num(c.memTotalMb()) + " MB" + percent(c.memUsedMb(), c.memTotalMb()) + "  frameworks " + c.frameworks()
        + "  tasks " + c.tasks() + "  apps " + s.apps().size());
    s.problems().forEach(p -> lines.add("! " + p));
    lines.add("");
    Table table = new Table("APP", "DESIRED", "RUNNING", "HEALTHY", "STAGED", "REQ/S", "P95_MS", "IN_FLIGHT", "CPU",
        "MEM_MB", "AUTOSCALE");
    s.apps().stream().sorted(sort.comparator()).forEach(r -> table.row(r.id() + (r.deploying() ? "*" : ""),
        r.desired(), r.running(), r.healthy() == null ? "-" : r.healthy() + "/" + r.desired(), r.staged(),
        num(r.rps()), num(r.p95Ms()), num(r.inFlight()), num(r.cpuUsed()), num(r.memUsedMb()),
        r.autoscaleDesired() == null ? "-" : "-> " + r.autoscaleDesired()));
    lines.addAll(table.render());
    if (s.apps().stream().anyMatch(TopSnapshot.AppRow::deploying)) {
      lines.add("* a deployment is in progress");
    }
    return lines.stream().map(l -> l.length() > width ? l.substring(0, Math.max(0, width)) : l).toList();
  }

  /** {@code 12}, {@code 0.25}, {@code 3.1}: up to 3 significant digits past the point; {@code -} for none. */
  static String num(Double v) {
    if (v == null || v.isNaN()) {
      return "-";
    }
    double a = Math.abs(v);
    String s = a >= 100 || a == Math.rint(a) ? String.format(Locale.ROOT, "%.0f", v)
        : a >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    if (s.contains(".")) {
      s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return s;
  }

  private static String percent(double used, double total) {
    return total <= 0 ? "" : " (" + Math.round(100 * used / total) + "%)";
  }

  /**
   * The terminal's width: {@code --width} when given (> 0), else {@code $COLUMNS}, else the columns
   * {@code stty size} printed ({@code "ROWS COLS"}, null when it could not run), else 120.
   */
  static int width(int flag, String columnsEnv, String sttySize) {
    if (flag > 0) {
      return flag;
    }
    Integer cols = positive(columnsEnv);
    if (cols != null) {
      return cols;
    }
    if (sttySize != null) {
      String[] parts = sttySize.strip().split("\\s+");
      if (parts.length == 2) {
        cols = positive(parts[1]);
        if (cols != null) {
          return cols;
        }
      }
    }
    return 120;
  }

  /** The terminal's height from {@code stty size} ({@code "ROWS COLS"}); unbounded when unknown. */
  static int rows(String sttySize) {
    Integer rows = sttySize == null ? null : positive(sttySize.strip().split("\\s+")[0]);
    return rows == null ? Integer.MAX_VALUE : rows;
  }

  private static Integer positive(String s) {
    if (s == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(s.strip());
      return n > 0 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
