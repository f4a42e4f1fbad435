package io.mezzo.autoscaler.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Reads samples out of the Prometheus text exposition format (version 0.0.4): the sum of the samples
 * of one series name whose labels include every pair of a filter ({@code sample_requests_total} with
 * {@code {status="200"}} adds up the matching paths). Comments, other series and malformed lines are
 * skipped; NaN and infinite samples are ignored. Pure and stateless.
 */
final class PrometheusText {
  private PrometheusText() {}

  /** The sum of the matching samples, or empty when none matches. */
  static OptionalDouble sum(String text, String name, Map<String, String> filter) {
    double sum = 0;
    boolean found = false;
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || !line.startsWith(name)) {
        continue;
      }
      int at = name.length();
      if (at < line.length() && line.charAt(at) != '{' && line.charAt(at) != ' ' && line.charAt(at) != '\t') {
        continue; // another series sharing the prefix (name_total vs name)
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (at < line.length() && line.charAt(at) == '{') {
        at = labels(line, at + 1, labels);
        if (at < 0) {
          continue;
        }
      }
      if (!labels.entrySet().containsAll(filter.entrySet())) {
        continue;
      }
      String[] rest = line.substring(at).strip().split("\\s+");
      if (rest.length == 0 || rest[0].isEmpty()) {
        continue;
      }
      try {
        double v = Double.parseDouble(rest[0]);
        if (Double.isFinite(v)) {
          sum += v;
          found = true;
        }
      } catch (NumberFormatException e) {
        // a malformed sample is not a value
      }
    }
    return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
  }

  /**
   * Parses {@code a="x",b="y"}} from {@code from} (just after the brace) into {@code into}; returns the
   * index after the closing brace, or -1 when malformed. Also used for a filter written as a selector.
   */
  static int labels(String s, int from, Map<String, String> into) {
    int i = from;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '}') {
        return i + 1;
      }
      if (c == ',' || c == ' ') {
        i++;
        continue;
      }
      int eq = s.indexOf('=', i);
      if (eq < 0 || eq + 1 >= s.length() || s.charAt(eq + 1) != '"') {
        return -1;
      }
      String key = s.substring(i, eq).strip();
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      for (; j < s.length() && s.charAt(j) != '"'; j++) {
        char v = s.charAt(j);
        if (v == '\\' && j + 1 < s.length()) {
          char n = s.charAt(++j);
          value.append(n == 'n' ? '\n' : n);
        } else {
          value.append(v);
        }
      }
      if (j >= s.length()) {
        return -1;
      }
      into.put(key, value.toString());
      i = j + 1;
    }
    return -1;
  }
}
