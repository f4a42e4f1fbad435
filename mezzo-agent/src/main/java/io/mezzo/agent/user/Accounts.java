package io.mezzo.agent.user;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Looks up this machine's users with {@code getent passwd NAME} (so that NSS sources such as LDAP
 * count, not only {@code /etc/passwd}), and this process's own account.
 *
 * <p>Stateless; each lookup blocks for one short-lived {@code getent} (milliseconds).
 */
public final class Accounts {
  private Accounts() {}

  /**
   * The user named {@code name}, or empty if there is none (or the name is not a user name). A name
   * made of digits is not read as a uid: the entry found must carry that very name.
   *
   * @throws IllegalStateException if {@code getent} cannot be run at all
   */
  public static Optional<Account> byName(String name) {
    if (!TaskUserConfig.isUserName(name)) {
      return Optional.empty();
    }
    return getent(name).filter(a -> a.name().equals(name));
  }

  /** This process's own account (its effective uid is the owner of {@code /proc/self}). */
  public static Account self() {
    try {
      int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      int gid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
      return new Account(System.getProperty("user.name", "uid " + uid), uid, gid);
    } catch (IOException | UnsupportedOperationException e) {
      throw new IllegalStateException("cannot read this process's uid from /proc/self: " + e, e);
    }
  }

  /** Parses one {@code passwd} line, {@code name:x:uid:gid:gecos:home:shell}. */
  static Optional<Account> parse(String line) {
    String[] f = line.strip().split(":", -1);
    if (f.length < 4) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Account(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3])));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<Account> getent(String name) {
    Process p;
    try {
      p = new ProcessBuilder(List.of("getent", "passwd", name))
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run getent to look up user '" + name + "': " + e.getMessage(), e);
    }
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("getent passwd " + name + " did not answer within 10 s");
      }
      // Exit 2: no such key. Anything else without output is treated the same way.
      return p.exitValue() == 0 ? out.lines().findFirst().flatMap(Accounts::parse) : Optional.empty();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read getent's answer for user '" + name + "': " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IllegalStateException("interrupted while looking up user '" + name + "'", e);
    }
  }
}
