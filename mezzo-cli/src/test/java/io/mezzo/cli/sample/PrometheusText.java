package io.mezzo.cli.sample;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: it refuses what a
 * Prometheus server would refuse (bad names, bad label syntax, unparsable values, a {@code TYPE} after
 * its samples or given twice) and checks histograms (cumulative buckets ending in {@code +Inf} equal to
 * {@code _count}). Immutable once parsed.
 */
public final class PrometheusText {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*=\\s*\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"\\s*(,|$)");
  private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;
  private final Map<String, String> types;

  private PrometheusText(List<Sample> samples, Map<String, String> types) {
    this.samples = List.copyOf(samples);
    this.types = Map.copyOf(types);
  }

  /** Parses {@code text}; throws {@link IllegalArgumentException} naming the line for anything malformed. */
  public static PrometheusText parse(String text) {
    List<Sample> samples = new ArrayList<>();
    Map<String, String> types = new HashMap<>();
    Set<String> seen = new HashSet<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String where = "line " + (i + 1) + " '" + line + "'";
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("#")) {
        String[] parts = line.split("\\s+", 4);
        if (parts.length >= 3 && parts[1].equals("TYPE")) {
          if (!NAME.matcher(parts[2]).matches() || parts.length != 4 || !TYPES.contains(parts[3].trim())) {
            throw new IllegalArgumentException(where + ": bad TYPE (expected: # TYPE name " + TYPES + ")");
          }
          if (types.put(parts[2], parts[3].trim()) != null || seen.contains(parts[2])) {
            throw new IllegalArgumentException(where + ": TYPE given twice or after its samples");
          }
        } else if (parts.length >= 3 && parts[1].equals("HELP") && !NAME.matcher(parts[2]).matches()) {
          throw new IllegalArgumentException(where + ": bad metric name in HELP");
        }
        continue;
      }
      Sample s = sample(line, where);
      seen.add(family(s.name(), types));
      samples.add(s);
    }
    PrometheusText parsed = new PrometheusText(samples, types);
    parsed.checkHistograms();
    return parsed;
  }

  private static Sample sample(String line, String where) {
    Matcher name = NAME.matcher(line);
    if (!name.lookingAt()) {
      throw new IllegalArgumentException(where + ": bad metric name");
    }
    int at = name.end();
    Map<String, String> labels = new LinkedHashMap<>();
    if (at < line.length() && line.charAt(at) == '{') {
      int close = closingBrace(line, at, where);
      String body = line.substring(at + 1, close);
      Matcher m = LABEL.matcher(body);
      int pos = 0;
      while (pos < body.length()) {
        if (!m.find(pos) || m.start() != pos) {
          throw new IllegalArgumentException(where + ": bad label syntax at '" + body.substring(pos) + "'");
        }
        if (labels.put(m.group(1), m.group(2).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\")) != null) {
          throw new IllegalArgumentException(where + ": label " + m.group(1) + " given twice");
        }
        pos = m.end();
      }
      at = close + 1;
    }
    if (at >= line.length() || !Character.isWhitespace(line.charAt(at))) {
      throw new IllegalArgumentException(where + ": expected a space and a value after the name");
    }
    String[] rest = line.substring(at).trim().split("\\s+");
    if (rest.length > 2 || rest[0].isEmpty()) {
      throw new IllegalArgumentException(where + ": expected a value (and an optional timestamp) after the name");
    }
    double value = switch (rest[0]) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> {
        try {
          yield Double.parseDouble(rest[0]);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(where + ": bad value '" + rest[0] + "'");
        }
      }
    };
    if (rest.length == 2 && !rest[1].matches("-?\\d+")) {
      throw new IllegalArgumentException(where + ": bad timestamp '" + rest[1] + "'");
    }
    return new Sample(line.substring(0, name.end()), labels, value);
  }

  private static int closingBrace(String line, int open, String where) {
    boolean quoted = false;
    for (int i = open + 1; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted && c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == '}' && !quoted) {
        return i;
      }
    }
    throw new IllegalArgumentException(where + ": unclosed '{'");
  }

  /** The family a sample belongs to: {@code x_bucket}, {@code x_sum}, {@code x_count} of a histogram {@code x}. */
  private static String family(String sample, Map<String, String> types) {
    for (String suffix : List.of("_bucket", "_sum", "_count")) {
      if (sample.endsWith(suffix)) {
        String base = sample.substring(0, sample.length() - suffix.length());
        if ("histogram".equals(types.get(base)) || "summary".equals(types.get(base))) {
          return base;
        }
      }
    }
    return sample;
  }

  private void checkHistograms() {
    for (Map.Entry<String, String> t : types.entrySet()) {
      if (!t.getValue().equals("histogram")) {
        continue;
      }
      String h = t.getKey();
      Map<Map<String, String>, TreeMap<Double, Double>> bySeries = new HashMap<>();
      for (Sample s : samples) {
        if (s.name().equals(h + "_bucket")) {
          String le = s.labels().get("le");
          if (le == null) {
            throw new IllegalArgumentException(h + "_bucket " + s.labels() + ": no 'le' label");
          }
          Map<String, String> series = new HashMap<>(s.labels());
          series.remove("le");
          double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
          bySeries.computeIfAbsent(series, k -> new TreeMap<>()).put(bound, s.value());
        }
      }
      for (Map.Entry<Map<String, String>, TreeMap<Double, Double>> e : bySeries.entrySet()) {
        double previous = 0;
        for (Map.Entry<Double, Double> b : e.getValue().entrySet()) {
          if (b.getValue() < previous) {
            throw new IllegalArgumentException(h + " " + e.getKey() + ": bucket le=" + b.getKey() + " holds "
                + b.getValue() + " (expected: >= " + previous + ", buckets are cumulative)");
          }
          previous = b.getValue();
        }
        if (e.getValue().lastKey() != Double.POSITIVE_INFINITY) {
          throw new IllegalArgumentException(h + " " + e.getKey() + ": no le=\"+Inf\" bucket");
        }
        double count = value(h + "_count", e.getKey());
        if (count != previous) {
          throw new IllegalArgumentException(h + " " + e.getKey() + ": _count " + count + " (expected: "
              + previous + ", the +Inf bucket)");
        }
      }
    }
  }

  public List<Sample> samples() {
    return samples;
  }

  /** The declared type of family {@code name}, or null. */
  public String type(String name) {
    return types.get(name);
  }

  /** The value of the sample named {@code name} with exactly {@code labels}, or NaN when there is none. */
  public double value(String name, Map<String, String> labels) {
    return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(labels))
        .mapToDouble(Sample::value).findFirst().orElse(Double.NaN);
  }

  /** {@link #value(String, Map)}, with labels as alternating names and values. */
  public double value(String name, String... labels) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i + 1 < labels.length; i += 2) {
      map.put(labels[i], labels[i + 1]);
    }
    return value(name, map);
  }
}
