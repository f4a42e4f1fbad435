package io.mezzo.master;

/**
 * Mesos's rules for role names: {@code *}, or path components separated by {@code /}, none empty,
 * {@code .} or {@code ..}, none starting with {@code -}, and no whitespace, control characters or
 * backslashes. Stateless.
 */
final class RoleNames {
  private RoleNames() {}

  /** Null when {@code role} is valid, else what a valid role looks like (for an error message). */
  static String problem(String role) {
    if (role == null || role.isEmpty()) {
      return "a non-empty role name";
    }
    if (role.equals("*")) {
      return null;
    }
    for (String part : role.split("/", -1)) {
      if (part.isEmpty()) {
        return "no empty component between '/'";
      }
      if (part.equals(".") || part.equals("..")) {
        return "no '.' or '..' component";
      }
      if (part.startsWith("-")) {
        return "no component starting with '-'";
      }
      if (part.equals("*")) {
        return "'*' only as the whole role";
      }
      for (int i = 0; i < part.length(); i++) {
        char c = part.charAt(i);
        if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '\\') {
          return "no whitespace, control character or backslash";
        }
      }
    }
    return null;
  }
}
