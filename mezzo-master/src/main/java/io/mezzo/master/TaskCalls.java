package io.mezzo.master;

import io.mezzo.core.agentapi.AgentEvent;
import io.mezzo.core.http.HttpError;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.core.scheduler.Call;
import io.mezzo.master.state.AgentEntry;
import io.mezzo.master.state.ExecutorEntry;
import io.mezzo.master.state.FrameworkEntry;
import io.mezzo.master.state.TaskEntry;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler API's calls about tasks already launched: KILL (with a kill policy), SHUTDOWN of a
 * task group's executor, MESSAGE, ACKNOWLEDGE (relayed to the agent; a terminal task is completed
 * once its last update is acknowledged) and RECONCILE (explicit and implicit, answered from the
 * master's latest known state).
 *
 * <p>Part of the master loop: it runs only on the loop thread and changes state through the
 * {@link MasterLoop} it belongs to.
 */
final class TaskCalls {
  private static final Logger LOG = LoggerFactory.getLogger(TaskCalls.class);

  private final MasterLoop loop;

  TaskCalls(MasterLoop loop) {
    this.loop = loop;
  }

  /** KILL: the task's agent is told to kill it; an unknown or finished task is answered with its state. */
  void kill(FrameworkEntry f, Call.Kill kill) {
    if (kill.taskId() == null) {
      throw HttpError.badRequest("kill.task_id: missing (expected: the task to kill)");
    }
    if (kill.killPolicy() != null && kill.killPolicy().gracePeriod() != null
        && kill.killPolicy().gracePeriod().nanoseconds() < 0) {
      throw HttpError.badRequest("kill.kill_policy.grace_period.nanoseconds: "
          + kill.killPolicy().gracePeriod().nanoseconds() + " (expected: >= 0)");
    }
    TaskEntry t = f.tasks.get(kill.taskId());
    if (t == null || t.state().isTerminal()) {
      TaskState state = f.partitionAware() ? TaskState.TASK_UNKNOWN : TaskState.TASK_LOST;
      TaskStatus status = t != null ? t.latest.withUuid(null)
          : loop.masterStatus(kill.taskId(), state, kill.agentId(), "REASON_RECONCILIATION", "Attempted to kill an unknown task");
      loop.sendUpdate(f, status);
      return;
    }
    loop.killTask(f, t, kill.killPolicy());
  }

  /** SHUTDOWN: stops a task group's executor, that is, kills every live task of the group. */
  void shutdown(FrameworkEntry f, Call.Shutdown shutdown) {
    if (shutdown.executorId() == null || shutdown.executorId().value() == null) {
      throw HttpError.badRequest("shutdown.executor_id: missing (expected: the executor to shut down)");
    }
    ExecutorEntry ex = f.executors.get(shutdown.executorId().value());
    if (ex == null || (shutdown.agentId() != null && !shutdown.agentId().equals(ex.agentId))) {
      throw HttpError.notFound("shutdown.executor_id: '" + shutdown.executorId().value()
          + "' is not a live executor of framework " + f.id + (shutdown.agentId() == null ? "" : " on agent "
          + shutdown.agentId()));
    }
    for (TaskId id : List.copyOf(ex.live)) {
      TaskEntry t = f.tasks.get(id);
      if (t != null) {
        loop.killTask(f, t, null);
      }
    }
  }

  /**
   * MESSAGE: Mezzo's executors are its own (command tasks and task groups run by the agent), and they
   * take no framework messages; the call is validated and the message dropped with a log line, so
   * that frameworks which send them keep working.
   */
  void message(FrameworkEntry f, Call.Message message) {
    if (message.agentId() == null || message.executorId() == null || message.data() == null) {
      throw HttpError.badRequest("message: agent_id, executor_id and data are all required");
    }
    LOG.info("framework {} sent a message to executor {} on agent {}: dropped (Mezzo's executors take no messages)",
        f.id, message.executorId().value(), message.agentId());
  }

  /** ACKNOWLEDGE: relayed to the agent; a terminal task is completed once its latest update is acknowledged. */
  void acknowledge(FrameworkEntry f, Call.Acknowledge ack) {
    if (ack.taskId() == null || ack.agentId() == null || ack.uuid() == null) {
      throw HttpError.badRequest("acknowledge: task_id, agent_id and uuid are all required");
    }
    TaskEntry t = f.tasks.get(ack.taskId());
    AgentEntry agent = loop.agents().get(ack.agentId());
    if (agent != null && agent.isActive()) {
      loop.sendAgent(agent, AgentEvent.acknowledge(f.id, ack.taskId(), ack.uuid()));
    }
    if (t != null && t.state().isTerminal() && ack.uuid().equals(t.latest.uuid())) {
      loop.completeTask(f, t);
    }
  }

  /**
   * RECONCILE: every task of the framework when none is listed (implicit), else the listed ones, with
   * the master's latest known state; unknown tasks are TASK_LOST (TASK_UNKNOWN when partition-aware).
   */
  void reconcile(FrameworkEntry f, Call.Reconcile reconcile) {
    List<Call.ReconcileTask> asked = reconcile.tasks() == null ? List.of() : reconcile.tasks();
    if (asked.isEmpty()) {
      for (TaskEntry t : f.tasks.values()) {
        loop.sendUpdate(f, reconciled(t.latest));
      }
      return;
    }
    for (Call.ReconcileTask r : asked) {
      if (r == null || r.taskId() == null) {
        continue;
      }
      TaskEntry t = f.tasks.get(r.taskId());
      if (t == null) {
        t = f.completed.stream().filter(c -> c.info.taskId().equals(r.taskId())).reduce((a, b) -> b).orElse(null);
      }
      if (t != null) {
        loop.sendUpdate(f, reconciled(t.latest));
      } else if (r.agentId() != null && loop.agents().containsKey(r.agentId())
          && loop.agents().get(r.agentId()).status == io.mezzo.master.state.AgentEntry.Status.DISCONNECTED) {
        // Its agent has not come back yet (after a failover, until it reregisters): no answer, as Mesos
        // does for a transitioning agent; the framework asks again, and an answer of LOST now would
        // make it relaunch a task that may well be running.
        continue;
      } else {
        TaskState state = f.partitionAware() ? TaskState.TASK_UNKNOWN : TaskState.TASK_LOST;
        loop.sendUpdate(f, loop.masterStatus(r.taskId(), state, r.agentId(), "REASON_RECONCILIATION", "Reconciliation: task unknown"));
      }
    }
  }

  /** {@code s} as a reconciliation answer: from the master, with no uuid (it needs no acknowledgement). */
  private static TaskStatus reconciled(TaskStatus s) {
    return new TaskStatus(s.taskId(), s.state(), s.message(), TaskStatus.Source.SOURCE_MASTER,
        "REASON_RECONCILIATION", s.agentId(), s.timestamp(), null, s.healthy());
  }
}
