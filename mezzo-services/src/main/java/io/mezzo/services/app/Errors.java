package io.mezzo.services.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects validation messages per JSON pointer, and reads typed values from a tree, recording a
 * message (and returning the default) when a value has the wrong type or range. One instance per
 * validation; not thread-safe.
 */
final class Errors {
  private final Map<String, List<String>> byPath = new LinkedHashMap<>();

  void add(String path, String message) {
    byPath.computeIfAbsent(path, p -> new ArrayList<>()).add(message);
  }

  boolean isEmpty() {
    return byPath.isEmpty();
  }

  /** Whether nothing was reported at {@code path}. */
  boolean isEmpty(String path) {
    return !byPath.containsKey(path);
  }

  void throwIfAny() {
    if (!byPath.isEmpty()) {
      throw new AppValidationException(byPath);
    }
  }

  static String name(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  static boolean absent(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode();
  }

  double number(JsonNode node, String path, double dflt, double min) {
    if (absent(node)) {
      return dflt;
    }
    if (!node.isNumber()) {
      add(path, name(path) + ": " + node + " (expected: a number)");
      return dflt;
    }
    double value = node.doubleValue();
    if (value < min || Double.isNaN(value)) {
      add(path, name(path) + ": " + node + " (expected: >= " + min + ")");
    }
    return value;
  }

  long integer(JsonNode node, String path, long dflt, long min, long max) {
    if (absent(node)) {
      return dflt;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      add(path, name(path) + ": " + node + " (expected: an integer)");
      return dflt;
    }
    long value = node.longValue();
    if (value < min || value > max) {
      add(path, name(path) + ": " + value + " (expected: " + min + " to " + max + ")");
    }
    return value;
  }

  int integer(JsonNode node, String path, int dflt, int min) {
    return (int) integer(node, path, dflt, min, Integer.MAX_VALUE);
  }

  boolean bool(JsonNode node, String path, boolean dflt) {
    if (absent(node)) {
      return dflt;
    }
    if (!node.isBoolean()) {
      add(path, name(path) + ": " + node + " (expected: true or false)");
      return dflt;
    }
    return node.booleanValue();
  }

  String text(JsonNode node, String path, String dflt) {
    if (absent(node)) {
      return dflt;
    }
    if (!node.isTextual()) {
      add(path, name(path) + ": " + node + " (expected: a string)");
      return dflt;
    }
    return node.textValue();
  }

  /** A JSON object of strings, e.g. {@code labels}; non-string values are reported. */
  Map<String, String> stringMap(JsonNode node, String path) {
    Map<String, String> out = new LinkedHashMap<>();
    if (absent(node)) {
      return out;
    }
    if (!node.isObject()) {
      add(path, name(path) + ": " + node + " (expected: an object of strings)");
      return out;
    }
    node.properties().forEach(e -> {
      if (e.getValue().isTextual()) {
        out.put(e.getKey(), e.getValue().textValue());
      } else {
        add(path + "/" + e.getKey(), e.getKey() + ": " + e.getValue()
            + " (expected: a string" + (e.getValue().isObject() ? "; secrets are not supported by Mezzo" : "") + ")");
      }
    });
    return out;
  }

  /** The elements of an array (empty when absent); a non-array is reported. */
  List<JsonNode> array(JsonNode node, String path) {
    List<JsonNode> out = new ArrayList<>();
    if (absent(node)) {
      return out;
    }
    if (!node.isArray()) {
      add(path, name(path) + ": " + node + " (expected: an array)");
      return out;
    }
    node.forEach(out::add);
    return out;
  }
}
