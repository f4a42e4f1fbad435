package io.mezzo.autoscaler.runtime;

import com.fasterxml.jackson.core.JsonPointer;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where an app-defined metric (any name but the built-in ones) comes from, named by one of the app's
 * labels:
 * <ul>
 *   <li>{@code mezzo.autoscale.prometheus.NAME}: {@code AGG PORT_INDEX PATH SERIES[{label="v",...}]},
 *       e.g. {@code avg 0 /metrics sample_requests_in_flight{path="/"}}: each ready instance's
 *       {@code http://host:ports[PORT_INDEX]PATH} is read in the Prometheus text format and the matching
 *       samples summed; {@code avg} gives the per-instance average over the instances that answered,
 *       {@code sum} the app-wide total (compared as a whole, as HPA's External {@code Value} targets);
 *   <li>{@code mezzo.autoscale.json.NAME}: {@code URL POINTER}, e.g.
 *       {@code http://queue.local:9000/stats /queues/jobs/depth}: an app-wide value, the number at the
 *       JSON pointer of the document at the URL.
 * </ul>
 * Immutable; {@link #fromLabels} is pure.
 */
sealed interface MetricSource {
  String PROMETHEUS_LABEL = "mezzo.autoscale.prometheus.";
  String JSON_LABEL = "mezzo.autoscale.json.";

  /** A per-instance Prometheus sample. */
  record Prometheus(boolean average, int portIndex, String path, String series, Map<String, String> filter)
      implements MetricSource {
    public Prometheus {
      filter = Map.copyOf(filter);
    }
  }

  /** An external JSON value. */
  record Json(URI url, JsonPointer pointer) implements MetricSource {}

  /**
   * The source of {@code metric} as {@code labels} name it, or null when none does.
   *
   * @throws IllegalArgumentException naming the label, its value and the expected shape
   */
  static MetricSource fromLabels(String metric, Map<String, String> labels) {
    String prom = labels.get(PROMETHEUS_LABEL + metric);
    if (prom != null) {
      return prometheus(PROMETHEUS_LABEL + metric, prom.strip());
    }
    String json = labels.get(JSON_LABEL + metric);
    if (json != null) {
      String[] parts = json.strip().split("\\s+");
      String expected = " (expected: URL POINTER, e.g. http://host:9000/stats /queue/depth)";
      if (parts.length != 2) {
        throw new IllegalArgumentException(JSON_LABEL + metric + ": \"" + json + "\"" + expected);
      }
      try {
        URI url = URI.create(parts[0]);
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
          throw new IllegalArgumentException("scheme");
        }
        return new Json(url, JsonPointer.compile(parts[1]));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(JSON_LABEL + metric + ": \"" + json + "\"" + expected);
      }
    }
    return null;
  }

  private static Prometheus prometheus(String label, String value) {
    String expected = " (expected: avg|sum PORT_INDEX PATH SERIES[{label=\"value\",...}], "
        + "e.g. avg 0 /metrics sample_requests_in_flight)";
    String[] parts = value.split("\\s+", 4);
    if (parts.length != 4 || !(parts[0].equals("avg") || parts[0].equals("sum")) || !parts[2].startsWith("/")) {
      throw new IllegalArgumentException(label + ": \"" + value + "\"" + expected);
    }
    int portIndex;
    try {
      portIndex = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(label + ": \"" + value + "\"" + expected);
    }
    String selector = parts[3].strip();
    int brace = selector.indexOf('{');
    Map<String, String> filter = new LinkedHashMap<>();
    String series = brace < 0 ? selector : selector.substring(0, brace);
    if (brace >= 0 && PrometheusText.labels(selector, brace + 1, filter) != selector.length()) {
      throw new IllegalArgumentException(label + ": \"" + value + "\"" + expected);
    }
    if (portIndex < 0 || series.isEmpty()) {
      throw new IllegalArgumentException(label + ": \"" + value + "\"" + expected);
    }
    return new Prometheus(parts[0].equals("avg"), portIndex, parts[2], series, filter);
  }
}
