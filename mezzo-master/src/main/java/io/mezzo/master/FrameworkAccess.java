package io.mezzo.master;

import io.mezzo.core.auth.Principal;
import io.mezzo.core.auth.Role;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.scheduler.Call;
import io.mezzo.master.state.FrameworkEntry;

/**
 * What a framework principal may do with the scheduler API, beyond reaching its route: SUBSCRIBE
 * only as itself ({@code framework_info.principal} = its name) with roles among its
 * {@code frameworkRoles}, and every call only for frameworks it subscribed. So one framework cannot
 * kill, accept, decline, reconcile or take over another's tasks and offers. Admin principals (and
 * {@link Principal#ANYONE} on a server without credentials) act for any framework, as Mesos's
 * superusers do. Refusals throw {@link Principal.Forbidden} (403) naming the principal, the field and
 * what was expected. Stateless; {@link #checkOwner} runs on the master loop, which owns the entries.
 */
final class FrameworkAccess {
  private FrameworkAccess() {}

  /** SUBSCRIBE's {@code framework_info}, checked on the HTTP thread before the loop sees it. */
  static void checkSubscribe(Principal who, Call call) {
    if (who.role() == Role.ADMIN || call.subscribe() == null || call.subscribe().frameworkInfo() == null) {
      return; // the loop answers a missing framework_info with a 400
    }
    FrameworkInfo info = call.subscribe().frameworkInfo();
    if (!who.name().equals(info.principal())) {
      throw new Principal.Forbidden("subscribe.framework_info.principal: " + quote(info.principal())
          + " (expected: '" + who.name() + "', the principal whose token was sent)");
    }
    for (String role : FrameworkEntry.rolesOf(info)) {
      if (!who.frameworkRoles().contains(role)) {
        throw new Principal.Forbidden("subscribe.framework_info.roles: '" + role + "' (expected: one of "
            + new java.util.TreeSet<>(who.frameworkRoles()) + ", the roles of principal '" + who.name() + "')");
      }
    }
  }

  /**
   * A call for framework {@code f} (null when it is unknown: the loop answers that itself); refuses
   * when it belongs to another principal. Runs on the master loop.
   */
  static void checkOwner(Principal who, FrameworkEntry f, Call.Type type) {
    if (who.role() == Role.ADMIN || f == null) {
      return;
    }
    String owner = f.info.principal();
    if (!who.name().equals(owner)) {
      throw new Principal.Forbidden("principal '" + who.name() + "' may not " + type + " for framework " + f.id
          + " (expected: a framework subscribed by '" + who.name() + "'; it belongs to " + quote(owner) + ")");
    }
  }

  private static String quote(String s) {
    return s == null ? "none" : "'" + s + "'";
  }
}
