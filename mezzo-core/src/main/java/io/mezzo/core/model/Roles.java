package io.mezzo.core.model;

/**
 * Role names and their hierarchy, as Mesos defines them: {@code *} is the default role; any other role
 * is one or more non-empty components separated by {@code /} ({@code eng/web}), where no component
 * is {@code .}, {@code ..} or {@code *}, starts with {@code -}, or holds whitespace or control
 * characters. {@code eng} is the parent of {@code eng/web} and an ancestor of {@code eng/web/api}.
 *
 * <p>Stateless; safe from any thread.
 */
public final class Roles {
  /** The default role: resources in it are unreserved and frameworks without a role use it. */
  public static final String DEFAULT = "*";

  private Roles() {}

  /** Returns {@code role} if it is a valid role name; otherwise throws naming the problem. */
  public static String validate(String role) {
    if (role == null || role.isEmpty()) {
      throw new IllegalArgumentException(
          "role: " + (role == null ? "missing" : "''") + " (expected: a role name such as 'eng' or 'eng/web')");
    }
    if (role.equals(DEFAULT)) {
      return role;
    }
    for (String component : role.split("/", -1)) {
      String problem = problem(component);
      if (problem != null) {
        throw new IllegalArgumentException(
            "role: '" + role + "' (expected: '/'-separated components, each " + problem + ")");
      }
    }
    return role;
  }

  private static String problem(String component) {
    if (component.isEmpty()) {
      return "non-empty";
    }
    if (component.equals(".") || component.equals("..") || component.equals("*")) {
      return "other than '.', '..' and '*'";
    }
    if (component.startsWith("-")) {
      return "not starting with '-'";
    }
    for (int i = 0; i < component.length(); i++) {
      char c = component.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        return "without whitespace or control characters";
      }
    }
    return null;
  }

  /** True when {@code role} is a valid role name. */
  public static boolean isValid(String role) {
    try {
      validate(role);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** True when {@code ancestor} is a strict ancestor of {@code role}: {@code eng} of {@code eng/web/api}. */
  public static boolean isAncestor(String ancestor, String role) {
    return role.length() > ancestor.length() + 1
        && role.startsWith(ancestor)
        && role.charAt(ancestor.length()) == '/'
        && !ancestor.equals(DEFAULT);
  }

  /** True when {@code ancestor} is {@code role} itself or one of its ancestors. */
  public static boolean isSelfOrAncestor(String ancestor, String role) {
    return ancestor.equals(role) || isAncestor(ancestor, role);
  }

  /** The parent of {@code role} ({@code eng} for {@code eng/web}), or null for a top-level role. */
  public static String parent(String role) {
    int slash = role.lastIndexOf('/');
    return slash < 0 ? null : role.substring(0, slash);
  }
}
