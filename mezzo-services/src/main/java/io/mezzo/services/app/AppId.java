package io.mezzo.services.app;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;

/**
 * Marathon's app id rules. An id is a path of segments separated by {@code /}; the leading segments
 * name groups. Each segment is lowercase letters, digits, dashes and dots, starting and ending with a
 * letter or digit on each side of a dot. A relative id is taken relative to the root group, and
 * {@code .} and {@code ..} segments are resolved, as Marathon does.
 */
public final class AppId {
  private static final Pattern SEGMENT =
      Pattern.compile("^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])$");

  private AppId() {}

  /**
   * The canonical absolute form of {@code raw}.
   *
   * @throws IllegalArgumentException naming the bad segment and the rule it breaks
   */
  public static String canonical(String raw) {
    if (raw.isBlank()) {
      throw new IllegalArgumentException("id: \"" + raw + "\" (expected: a non-empty path such as /group/app)");
    }
    Deque<String> parts = new ArrayDeque<>();
    for (String segment : raw.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (parts.pollLast() == null) {
          throw new IllegalArgumentException("id: \"" + raw + "\" (expected: no '..' above the root group)");
        }
        continue;
      }
      if (!SEGMENT.matcher(segment).matches()) {
        throw new IllegalArgumentException("id: \"" + raw + "\" has segment \"" + segment
            + "\" (expected: lowercase letters, digits, '-' and '.', matching " + SEGMENT.pattern() + ")");
      }
      parts.addLast(segment);
    }
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("id: \"" + raw + "\" (expected: a path naming an app, not the root group)");
    }
    return "/" + String.join("/", parts);
  }
}
