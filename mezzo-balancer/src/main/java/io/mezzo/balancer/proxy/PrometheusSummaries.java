package io.mezzo.balancer.proxy;

/**
 * Writes latency summaries in the Prometheus text format (0.0.4) as Micrometer's Prometheus registry
 * wrote its timers, so that {@code /metrics} keeps its series: {@code NAME{LABELS,quantile="0.5"}} (and
 * 0.9, 0.95, 0.99) in seconds, {@code NAME_count}, {@code NAME_sum} in seconds, and a gauge
 * {@code NAME_max} in seconds. A family with no series writes nothing.
 *
 * <p>Not thread-safe: one writer per scrape.
 */
final class PrometheusSummaries {
  private PrometheusSummaries() {}

  /** One family: {@link #summary} for each series, then {@link #end}. */
  static final class Writer {
    private final StringBuilder out;
    private final String name;
    private final String help;
    private final StringBuilder max = new StringBuilder();

    Writer(StringBuilder out, String name, String help) {
      this.out = out;
      this.name = name;
      this.help = help;
    }

    /** One series: {@code labels} as {@code a="x",b="y"} (escaped), and its figures. */
    void summary(String labels, LatencyWindow.Figures f) {
      if (max.length() == 0) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" summary\n");
      }
      quantile(labels, "0.5", f.p50());
      quantile(labels, "0.9", f.p90());
      quantile(labels, "0.95", f.p95());
      quantile(labels, "0.99", f.p99());
      out.append(name).append("_count{").append(labels).append("} ").append(f.count()).append('\n');
      out.append(name).append("_sum{").append(labels).append("} ").append(f.sumNanos() / 1e9).append('\n');
      max.append(name).append("_max{").append(labels).append("} ").append(f.max() / 1e6).append('\n');
    }

    private void quantile(String labels, String q, long micros) {
      out.append(name).append('{').append(labels).append(",quantile=\"").append(q).append("\"} ")
          .append(micros / 1e6).append('\n');
    }

    /** The {@code _max} gauges of the family's series. */
    void end() {
      if (max.length() > 0) {
        out.append("# HELP ").append(name).append("_max the longest in the window\n");
        out.append("# TYPE ").append(name).append("_max gauge\n");
        out.append(max);
      }
    }
  }

  /** A label value as the text format wants it: backslash, double quote and newline escaped. */
  static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
