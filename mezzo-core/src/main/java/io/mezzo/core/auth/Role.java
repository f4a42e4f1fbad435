package io.mezzo.core.auth;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a principal in a credentials file is. {@code admin} reaches every {@link Access} level;
 * {@code operator} reaches operator and viewer; {@code viewer} only viewer; {@code agent} only the
 * agent API; {@code framework} the scheduler API (for its own frameworks and roles only, checked by
 * the master) and viewer reads.
 */
public enum Role {
  ADMIN(EnumSet.allOf(Access.class)),
  OPERATOR(EnumSet.of(Access.PUBLIC, Access.VIEWER, Access.OPERATOR)),
  VIEWER(EnumSet.of(Access.PUBLIC, Access.VIEWER)),
  AGENT(EnumSet.of(Access.PUBLIC, Access.AGENT)),
  FRAMEWORK(EnumSet.of(Access.PUBLIC, Access.VIEWER, Access.FRAMEWORK));

  private final Set<Access> allowed;

  Role(Set<Access> allowed) {
    this.allowed = allowed;
  }

  public boolean allows(Access level) {
    return allowed.contains(level);
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The roles that reach {@code level}, for messages such as "expected: role operator or admin". */
  public static String reaching(Access level) {
    StringBuilder out = new StringBuilder();
    for (Role r : values()) {
      if (r.allows(level)) {
        out.append(out.length() == 0 ? "" : " or ").append(r.label());
      }
    }
    return out.toString();
  }

  /** Parses a role name from a file; {@code field} names where it came from in the error. */
  public static Role parse(String field, String text) {
    for (Role r : values()) {
      if (r.label().equals(text)) {
        return r;
      }
    }
    throw new IllegalArgumentException(field + ": '" + text + "' (expected: one of "
        + Arrays.stream(values()).map(Role::label).toList() + ")");
  }
}
