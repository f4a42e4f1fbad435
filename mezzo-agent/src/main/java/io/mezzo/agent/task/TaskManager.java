package io.mezzo.agent.task;

import io.mezzo.agent.containerizer.Containerizer;
import io.mezzo.agent.containerizer.ProcessGroups;
import io.mezzo.agent.containerizer.TaskEnvironment;
import io.mezzo.agent.ports.PortCheck;
import io.mezzo.agent.health.TaskChecks;
import io.mezzo.agent.status.StatusUpdateManager;
import io.mezzo.agent.status.UpdateStream;
import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.CheckStatus;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.agent.recovery.AdoptedProcess;
import io.mezzo.agent.recovery.ProcessIdentity;
import io.mezzo.agent.recovery.RecoveryMode;
import io.mezzo.agent.recovery.TaskCheckpoint;
import io.mezzo.agent.user.TaskUsers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's tasks: launches them through the {@link Containerizer}, kills them, watches them exit,
 * and reports every state change through the {@link StatusUpdateManager}.
 *
 * <p>Lifecycle of a task: {@code TASK_STARTING} before spawning, {@code TASK_RUNNING} once spawned,
 * then {@code TASK_FINISHED} (exit 0), {@code TASK_FAILED} (other exits, or a spawn failure) or, after
 * a kill, {@code TASK_KILLING} and {@code TASK_KILLED}. A kill sends SIGTERM to the task's process
 * group and SIGKILL after the grace period if the task is still alive. Whenever a task's main process
 * exits, its whole group is SIGKILLed, so nothing it forked outlives it. A task stays tracked (and is
 * reported when the agent resubscribes) until its terminal update is acknowledged; its sandbox stays.
 *
 * <p>With {@link #checkpointTo} every task is checkpointed ({@link TaskCheckpoint}: what was launched,
 * the supervisor's pid and start time, every update and acknowledgement) before it is started and
 * before each update is sent, and {@link #recover} rebuilds the tasks of a previous run of the agent.
 *
 * <p>With {@link #users} each task runs as the user {@link TaskUsers} chooses (its sandbox owned by
 * that user, its COMMAND checks run as it too); the TASK_STARTING and TASK_RUNNING messages say so
 * when that is not the user the task asked for, and a user the machine does not have fails the task.
 *
 * <p>Owner: the agent loop. Every method must be called on {@code loop}, a single-threaded executor;
 * process exits and kill timers are posted onto it.
 */
public final class TaskManager {
  private static final Logger LOG = LoggerFactory.getLogger(TaskManager.class);

  private record Key(FrameworkId framework, TaskId task) {}

  private final ScheduledExecutorService loop;
  private final Containerizer containerizer;
  private final StatusUpdateManager updates;
  private final String hostname;
  private final Duration defaultGrace;
  private final Map<String, String> agentEnv;
  private final Map<Key, Task> tasks = new LinkedHashMap<>();
  private AgentId agentId;
  private PortCheck portCheck;
  private TaskChecks checks;
  private final TaskIsolation isolation;
  private Path checkpoints;
  private TaskUsers users;
  private io.mezzo.agent.containerizer.oci.OciRuntime oci;

  public TaskManager(ScheduledExecutorService loop, Containerizer containerizer, StatusUpdateManager updates,
      String hostname, Duration defaultGrace, Map<String, String> agentEnv) {
    this(loop, containerizer, updates, hostname, defaultGrace, agentEnv, TaskIsolation.none());
  }

  /** With {@code isolation} holding each task to its resources and measuring it. */
  public TaskManager(ScheduledExecutorService loop, Containerizer containerizer, StatusUpdateManager updates,
      String hostname, Duration defaultGrace, Map<String, String> agentEnv, TaskIsolation isolation) {
    this.isolation = isolation;
    this.loop = loop;
    this.containerizer = containerizer;
    this.updates = updates;
    this.hostname = hostname;
    this.defaultGrace = defaultGrace;
    this.agentEnv = Map.copyOf(agentEnv);
  }

  /** The id the master gave this agent; set on every SUBSCRIBED, before any LAUNCH. */
  public void agentId(AgentId id) {
    this.agentId = id;
  }

  /** Runs tasks as the users {@code users} chooses; until set, every task runs as the agent's user. */
  public void users(TaskUsers users) {
    this.users = users;
  }

  /** Runs container tasks with {@code runtime}; until set, they are refused with TASK_ERROR. */
  public void containers(io.mezzo.agent.containerizer.oci.OciRuntime runtime) {
    this.oci = runtime;
  }

  /** Checks every launched task's ports with {@code check} (see {@link PortCheck}); unchecked until set. */
  public void portCheck(PortCheck check) {
    this.portCheck = check;
  }

  /** The ports of every task that has not reached a terminal state, by task id. */
  private Map<String, List<Long>> heldPorts() {
    Map<String, List<Long>> held = new LinkedHashMap<>();
    for (Task t : tasks.values()) {
      if (t.latest != null && !t.latest.state().isTerminal()) {
        held.put(t.info.taskId().value(), TaskEnvironment.ports(t.info.resources()));
      }
    }
    return held;
  }

  /**
   * Checkpoints every task launched from now on under {@code workDir} ({@link TaskCheckpoint}), so
   * that {@link #recover} can re-adopt it after the agent restarts.
   */
  public void checkpointTo(Path workDir) {
    this.checkpoints = workDir;
  }

  /** Handles LAUNCH: refuses what cannot run with TASK_ERROR, otherwise starts the task's process. */
  public void launch(FrameworkId framework, TaskInfo info) {
    launch(framework, info, null);
  }

  /**
   * As {@link #launch(FrameworkId, TaskInfo)} for a framework whose {@code FrameworkInfo.user} is
   * {@code frameworkUser} (null if none): the user the task runs as unless its command names one.
   */
  public void launch(FrameworkId framework, TaskInfo info, String frameworkUser) {
    if (framework == null || info == null || info.taskId() == null) {
      LOG.warn("ignoring LAUNCH without framework_id, task or task.task_id: {} {}", framework, info);
      return;
    }
    if (agentId == null) {
      throw new IllegalStateException("BUG: LAUNCH of task " + info.taskId() + " before SUBSCRIBED");
    }
    Key key = new Key(framework, info.taskId());
    if (tasks.containsKey(key)) {
      // The tracked task keeps its own stream; the refusal travels on a stream of its own.
      UpdateStream refusal = updates.open(framework, info.taskId(), () -> { });
      updates.enqueue(refusal, updates.newStatus(info.taskId(), TaskState.TASK_ERROR,
          "task_id: '" + info.taskId() + "' is in use by a task this agent still tracks (expected: a new task id)",
          "REASON_TASK_INVALID", agentId));
      return;
    }
    Resources resources;
    String problem = null;
    try {
      resources = Resources.of(info.resources());
    } catch (IllegalArgumentException e) {
      resources = Resources.EMPTY;
      problem = "task." + e.getMessage();
    }
    io.mezzo.core.model.ContainerInfo container = null;
    try {
      container = io.mezzo.core.model.ContainerInfo.parse(info.container()).orElse(null);
    } catch (IllegalArgumentException e) {
      problem = "task." + e.getMessage();
    }
    if (problem != null) {
      // the container's shape was refused
    } else if (isSet(info.executor())) {
      problem = "executor tasks are not supported yet (expected: a command task)";
    } else if (container != null && oci == null) {
      problem = "container: this agent cannot run images (expected: runc installed on the agent)";
    } else if (container == null
        && (info.command() == null || info.command().value() == null || info.command().value().isBlank())) {
      problem = "command.value: missing (expected: the command to run)";
    } else if (TaskChecks.problem(info) != null) {
      problem = TaskChecks.problem(info);
    }
    if (problem == null && portCheck != null) {
      problem = portCheck.problem(TaskEnvironment.ports(info.resources()), heldPorts()).orElse(null);
    }
    TaskCheckpoint checkpoint = null;
    if (checkpoints != null) {
      try {
        checkpoint = TaskCheckpoint.create(checkpoints, framework, info.taskId());
        checkpoint.meta(new TaskCheckpoint.Meta(framework, info, null, null, null));
      } catch (java.io.UncheckedIOException e) {
        LOG.error("task {}: cannot checkpoint it, so not starting it", info.taskId(), e);
        checkpoint = null;
        if (problem == null) {
          problem = e.getMessage() + " (expected: a writable work dir, so that the task survives agent restarts)";
        }
      }
    }
    Task task = new Task(framework, info, resources,
        updates.open(framework, info.taskId(), () -> tasks.remove(key), checkpoint));
    task.checkpoint = checkpoint;
    task.container = container;
    tasks.put(key, task);
    if (problem != null) {
      update(task, TaskState.TASK_ERROR, problem, "REASON_TASK_INVALID");
      return;
    }
    String userNote = null;
    if (users != null) {
      TaskUsers.Decision d;
      try {
        d = users.choose(framework, info.command() == null ? null : info.command().user(), frameworkUser);
      } catch (RuntimeException e) {
        d = new TaskUsers.Decision(null, "cannot look up the task's user: " + e.getMessage(), false);
      }
      if (d.choice() == null) {
        LOG.warn("task {} of framework {} cannot run: {}", info.taskId(), framework, d.failure());
        update(task, TaskState.TASK_FAILED, d.failure(), "REASON_CONTAINER_LAUNCH_FAILED");
        return;
      }
      task.runAs = d.choice();
      userNote = d.choice().note();
    }
    update(task, TaskState.TASK_STARTING, userNote, null);
    if (container != null) {
      String note = userNote;
      oci.pull(container.image(), container.forcePull())
          .whenComplete((image, error) -> post(() -> pulled(task, note, image, error)));
      return;
    }
    start(task, userNote, null);
  }

  /**
   * The image of a container task was pulled (or failed to be): starts the task, or fails it with
   * {@code REASON_CONTAINER_PREPARATION_FAILED}; nothing if the task was killed meanwhile.
   */
  private void pulled(Task task, String userNote, io.mezzo.agent.containerizer.oci.OciImage image, Throwable error) {
    if (task.exited || tasks.get(new Key(task.frameworkId, task.info.taskId())) != task) {
      return;
    }
    if (error != null) {
      Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
          ? error.getCause() : error;
      LOG.warn("task {} of framework {}: cannot pull image {}: {}", task.info.taskId(), task.frameworkId,
          task.container.image(), cause.getMessage());
      task.exited = true;
      update(task, TaskState.TASK_FAILED, "Failed to pull image '" + task.container.image() + "': "
          + cause.getMessage(), REASON_PREPARATION);
      return;
    }
    start(task, userNote, image);
  }

  /** The Mesos reason of a container whose image or root filesystem could not be made ready. */
  static final String REASON_PREPARATION = "REASON_CONTAINER_PREPARATION_FAILED";

  /** Spawns the task's process: its command, or (with {@code image}) runc running its container. */
  private void start(Task task, String userNote, io.mezzo.agent.containerizer.oci.OciImage image) {
    FrameworkId framework = task.frameworkId;
    TaskInfo info = task.info;
    TaskCheckpoint checkpoint = task.checkpoint;
    Map<String, String> env;
    try {
      task.sandbox = containerizer.createSandbox(framework, info.taskId(),
          task.runAs != null && task.runAs.switched() ? task.runAs.account() : null);
      env = userEnv(task, TaskEnvironment.build(new TaskEnvironment.Context(agentEnv,
          task.sandbox.toString(), info.taskId().value(), framework.value(), agentId.value(), hostname,
          TaskEnvironment.ports(info.resources()), info.command())));
      List<java.nio.file.Path> cgroups = isolation.prepare(task);
      if (checkpoint != null) {
        checkpoint.meta(new TaskCheckpoint.Meta(framework, info, task.sandbox.toString(), null, null));
      }
      if (image != null) {
        task.ociId = io.mezzo.agent.containerizer.oci.OciRuntime.containerId(task.sandbox);
        Map<String, String> containerEnv = TaskEnvironment.build(new TaskEnvironment.Context(Map.of(),
            task.sandbox.toString(), info.taskId().value(), framework.value(), agentId.value(), hostname,
            TaskEnvironment.ports(info.resources()), info.command()));
        ContainerSpecs.prepare(oci, task, image, containerEnv, cgroups, hostname, users);
        task.process = containerizer.spawn(task.sandbox, oci.runCommand(task.ociId, task.sandbox),
            Map.of("PATH", env.getOrDefault("PATH", TaskEnvironment.DEFAULT_PATH)), cgroups, List.of());
      } else {
        task.process = containerizer.spawn(task.sandbox, info.command(), env, cgroups, runAs(task));
      }
      if (checkpoint != null) {
        long pid = task.process.pid();
        checkpoint.meta(new TaskCheckpoint.Meta(framework, info, task.sandbox.toString(), pid,
            ProcessIdentity.startTime(pid).orElse(-1)));
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("task {} of framework {} failed to launch: {}", info.taskId(), framework, e.toString());
      isolation.exited(task);
      if (task.process != null) {
        task.process.destroyForcibly(); // spawned, but not checkpointed: it must not outlive this
      }
      if (task.ociId != null) {
        oci.cleanup(task.ociId);
      }
      task.exited = true;
      update(task, TaskState.TASK_FAILED, (image != null ? "Failed to prepare the container: "
          : "Failed to launch the command: ") + e.getMessage(),
          image != null ? REASON_PREPARATION : "REASON_CONTAINER_LAUNCH_FAILED");
      return;
    }
    task.pid = task.process.pid();
    LOG.info("task {} of framework {} started: pid {}, sandbox {}{}", info.taskId(), framework, task.pid, task.sandbox,
        task.runAs == null ? "" : ", user " + task.runAs.account());
    update(task, TaskState.TASK_RUNNING, userNote, null);
    task.checks = checks().start(info, task.sandbox, env, checkPrefix(task), healthListener(task));
    task.process.onExit().whenComplete((p, error) -> post(() -> exited(task)));
  }

  /**
   * Handles KILL: SIGTERM to the task's group, TASK_KILLING, SIGKILL after {@code graceSeconds} (the
   * configured grace when not positive). An unknown task is answered with TASK_LOST.
   */
  public void kill(FrameworkId framework, TaskId taskId, double graceSeconds) {
    if (framework == null || taskId == null) {
      LOG.warn("ignoring KILL without framework_id or task_id");
      return;
    }
    Task task = tasks.get(new Key(framework, taskId));
    if (task == null) {
      UpdateStream answer = updates.open(framework, taskId, () -> { });
      updates.enqueue(answer, updates.newStatus(taskId, TaskState.TASK_LOST, "unknown task", "REASON_TASK_UNKNOWN", agentId));
      return;
    }
    if (task.process == null && task.container != null && !task.exited && !task.killRequested) {
      // Still pulling its image: it never runs.
      task.killRequested = true;
      task.exited = true;
      update(task, TaskState.TASK_KILLED, "Killed while its image was being pulled", null);
      return;
    }
    if (!task.isLive() || !task.process.isAlive() || task.killRequested) {
      // Already terminal, about to report its exit, or being killed: nothing more to do.
      LOG.debug("KILL of task {} in {} ignored", taskId, task.latest.state());
      return;
    }
    Duration grace = graceSeconds > 0 && Double.isFinite(graceSeconds)
        ? Duration.ofMillis((long) (graceSeconds * 1000)) : defaultGrace;
    LOG.info("killing task {} of framework {} (pid {}): SIGTERM, SIGKILL after {} ms", taskId, framework, task.pid, grace.toMillis());
    task.killRequested = true;
    stopChecks(task);
    terminate(task);
    update(task, TaskState.TASK_KILLING, null, null);
    task.escalation = loop.schedule(() -> {
      if (!task.exited) {
        LOG.info("task {} outlived its {} ms grace period: SIGKILL", taskId, grace.toMillis());
        forceKill(task);
      }
    }, grace.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Handles ACKNOWLEDGE. */
  public void acknowledge(FrameworkId framework, TaskId task, String uuid) {
    updates.acknowledge(framework, task, uuid);
  }

  /** Every tracked task with its latest status, for SUBSCRIBE. */
  public List<AgentCall.AgentTask> tracked() {
    List<AgentCall.AgentTask> out = new ArrayList<>();
    tasks.values().forEach(t -> out.add(new AgentCall.AgentTask(t.frameworkId, t.info, t.latest)));
    return out;
  }

  /** The container id ({@code mezzo-RUN}) of each task that runs in a container, to its task id. */
  public Map<String, String> containerTasks() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Task t : tasks.values()) {
      if (t.ociId != null) {
        out.put(t.ociId, t.info.taskId().value());
      }
    }
    return out;
  }

  /** The resources of tasks that have not reached a terminal state. */
  public Resources used() {
    Resources used = Resources.EMPTY;
    for (Task t : tasks.values()) {
      if (!t.latest.state().isTerminal()) {
        used = used.plus(t.resources);
      }
    }
    return used;
  }

  public List<TaskView> view() {
    List<TaskView> out = new ArrayList<>();
    for (Task t : tasks.values()) {
      out.add(new TaskView(t.info.taskId().value(), t.info.name(), t.frameworkId.value(), t.latest.state().name(),
          t.sandbox == null ? null : t.sandbox.toString(), t.pid > 1 ? t.pid : null, t.resources.toStateMap()));
    }
    return out;
  }

  /**
   * Samples every live task's usage and kills those the isolator finds out of memory (reported as
   * TASK_FAILED with {@link TaskIsolation#REASON_MEMORY} when they exit). Called every monitor interval.
   */
  public void monitor() {
    for (Task t : tasks.values()) {
      if (t.isLive() && isolation.check(t) && !t.killRequested) {
        LOG.warn("task {} of framework {}: {}; killing it", t.info.taskId(), t.frameworkId, t.limitation);
        t.killRequested = true;
        forceKill(t);
      }
    }
  }

  /** The latest usage sample of every live task, for {@code /monitor/statistics} and heartbeats. */
  public List<TaskIsolation.Sample> usage() {
    List<TaskIsolation.Sample> out = new ArrayList<>();
    for (Task t : tasks.values()) {
      if (t.isLive() && t.lastUsage != null) {
        out.add(new TaskIsolation.Sample(t.frameworkId, t.info, t.lastUsage, t.cpusUsed));
      }
    }
    return out;
  }

  /** A live task's process group and the future of its exit, for stopping the agent. */
  public record Running(TaskId taskId, long pgid, CompletableFuture<Process> exit) {}

  /**
   * Stops every task for the agent's shutdown: SIGTERM to each live group; returns them so that the
   * caller can wait out the grace period and SIGKILL what is left (off the loop). No updates are sent.
   */
  public List<Running> terminateAll() {
    List<Running> out = new ArrayList<>();
    for (Task t : tasks.values()) {
      updates.abandon(t.updates);
      stopChecks(t);
      if (t.escalation != null) {
        t.escalation.cancel(false);
      }
      if (t.isLive()) {
        t.killRequested = true;
        terminate(t);
        if (t.ociId != null) {
          Double g = t.info.killPolicy() == null ? null : t.info.killPolicy().gracePeriodSeconds();
          oci.killLater(t.ociId, g != null && g > 0 ? (long) (g * 1000) : defaultGrace.toMillis());
          // Once runc run is gone (the agent SIGKILLs the group after the grace), nothing of it may stay
          // mounted; this runs on the JDK's process reaper thread, as the loop may have stopped.
          String id = t.ociId;
          io.mezzo.agent.containerizer.oci.OciRuntime runtime = oci;
          t.process.onExit().whenComplete((p, e) -> runtime.cleanup(id));
        }
        out.add(new Running(t.info.taskId(), t.pid, t.process.onExit()));
      }
    }
    tasks.clear();
    if (checks != null) {
      checks.close();
    }
    return out;
  }

  /**
   * Rebuilds the tasks checkpointed by a previous run of the agent (on start, before subscribing):
   * their unacknowledged updates are queued again, and each task that had not reached a terminal
   * state is re-adopted when its supervisor still runs (with {@link RecoveryMode#CLEANUP}, adopted
   * and SIGKILLed), or reported with the exit status its supervisor recorded when it ended while
   * the agent was down. A task whose process never started is reported TASK_FAILED. Needs
   * {@link #agentId} set first (the saved id), for the updates it makes.
   *
   * @param probeMillis how often an adopted supervisor is checked for its exit
   */
  public void recover(List<TaskCheckpoint.Found> found, RecoveryMode mode, long probeMillis) {
    for (TaskCheckpoint.Found f : found) {
      TaskCheckpoint.Meta meta = f.meta();
      Key key = new Key(meta.frameworkId(), meta.task().taskId());
      Resources resources;
      try {
        resources = Resources.of(meta.task().resources());
      } catch (IllegalArgumentException e) {
        resources = Resources.EMPTY;
      }
      Task task = new Task(meta.frameworkId(), meta.task(), resources,
          updates.open(meta.frameworkId(), meta.task().taskId(), () -> tasks.remove(key), f.checkpoint()));
      task.checkpoint = f.checkpoint();
      task.sandbox = meta.sandbox() == null ? null : Path.of(meta.sandbox());
      tasks.put(key, task);
      updates.restore(task.updates, f.pending());
      task.latest = f.updates().isEmpty() ? null : f.updates().get(f.updates().size() - 1);
      if (task.latest == null) {
        update(task, TaskState.TASK_STARTING, null, null);
      }
      if (task.latest.state().isTerminal()) {
        LOG.info("recovered task {} of framework {}: {}, {} update(s) unacknowledged", key.task(), key.framework(),
            task.latest.state(), f.pending().size());
        continue;
      }
      long pid = meta.pid() != null ? meta.pid() : pidFromSandbox(task.sandbox);
      if (pid < 2) {
        LOG.warn("recovered task {} of framework {} had not been started", key.task(), key.framework());
        task.exited = true;
        update(task, TaskState.TASK_FAILED, "The agent restarted before the task was started", "REASON_AGENT_RESTARTED");
        continue;
      }
      long startTime = meta.startTime() != null && meta.startTime() >= 0 ? meta.startTime()
          : ProcessIdentity.startTime(pid).orElse(-1);
      task.pid = pid;
      task.process = new AdoptedProcess(pid, startTime, task.sandbox, loop, probeMillis);
      task.killRequested = task.latest.state() == TaskState.TASK_KILLING;
      try {
        task.container = io.mezzo.core.model.ContainerInfo.parse(meta.task().container()).orElse(null);
      } catch (IllegalArgumentException e) {
        task.container = null;
      }
      if (task.container != null && oci != null && task.sandbox != null) {
        task.ociId = io.mezzo.agent.containerizer.oci.OciRuntime.containerId(task.sandbox);
        LOG.info("recovered task {}: container {} is {}", key.task(), task.ociId,
            oci.state(task.ociId).orElse("unknown to runc"));
        oci.readopt(task.ociId);
      }
      boolean alive = task.process.isAlive();
      LOG.info("recovered task {} of framework {}: {}, pid {} {}", key.task(), key.framework(), task.latest.state(), pid,
          alive ? (mode == RecoveryMode.CLEANUP ? "still running: killing it (--recover=cleanup)" : "still running: adopted")
              : "exited while the agent was down");
      if (alive && mode == RecoveryMode.CLEANUP) {
        task.killRequested = true;
        forceKill(task);
      } else if (alive && task.killRequested) {
        forceKill(task); // its kill was under way: the grace period has passed
      } else if (alive && task.latest.state() == TaskState.TASK_STARTING) {
        update(task, TaskState.TASK_RUNNING, null, null);
      }
      // An adopted task is measured and limited in the cgroup it was launched into, and its checks
      // run again.
      isolation.adopt(task);
      if (alive && !task.killRequested) {
        // It still runs as the user it was launched as, which owns its sandbox.
        task.runAs = users == null || task.sandbox == null ? null : users.ofSandbox(task.sandbox);
        Map<String, String> env = userEnv(task, TaskEnvironment.build(new TaskEnvironment.Context(agentEnv,
            task.sandbox.toString(), task.info.taskId().value(), task.frameworkId.value(),
            agentId == null ? "" : agentId.value(), hostname,
            TaskEnvironment.ports(task.info.resources()), task.info.command())));
        task.checks = checks().start(task.info, task.sandbox, env, checkPrefix(task), healthListener(task));
      }
      task.process.onExit().whenComplete((p, error) -> post(() -> exited(task)));
    }
  }

  /** What COMMAND checks run through: {@code runc exec} into a container, else the task's user switch. */
  private List<String> checkPrefix(Task task) {
    return task.ociId != null && oci != null ? oci.execPrefix(task.ociId) : runAs(task);
  }

  private static List<String> runAs(Task task) {
    return task.runAs == null ? List.of() : task.runAs.argvPrefix();
  }

  /**
   * {@code env} with {@code HOME} (the sandbox) and {@code USER} for a task switched to another user,
   * whose own home may not exist or be writable; unless the task's command sets them.
   */
  private static Map<String, String> userEnv(Task task, Map<String, String> env) {
    if (task.runAs == null || !task.runAs.switched()) {
      return env;
    }
    Map<String, String> out = new LinkedHashMap<>(env);
    out.putIfAbsent("HOME", task.sandbox.toString());
    out.putIfAbsent("USER", task.runAs.account().name());
    return out;
  }

  /** The pid the supervisor wrote into {@code sandbox} itself, or -1. */
  private static long pidFromSandbox(Path sandbox) {
    if (sandbox == null) {
      return -1;
    }
    try {
      return Long.parseLong(Files.readString(sandbox.resolve(Containerizer.PID_FILE)).strip());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  private void exited(Task task) {
    if (task.exited || !tasks.containsValue(task)) {
      return; // terminateAll() took over
    }
    task.exited = true;
    stopChecks(task);
    if (task.escalation != null) {
      task.escalation.cancel(false);
    }
    int code = task.process.exitValue();
    // Whatever the task forked into its group dies with it.
    ProcessGroups.signal(task.pid, "KILL");
    String how = describeExit(code);
    LOG.info("task {} of framework {} (pid {}): {}", task.info.taskId(), task.frameworkId, task.pid, how);
    isolation.exited(task);
    if (task.ociId != null && oci != null) {
      oci.cleanup(task.ociId);
    }
    if (task.limitation != null) {
      update(task, TaskState.TASK_FAILED, task.limitation + " (" + how + ")", TaskIsolation.REASON_MEMORY);
    } else if (task.killRequested && task.unhealthy != null) {
      report(task, TaskState.TASK_KILLED, task.unhealthy + "; " + how, HEALTH_REASON, s -> s.withHealthy(false));
    } else if (task.killRequested) {
      update(task, TaskState.TASK_KILLED, how, null);
    } else if (code == 0) {
      update(task, TaskState.TASK_FINISHED, how, null);
    } else {
      update(task, TaskState.TASK_FAILED, how, "REASON_COMMAND_EXECUTOR_FAILED");
    }
  }

  /**
   * The JDK reports a death by signal N as exit value 128 + N, as shells do; values in that range are
   * read as signals (a command that really exits with 130 is reported as signal 2).
   */
  static String describeExit(int code) {
    if (code > 128 && code <= 128 + 64) {
      return "Command terminated by signal " + (code - 128);
    }
    return "Command exited with status " + code;
  }

  private void update(Task task, TaskState state, String message, String reason) {
    report(task, state, message, reason, s -> s);
  }

  private void report(Task task, TaskState state, String message, String reason,
      java.util.function.UnaryOperator<TaskStatus> extra) {
    if (task.latest != null && !task.latest.state().canBecome(state)) {
      throw new IllegalStateException("BUG: task " + task.info.taskId() + ": " + task.latest.state() + " -> " + state
          + " (expected: a transition TaskState allows)");
    }
    TaskStatus status = extra.apply(updates.newStatus(task.info.taskId(), state, message, reason, agentId));
    task.latest = status;
    updates.enqueue(task.updates, status);
  }

  // ---------------------------------------------------------------- health checks and checks

  /** The reason Mesos gives health updates; also on the TASK_KILLED of a task killed for failing them. */
  static final String HEALTH_REASON = "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED";
  static final String CHECK_REASON = "REASON_TASK_CHECK_STATUS_UPDATED";

  private TaskChecks checks() {
    if (checks == null) {
      checks = new TaskChecks(loop, System::nanoTime);
    }
    return checks;
  }

  private static void stopChecks(Task task) {
    if (task.checks != null) {
      task.checks.stop();
    }
  }

  /**
   * Turns check results into TASK_RUNNING updates carrying {@code healthy} or {@code check_status}
   * (sent only while the task is RUNNING), and kills a task whose health checks failed too often.
   */
  private TaskChecks.Listener healthListener(Task task) {
    return new TaskChecks.Listener() {
      @Override
      public void healthChanged(boolean healthy, String detail) {
        if (isRunning(task)) {
          report(task, TaskState.TASK_RUNNING, (healthy ? "Healthy: " : "Unhealthy: ") + detail, HEALTH_REASON,
              s -> s.withHealthy(healthy).withCheckStatus(task.latest.checkStatus()));
        }
      }

      @Override
      public void unhealthy(int failures, String detail) {
        if (!isRunning(task)) {
          return;
        }
        task.unhealthy = "Task killed after " + failures + " consecutive failed health checks (last: " + detail + ")";
        LOG.info("task {} of framework {}: {}", task.info.taskId(), task.frameworkId, task.unhealthy);
        Double grace = task.info.killPolicy() == null ? null : task.info.killPolicy().gracePeriodSeconds();
        kill(task.frameworkId, task.info.taskId(), grace == null ? 0 : grace);
      }

      @Override
      public void checkChanged(CheckStatus status, String detail) {
        if (isRunning(task)) {
          report(task, TaskState.TASK_RUNNING, "Check: " + detail, CHECK_REASON,
              s -> s.withHealthy(task.latest.healthy()).withCheckStatus(status));
        }
      }
    };
  }

  private boolean isRunning(Task task) {
    return tasks.get(new Key(task.frameworkId, task.info.taskId())) == task && task.isLive() && !task.killRequested
        && task.latest.state() == TaskState.TASK_RUNNING;
  }

  private void terminate(Task task) {
    // A container's init has a session of its own: runc signals it (and runc run forwards it too).
    if (task.ociId != null && oci != null && oci.kill(task.ociId, "TERM")) {
      return;
    }
    // Right after the spawn, setsid may not have made the group yet: signal the process itself then.
    if (!ProcessGroups.signal(task.pid, "TERM") && task.process.isAlive()) {
      task.process.destroy();
    }
  }

  private void forceKill(Task task) {
    if (task.ociId != null && oci != null && oci.kill(task.ociId, "KILL")) {
      return; // runc run then exits with 137, and the group is killed with the supervisor's exit
    }
    if (!ProcessGroups.signal(task.pid, "KILL") && task.process.isAlive()) {
      task.process.destroyForcibly();
    }
  }

  private void post(Runnable r) {
    try {
      loop.execute(r);
    } catch (RejectedExecutionException e) {
      LOG.debug("agent loop stopped; dropping a task event");
    }
  }

  private static boolean isSet(com.fasterxml.jackson.databind.JsonNode node) {
    return node != null && !node.isNull() && !node.isMissingNode();
  }
}
