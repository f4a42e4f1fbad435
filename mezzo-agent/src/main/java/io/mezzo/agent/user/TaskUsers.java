package io.mezzo.agent.user;

import io.mezzo.core.model.FrameworkId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which user each task runs as, as Mesos's agent does with {@code --switch_user}: the
 * command's {@code user}, else the framework's {@code FrameworkInfo.user}, else the configured task
 * user. Mezzo adds one rule: a task asking for root (uid 0) runs as the task user instead unless the
 * agent allows root tasks. A user this machine does not have fails the task, as in Mesos. An agent
 * that is not root cannot switch users: its tasks run as its own user, as do all tasks with
 * switching turned off. The switch itself is {@code setpriv --reuid --regid --init-groups} (util-linux),
 * run after the task has joined its cgroups, just before its command.
 *
 * <p>{@link #decide} is pure (the user lookup is passed in); an instance adds the accounts resolved
 * at start and logs a refused root request once per framework. Owner: the agent loop.
 */
public final class TaskUsers {
  private static final Logger LOG = LoggerFactory.getLogger(TaskUsers.class);

  /**
   * The user a task runs as.
   *
   * @param account who the command runs as
   * @param switched whether the agent switches to it (it differs from the agent's own user)
   * @param note for the task's status message when it is not the user the task asked for; else null
   */
  public record Choice(Account account, boolean switched, String note) {
    /** What goes before the command to run it as {@link #account}: {@code setpriv ... --}, or nothing. */
    public List<String> argvPrefix() {
      return switched
          ? List.of("setpriv", "--reuid=" + account.uid(), "--regid=" + account.gid(), "--init-groups", "--")
          : List.of();
    }
  }

  /** A choice, or why the task cannot run (then {@code choice} is null). */
  public record Decision(Choice choice, String failure, boolean rootRefused) {}

  private final TaskUserConfig config;
  private final Account agent;
  private final Account taskAccount;
  private final String host;
  private final Function<String, Optional<Account>> lookup;
  private final Set<FrameworkId> warned = new HashSet<>();

  private TaskUsers(TaskUserConfig config, Account agent, Account taskAccount, String host,
      Function<String, Optional<Account>> lookup) {
    this.config = config;
    this.agent = agent;
    this.taskAccount = taskAccount;
    this.host = host;
    this.lookup = lookup;
  }

  /**
   * Resolves {@code config} on this machine for an agent advertised as {@code host} with its work
   * directory at {@code workDir}, logging what tasks will run as.
   *
   * @throws IllegalArgumentException if switching is on, this process is root, and the task user does
   *     not exist or is root without {@code allowRootTasks}
   * @throws IllegalStateException if switching is on and {@code setpriv} cannot be run
   */
  public static TaskUsers start(TaskUserConfig config, String host, Path workDir) {
    Account self = Accounts.self();
    if (!config.switchUser() || !self.isRoot()) {
      LOG.info("tasks run as this agent's user {} ({})", self,
          config.switchUser() ? "the agent is not root, so it cannot switch users" : "--switch-user=false");
      return new TaskUsers(config, self, self, host, Accounts::byName);
    }
    Account fallback = Accounts.byName(config.taskUser()).orElseThrow(() -> new IllegalArgumentException(
        "taskUser: '" + config.taskUser() + "' does not exist on this machine (expected: an existing user, such as "
            + TaskUserConfig.DEFAULT_TASK_USER + ")"));
    if (fallback.isRoot() && !config.allowRootTasks()) {
      throw new IllegalArgumentException("taskUser: '" + config.taskUser() + "' is root (expected: an unprivileged "
          + "user, or allowRootTasks (--allow-root-tasks))");
    }
    requireSetpriv();
    warnIfUnreachable(workDir);
    warnIfUnreadable(System.getenv().getOrDefault("MEZZO_JAR", System.getProperty("java.class.path", "")));
    LOG.info("tasks run as their user (command, else framework), else {}; root tasks {}", fallback,
        config.allowRootTasks() ? "allowed" : "run as " + fallback.name());
    return new TaskUsers(config, self, fallback, host, Accounts::byName);
  }

  /** Whether tasks run as the users this chooses: switching is on and the agent is root. */
  public boolean enforces() {
    return config.switchUser() && agent.isRoot();
  }

  /** Whether a task (or a container image) may run as root ({@code --allow-root-tasks}). */
  public boolean allowsRoot() {
    return config.allowRootTasks();
  }

  /** The user the task asking for {@code commandUser} / {@code frameworkUser} (either may be null) runs as. */
  public Decision choose(FrameworkId framework, String commandUser, String frameworkUser) {
    Decision d = decide(commandUser, frameworkUser, config, agent, taskAccount, lookup, host);
    if (d.rootRefused() && warned.add(framework)) {
      LOG.warn("framework {} asked to run tasks as root; they run as {} (root tasks need --allow-root-tasks)",
          framework, taskAccount);
    }
    return d;
  }

  /**
   * What a task adopted after a restart runs as: the owner of its sandbox, which the agent made the
   * task's user when it launched it (so nothing about users needs checkpointing).
   */
  public Choice ofSandbox(Path sandbox) {
    try {
      int uid = (Integer) Files.getAttribute(sandbox, "unix:uid");
      int gid = (Integer) Files.getAttribute(sandbox, "unix:gid");
      String name = Files.getOwner(sandbox).getName();
      boolean switched = agent.isRoot() && uid != agent.uid();
      return new Choice(switched ? new Account(name, uid, gid) : agent, switched, null);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("cannot read the owner of sandbox {} ({}); its checks run as {}", sandbox, e.toString(), agent);
      return new Choice(agent, false, null);
    }
  }

  /**
   * The decision, purely from its inputs; see the class comment for the rules. {@code agent} is this
   * process's account, {@code taskAccount} the resolved task user, {@code lookup} finds users by name.
   */
  public static Decision decide(String commandUser, String frameworkUser, TaskUserConfig config, Account agent,
      Account taskAccount, Function<String, Optional<Account>> lookup, String host) {
    String asked = !isBlank(commandUser) ? commandUser : !isBlank(frameworkUser) ? frameworkUser : null;
    if (!config.switchUser() || !agent.isRoot()) {
      String note = asked == null || asked.equals(agent.name()) ? null
          : "Runs as '" + agent.name() + "', the agent's user, not '" + asked + "' ("
              + (config.switchUser() ? "the agent is not root and cannot switch users" : "--switch-user=false") + ")";
      return new Decision(new Choice(agent, false, note), null, false);
    }
    if (asked == null) {
      return new Decision(new Choice(taskAccount, taskAccount.uid() != agent.uid(), null), null, false);
    }
    Optional<Account> found = lookup.apply(asked);
    if (found.isEmpty()) {
      return new Decision(null, "user '" + asked + "' does not exist on agent " + host, false);
    }
    Account account = found.get();
    if (account.isRoot() && !config.allowRootTasks()) {
      return new Decision(new Choice(taskAccount, taskAccount.uid() != agent.uid(),
          "Runs as '" + taskAccount.name() + "', not '" + asked + "': this agent runs no task as root (expected: "
              + "--allow-root-tasks)"), null, true);
    }
    return new Decision(new Choice(account, account.uid() != agent.uid(), null), null, false);
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  private static void requireSetpriv() {
    try {
      Process p = new ProcessBuilder(List.of("setpriv", "--version"))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return;
      }
      p.destroyForcibly();
    } catch (IOException e) {
      // reported below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new IllegalStateException("switchUser: setpriv cannot be run (expected: util-linux's setpriv on the PATH, "
        + "or --switch-user=false)");
  }

  /**
   * Warns about each entry of the class path tasks get as {@code MEZZO_JAR} that other users cannot
   * read (a jar under {@code /root}, say): a task switched to its user could not run Mezzo's programs.
   */
  private static void warnIfUnreadable(String classPath) {
    for (String entry : classPath.split(java.io.File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      Path p = Path.of(entry).toAbsolutePath();
      try {
        boolean ok = !Files.isRegularFile(p) || Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_READ);
        for (Path d = p.getParent(); ok && d != null; d = d.getParent()) {
          ok = Files.getPosixFilePermissions(d).contains(PosixFilePermission.OTHERS_EXECUTE);
        }
        if (!ok) {
          LOG.warn("MEZZO_JAR entry {} is not readable by other users: tasks switched to their user cannot run "
              + "$MEZZO_JAVA -cp $MEZZO_JAR (expected: a class path every user can read, such as a copy of mezzo.jar "
              + "under /opt)", p);
          return;
        }
      } catch (IOException | UnsupportedOperationException e) {
        return;
      }
    }
  }

  /**
   * Warns when some directory above the work dir is not searchable by other users: a task switched to
   * another user then still runs in its sandbox, but cannot reach it by its path ({@code $MESOS_SANDBOX}).
   */
  private static void warnIfUnreachable(Path workDir) {
    for (Path dir = workDir; dir != null; dir = dir.getParent()) {
      try {
        if (Files.isDirectory(dir) && !Files.getPosixFilePermissions(dir).contains(PosixFilePermission.OTHERS_EXECUTE)) {
          LOG.warn("{} is not searchable by other users: tasks switched to their user cannot reach their sandbox "
              + "by its path (expected: o+x on every directory above the work dir)", dir);
          return;
        }
      } catch (IOException | UnsupportedOperationException e) {
        return;
      }
    }
  }
}
