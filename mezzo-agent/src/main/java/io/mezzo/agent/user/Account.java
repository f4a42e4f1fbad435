package io.mezzo.agent.user;

/**
 * A user of this machine, as {@code getent passwd} gives it: what a task runs as.
 *
 * @param name the user name
 * @param uid its user id; 0 is root
 * @param gid its primary group id
 */
public record Account(String name, int uid, int gid) {
  public boolean isRoot() {
    return uid == 0;
  }

  @Override
  public String toString() {
    return name + " (uid " + uid + ")";
  }
}
