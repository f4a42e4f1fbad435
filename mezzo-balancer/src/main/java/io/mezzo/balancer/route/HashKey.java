package io.mezzo.balancer.route;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a hashing route ({@code consistent_hash}) hashes to choose a backend: the client's address
 * (the default, HAProxy's {@code balance source}), a request header ({@code header:X-User}, HAProxy's
 * {@code hdr(X-User)}) or a cookie ({@code cookie:session}). A request without the header or cookie
 * is hashed by its client's address. Given by {@code MEZZO_LB_HASH_KEY_n}; tcp routes can only hash
 * the address. Immutable.
 *
 * @param kind where the key comes from
 * @param name the header or cookie name (null for the client address)
 */
public record HashKey(Kind kind, String name) {
  /** Where the key comes from. */
  public enum Kind {
    SOURCE,
    HEADER,
    COOKIE
  }

  /** The client's address. */
  public static final HashKey SOURCE = new HashKey(Kind.SOURCE, null);

  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final String EXPECTED = "(expected: source, header:NAME or cookie:NAME)";

  public HashKey {
    Objects.requireNonNull(kind, "kind");
    if (kind != Kind.SOURCE && (name == null || !TOKEN.matcher(name).matches())) {
      throw new IllegalArgumentException("hash key name: '" + name + "' (expected: a header or cookie name)");
    }
    if (kind == Kind.SOURCE) {
      name = null;
    }
  }

  /**
   * Parses a label value: {@code source}, {@code header:NAME} or {@code cookie:NAME}.
   *
   * @throws IllegalArgumentException naming the value and what was expected
   */
  public static HashKey parse(String value) {
    String v = value == null ? "" : value.trim();
    int colon = v.indexOf(':');
    String kind = (colon < 0 ? v : v.substring(0, colon)).toLowerCase(Locale.ROOT);
    String name = colon < 0 ? null : v.substring(colon + 1).trim();
    try {
      return switch (kind) {
        case "source" -> colon < 0 ? SOURCE : fail(value);
        case "header" -> new HashKey(Kind.HEADER, name);
        case "cookie" -> new HashKey(Kind.COOKIE, name);
        default -> fail(value);
      };
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + value + "' " + EXPECTED);
    }
  }

  private static HashKey fail(String value) {
    throw new IllegalArgumentException("'" + value + "' " + EXPECTED);
  }

  @Override
  public String toString() {
    return kind == Kind.SOURCE ? "source" : kind.name().toLowerCase(Locale.ROOT) + ":" + name;
  }
}
