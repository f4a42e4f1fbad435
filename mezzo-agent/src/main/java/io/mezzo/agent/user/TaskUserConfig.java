package io.mezzo.agent.user;

import java.util.regex.Pattern;

/**
 * Which users an agent runs its tasks as (Mesos's {@code --switch_user}, plus Mezzo's rule that tasks
 * never run as root unless allowed). Validated when built; immutable.
 *
 * @param switchUser true (the default, as Mesos): tasks run as their user, when the agent is root and
 *     so can switch; false: tasks run as the agent's own user
 * @param taskUser the user of tasks that ask for none, and of tasks asking for root when root is not
 *     allowed ({@code --task-user}, default {@link #DEFAULT_TASK_USER})
 * @param allowRootTasks whether a task asking for root (uid 0) gets it ({@code --allow-root-tasks})
 */
public record TaskUserConfig(boolean switchUser, String taskUser, boolean allowRootTasks) {
  /** The fallback user of an agent running as root. */
  public static final String DEFAULT_TASK_USER = "nobody";

  /** A POSIX-ish user name: what {@code getent passwd} may be asked about without being misread. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.-]{0,31}\\$?");

  public TaskUserConfig {
    if (taskUser == null) {
      taskUser = DEFAULT_TASK_USER;
    } else if (!isUserName(taskUser)) {
      throw new IllegalArgumentException("taskUser: '" + taskUser + "' (expected: a user name, such as nobody)");
    }
  }

  /** Switching on, {@code nobody} as the task user, root not allowed. */
  public static TaskUserConfig defaults() {
    return new TaskUserConfig(true, DEFAULT_TASK_USER, false);
  }

  public TaskUserConfig withSwitchUser(boolean on) {
    return new TaskUserConfig(on, taskUser, allowRootTasks);
  }

  public TaskUserConfig withTaskUser(String user) {
    return new TaskUserConfig(switchUser, user, allowRootTasks);
  }

  public TaskUserConfig withAllowRootTasks(boolean allow) {
    return new TaskUserConfig(switchUser, taskUser, allow);
  }

  /** Whether {@code name} has the shape of a user name (letters, digits, {@code _.-}; not starting with '-'). */
  static boolean isUserName(String name) {
    return name != null && NAME.matcher(name).matches();
  }
}
