package io.mezzo.services.store;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns ids into ZooKeeper node names and back. Letters, digits and {@code - _ . :} are kept; every
 * other character (the {@code /} of app ids first of all) becomes {@code %XX} per UTF-8 byte, as in a
 * URL; the names {@code .} and {@code ..}, which ZooKeeper forbids, become {@code %2E} and
 * {@code %2E%2E}. So {@code /prod/web} is stored as {@code %2Fprod%2Fweb}. Part of the stored format:
 * changing it needs a new format number. Pure; thread-safe.
 */
final class NodeNames {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private NodeNames() {}

  static String encode(String id) {
    if (id.isEmpty()) {
      throw new IllegalArgumentException("id: \"\" (expected: a non-empty id)");
    }
    if (id.equals(".") || id.equals("..")) {
      return id.replace(".", "%2E");
    }
    StringBuilder out = new StringBuilder(id.length() + 8);
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == ':') {
        out.append(c);
      } else {
        out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
      }
    }
    return out.toString();
  }

  static String decode(String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '%') {
        if (i + 2 >= name.length()) {
          throw new IllegalArgumentException("node name: \"" + name + "\" (expected: %XX escapes)");
        }
        int hi = Character.digit(name.charAt(i + 1), 16);
        int lo = Character.digit(name.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("node name: \"" + name + "\" (expected: %XX escapes)");
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
