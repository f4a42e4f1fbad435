package io.mezzo.cli;

/**
 * One line of {@code mezzo doctor}: what was checked, how it went, what was found and, unless it went
 * well, what to do about it. Immutable.
 *
 * @param name a short name ({@code java}, {@code cgroups}, {@code ports}, ...)
 * @param status {@code OK}, {@code WARN} (works, but not as well as it could), {@code FAIL} (will not
 *     work until fixed) or {@code SKIP} (not checked, and why)
 * @param detail what was found
 * @param advice what to do next, or null when there is nothing to do
 */
record Check(String name, Status status, String detail, String advice) {
  /** How a check went; only {@code FAIL} makes {@code mezzo doctor} exit 1. */
  enum Status { OK, WARN, FAIL, SKIP }

  Check {
    if (name == null || status == null || detail == null) {
      throw new IllegalArgumentException("BUG: check " + name + " without a status or detail");
    }
  }

  static Check ok(String name, String detail) {
    return new Check(name, Status.OK, detail, null);
  }

  static Check warn(String name, String detail, String advice) {
    return new Check(name, Status.WARN, detail, advice);
  }

  static Check fail(String name, String detail, String advice) {
    return new Check(name, Status.FAIL, detail, advice);
  }

  static Check skip(String name, String detail) {
    return new Check(name, Status.SKIP, detail, null);
  }
}
