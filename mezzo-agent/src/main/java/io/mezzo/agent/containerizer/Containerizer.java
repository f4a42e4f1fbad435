package io.mezzo.agent.containerizer;

import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.TaskId;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Runs command tasks as plain OS processes in sandboxes (the Mesos "posix" launcher, without
 * isolators yet).
 *
 * <p>A sandbox is {@code workDir/frameworks/<framework>/tasks/<task>/runs/<run>}, with a fresh random
 * run id per launch, so that a relaunched task never writes into an old run's files. The task runs
 * through {@code setsid}, which gives it its own session and process group: its pgid equals its pid,
 * and {@link ProcessGroups} can signal everything it forks at once. The JVM's children are never group
 * leaders, so {@code setsid} execs in place rather than forking: the {@link Process} is the task's
 * supervisor ({@link #SUPERVISOR}), which runs the command as its child and records its exit status. Its
 * stdin is {@code /dev/null}, stdout and stderr go to the sandbox's {@code stdout} and {@code stderr}
 * files, its working directory is the sandbox, and its pid is written to {@code task.pid} there (the
 * test kit kills leftovers from those files).
 *
 * <p>A task run as another user ({@link io.mezzo.agent.user.TaskUsers}) owns its sandbox and its
 * {@code stdout}/{@code stderr} files; the supervisor stays the agent's user (so the task cannot
 * signal it or forge its exit status) and switches to the task's user with {@code setpriv} only to
 * run the command, after the process has joined its cgroups.
 *
 * <p>Stateless apart from the work directory; the agent loop calls it. Spawning blocks for the
 * fork/exec only.
 */
public final class Containerizer {
  /** The file in each sandbox holding the task's pid (= its pgid). */
  public static final String PID_FILE = "task.pid";
  /** The file in each sandbox where the task's supervisor records the command's exit status. */
  public static final String EXIT_FILE = "task.exit";

  /**
   * The per-task supervisor, the {@code sh} that setsid execs: it writes its own pid (= the task's
   * pgid) to {@link #PID_FILE} before anything runs, runs the command as its child, and writes the
   * command's exit status (128 + N for a death by signal N) to {@link #EXIT_FILE} before exiting with
   * it. A restarted agent, which is not the supervisor's parent, learns the real exit status from that
   * file. Its trap handlers keep SIGTERM/SIGINT/SIGHUP sent to the whole group from killing it before
   * it has written the status; exec resets handlers, so the command still gets the default actions.
   */
  static final String SUPERVISOR = "echo $$ > " + PID_FILE + "; trap : TERM INT HUP; \"$@\"; s=$?; echo $s > "
      + EXIT_FILE + "; exit $s";

  private final Path workDir;

  public Containerizer(Path workDir) {
    this.workDir = workDir;
  }

  /** Creates a new, empty run directory for the task and returns it. */
  public Path createSandbox(FrameworkId framework, TaskId task) throws IOException {
    Path sandbox = workDir.resolve("frameworks").resolve(framework.value())
        .resolve("tasks").resolve(task.value())
        .resolve("runs").resolve(UUID.randomUUID().toString());
    if (!sandbox.normalize().startsWith(workDir)) {
      // Ids cannot hold '/' or start with '.', so this cannot happen; checked because a sandbox
      // outside the work dir would be served by the files API.
      throw new IllegalStateException("BUG: sandbox " + sandbox + " is outside the work dir " + workDir);
    }
    return Files.createDirectories(sandbox);
  }

  /**
   * As {@link #createSandbox(FrameworkId, TaskId)}, the run directory and its empty {@code stdout} and
   * {@code stderr} files then owned by {@code owner} (when not null), so that a task run as that user
   * can write its sandbox. The agent, as root, still reads it and removes it.
   */
  public Path createSandbox(FrameworkId framework, TaskId task, io.mezzo.agent.user.Account owner) throws IOException {
    Path sandbox = createSandbox(framework, task);
    if (owner != null) {
      for (Path p : List.of(sandbox.resolve("stdout"), sandbox.resolve("stderr"), sandbox)) {
        if (!Files.exists(p)) {
          Files.createFile(p);
        }
        Files.setAttribute(p, "unix:uid", owner.uid());
        Files.setAttribute(p, "unix:gid", owner.gid());
      }
    }
    return sandbox;
  }

  /**
   * Starts {@code command} in {@code sandbox} with exactly {@code env} as its environment.
   *
   * @throws IOException if the process cannot be started (the message says why)
   */
  public Process spawn(Path sandbox, CommandInfo command, Map<String, String> env) throws IOException {
    return spawn(sandbox, command, env, List.of());
  }

  /**
   * As {@link #spawn(Path, CommandInfo, Map)}, but the task's process first writes its pid to each of
   * {@code cgroupProcs} (the {@code cgroup.procs} files of its cgroups) and only then execs the
   * command, so that everything the task forks is born inside them. It exits with 125 if it cannot.
   */
  public Process spawn(Path sandbox, CommandInfo command, Map<String, String> env, List<Path> cgroupProcs)
      throws IOException {
    return spawn(sandbox, command, env, cgroupProcs, List.of());
  }

  /**
   * As {@link #spawn(Path, CommandInfo, Map, List)}, the command run through {@code runAs} (such as
   * {@code setpriv --reuid=65534 --regid=65534 --init-groups --}; see
   * {@link io.mezzo.agent.user.TaskUsers.Choice#argvPrefix}) by the supervisor.
   */
  public Process spawn(Path sandbox, CommandInfo command, Map<String, String> env, List<Path> cgroupProcs,
      List<String> runAs) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(joining(cgroupProcs, argv(command, runAs)))
        .directory(sandbox.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(sandbox.resolve("stdout").toFile())
        .redirectError(sandbox.resolve("stderr").toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    Process process = pb.start();
    try {
      Files.writeString(sandbox.resolve(PID_FILE), process.pid() + "\n");
    } catch (IOException e) {
      process.destroyForcibly();
      throw new IOException("cannot write " + sandbox.resolve(PID_FILE) + ": " + e.getMessage(), e);
    }
    return process;
  }

  /** The shell prologue that joins the cgroups named before {@code --}, then execs what follows it. */
  static final String JOIN = "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 125; shift; done; shift; exec \"$@\"";

  /** {@code setsid sh -c JOIN mezzo-join FILES... -- COMMAND...}; {@code argv} unchanged when there are no files. */
  static List<String> joining(List<Path> cgroupProcs, List<String> argv) {
    if (cgroupProcs.isEmpty()) {
      return argv;
    }
    List<String> out = new ArrayList<>(List.of("setsid", "sh", "-c", JOIN, "mezzo-join"));
    cgroupProcs.forEach(p -> out.add(p.toString()));
    out.add("--");
    out.addAll(argv.subList(1, argv.size())); // argv[0] is setsid
    return out;
  }

  /**
   * The supervisor ({@link #SUPERVISOR}) running {@code sh -c VALUE} for shell commands, or
   * {@code VALUE ARGS[1..]} otherwise
   * ({@code arguments[0]} is argv[0] in Mesos, which a JDK process cannot set apart from the program).
   */
  static List<String> argv(CommandInfo command) {
    return argv(command, List.of());
  }

  /** As {@link #argv(CommandInfo)}, the supervisor running {@code runAs} followed by the command. */
  static List<String> argv(CommandInfo command, List<String> runAs) {
    List<String> argv = new ArrayList<>(List.of("setsid", "sh", "-c", SUPERVISOR, "mezzo-supervisor"));
    argv.addAll(runAs);
    if (command.isShell()) {
      argv.add("sh");
      argv.add("-c");
      argv.add(command.value());
    } else {
      argv.add(command.value());
      List<String> args = command.arguments();
      if (args != null && args.size() > 1) {
        argv.addAll(args.subList(1, args.size()));
      }
    }
    return argv;
  }
}
