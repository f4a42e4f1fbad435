package io.mezzo.cli;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, found simply: strings, label matchers ({@code {...}}),
 * ranges ({@code [5m]}), grouping lists ({@code by (...)}, {@code on (...)}, ...) and Grafana variables
 * ({@code $x}) are dropped; what is left that looks like a name, is not called as a function and is not
 * a keyword is a metric name. Enough for the example dashboard's expressions; not a PromQL parser.
 */
final class PromQlNames {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
      "group_right", "offset", "bool", "and", "or", "unless", "inf", "nan");

  private PromQlNames() {}

  static Set<String> of(String expr) {
    String e = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
        .replaceAll("\\{[^}]*}", " ")
        .replaceAll("\\[[^]]*]", " ")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
        .replaceAll("\\$\\{?[a-zA-Z_][a-zA-Z0-9_]*}?", " ");
    Set<String> out = new TreeSet<>();
    Matcher m = NAME.matcher(e);
    while (m.find()) {
      String name = m.group();
      int after = m.end();
      while (after < e.length() && Character.isWhitespace(e.charAt(after))) {
        after++;
      }
      boolean call = after < e.length() && e.charAt(after) == '(';
      boolean partOfNumber = m.start() > 0 && (Character.isDigit(e.charAt(m.start() - 1)) || e.charAt(m.start() - 1) == '.');
      if (!call && !partOfNumber && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        out.add(name);
      }
    }
    return out;
  }
}
