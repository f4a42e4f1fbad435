package io.mezzo.core.auth;

import java.util.Set;

/**
 * Who made a request: a principal of the credentials file, {@link #ANYONE} when the server runs
 * without credentials (loopback only, or {@code --insecure}), or {@link #ANONYMOUS} on a public route
 * called without a valid token. Immutable.
 *
 * @param name the principal's name ({@code framework_info.principal} for frameworks)
 * @param role what it may do; null only for {@link #ANONYMOUS}
 * @param frameworkRoles for a framework principal, the Mesos roles its frameworks may subscribe with
 */
public record Principal(String name, Role role, Set<String> frameworkRoles) {
  /** Every request on a server without credentials: trusted as an admin (today's loopback behaviour). */
  public static final Principal ANYONE = new Principal("anyone", Role.ADMIN, Set.of());
  /** A caller without a valid token on a {@link Access#PUBLIC} route. */
  public static final Principal ANONYMOUS = new Principal("anonymous", null, Set.of());

  public Principal {
    frameworkRoles = Set.copyOf(frameworkRoles);
  }

  public boolean allows(Access level) {
    return level == Access.PUBLIC || (role != null && role.allows(level));
  }

  /**
   * Throws a 403-worthy {@link Forbidden} unless this principal reaches {@code level}; {@code what}
   * names the action in the message, such as {@code "POST /api/v1 UPDATE_QUOTA"}.
   */
  public void require(Access level, String what) {
    if (!allows(level)) {
      throw new Forbidden("principal '" + name + "' (role " + (role == null ? "none" : role.label()) + ") may not "
          + what + " (expected: role " + Role.reaching(level) + ")");
    }
  }

  /** A known caller asked for more than its role allows: answered with 403 and this message. */
  public static final class Forbidden extends RuntimeException {
    public Forbidden(String message) {
      super(message);
    }
  }
}
