package io.mezzo.core.model;

/**
 * Identifier records in the Mesos v1 JSON shape ({@code {"value": "..."}}).
 *
 * <p>Each id is a distinct type so that an agent id can never be passed where a task id is expected.
 * Ids are validated when built: non-empty, at most 255 characters, no control characters and no
 * {@code /} (ids become sandbox directory and ZooKeeper node names).
 */
public final class Ids {
  private Ids() {}

  static String check(String kind, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(kind + ".value: empty (expected: a non-empty id)");
    }
    if (value.length() > 255) {
      throw new IllegalArgumentException(
          kind + ".value: " + value.length() + " characters (expected: <= 255)");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '/' || (i == 0 && c == '.')) {
        throw new IllegalArgumentException(
            kind + ".value: '" + value + "' (expected: no '/', control characters or leading '.')");
      }
    }
    return value;
  }
}
