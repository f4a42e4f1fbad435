package io.mezzo.core.scheduler;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.model.OfferId;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import java.util.List;

/**
 * A call from a framework to the master on {@code POST /api/v1/scheduler}, in the Mesos v1 JSON
 * shape. Exactly the body matching {@code type} is expected to be present.
 */
public record Call(
    FrameworkId frameworkId,
    Type type,
    Subscribe subscribe,
    Accept accept,
    Decline decline,
    Kill kill,
    Acknowledge acknowledge,
    Reconcile reconcile,
    Revive revive,
    Suppress suppress,
    Shutdown shutdown,
    Message message) {

  public Call(FrameworkId frameworkId, Type type, Subscribe subscribe, Accept accept, Decline decline, Kill kill,
      Acknowledge acknowledge, Reconcile reconcile, Revive revive, Suppress suppress) {
    this(frameworkId, type, subscribe, accept, decline, kill, acknowledge, reconcile, revive, suppress, null, null);
  }

  /** Call types of the v1 scheduler API that Mezzo answers. */
  public enum Type {
    SUBSCRIBE,
    TEARDOWN,
    ACCEPT,
    DECLINE,
    REVIVE,
    SUPPRESS,
    KILL,
    ACKNOWLEDGE,
    RECONCILE,
    SHUTDOWN,
    MESSAGE
  }

  /** SUBSCRIBE body; {@code suppressed_roles} start suppressed. */
  public record Subscribe(FrameworkInfo frameworkInfo, List<String> suppressedRoles) {
    public Subscribe(FrameworkInfo frameworkInfo) {
      this(frameworkInfo, null);
    }
  }

  /** Offer filters; {@code refuse_seconds} defaults to 5. */
  public record Filters(Double refuseSeconds) {}

  /** ACCEPT body. */
  public record Accept(List<OfferId> offerIds, List<Operation> operations, Filters filters) {}

  /** DECLINE body. */
  public record Decline(List<OfferId> offerIds, Filters filters) {}

  /** KILL body; a kill policy overrides the task's own for this kill. */
  public record Kill(TaskId taskId, AgentId agentId, TaskInfo.KillPolicy killPolicy) {
    public Kill(TaskId taskId, AgentId agentId) {
      this(taskId, agentId, null);
    }
  }

  /** SHUTDOWN body: stop an executor (in Mezzo, every task of a task group's executor). */
  public record Shutdown(ExecutorId executorId, AgentId agentId) {}

  /** MESSAGE body: opaque base64 {@code data} for an executor. */
  public record Message(AgentId agentId, ExecutorId executorId, String data) {}

  /** An executor id ({@code {"value": ...}}). */
  public record ExecutorId(String value) {}

  /** ACKNOWLEDGE body; {@code uuid} is the base64 uuid of the update. */
  public record Acknowledge(AgentId agentId, TaskId taskId, String uuid) {}

  /** RECONCILE body: an empty list asks for every task of the framework. */
  public record Reconcile(List<ReconcileTask> tasks) {}

  /** One task to reconcile. */
  public record ReconcileTask(TaskId taskId, AgentId agentId) {}

  /** REVIVE body: the roles to revive (all of the framework's when empty); their filters are cleared. */
  public record Revive(List<String> roles) {}

  /** SUPPRESS body: the roles to suppress (all of the framework's when empty). */
  public record Suppress(List<String> roles) {}

  /**
   * An offer operation: LAUNCH, LAUNCH_GROUP, RESERVE and UNRESERVE are performed; CREATE and
   * DESTROY (persistent volumes) are refused with a reason.
   */
  public record Operation(OperationType type, Launch launch, LaunchGroup launchGroup, Reserve reserve,
      Unreserve unreserve) {
    public Operation(OperationType type, Launch launch) {
      this(type, launch, null, null, null);
    }
  }

  /** LAUNCH_GROUP body: tasks run together under one executor on one agent. */
  public record LaunchGroup(ExecutorInfo executor, TaskGroup taskGroup) {}

  /** The tasks of a LAUNCH_GROUP. */
  public record TaskGroup(List<TaskInfo> tasks) {}

  /** The executor of a task group (Mezzo plays Mesos's DEFAULT executor). */
  public record ExecutorInfo(String type, ExecutorId executorId, FrameworkId frameworkId,
      List<io.mezzo.core.model.Resource> resources) {}

  /** RESERVE body: resources (with their new reservation) taken from the offer. */
  public record Reserve(List<io.mezzo.core.model.Resource> resources) {}

  /** UNRESERVE body: reserved resources of the offer to give back to {@code *}. */
  public record Unreserve(List<io.mezzo.core.model.Resource> resources) {}

  /** Offer operation types (those beyond LAUNCH are refused with a clear reason for now). */
  public enum OperationType {
    LAUNCH,
    LAUNCH_GROUP,
    RESERVE,
    UNRESERVE,
    CREATE,
    DESTROY
  }

  /** LAUNCH operation body. */
  public record Launch(List<TaskInfo> taskInfos) {}

  public static Call of(FrameworkId id, Type type) {
    return new Call(id, type, null, null, null, null, null, null, null, null);
  }

  public static Call subscribe(FrameworkInfo info) {
    return new Call(info.id(), Type.SUBSCRIBE, new Subscribe(info), null, null, null, null, null, null, null);
  }

  public static Call accept(FrameworkId id, List<OfferId> offers, List<TaskInfo> tasks, Double refuseSeconds) {
    return new Call(id, Type.ACCEPT, null,
        new Accept(offers, List.of(new Operation(OperationType.LAUNCH, new Launch(tasks))),
            new Filters(refuseSeconds)),
        null, null, null, null, null, null);
  }

  public static Call decline(FrameworkId id, List<OfferId> offers, Double refuseSeconds) {
    return new Call(id, Type.DECLINE, null, null, new Decline(offers, new Filters(refuseSeconds)),
        null, null, null, null, null);
  }

  public static Call kill(FrameworkId id, TaskId task, AgentId agent) {
    return new Call(id, Type.KILL, null, null, null, new Kill(task, agent), null, null, null, null);
  }

  public static Call acknowledge(FrameworkId id, AgentId agent, TaskId task, String uuid) {
    return new Call(id, Type.ACKNOWLEDGE, null, null, null, null, new Acknowledge(agent, task, uuid),
        null, null, null);
  }

  public static Call reconcile(FrameworkId id, List<ReconcileTask> tasks) {
    return new Call(id, Type.RECONCILE, null, null, null, null, null, new Reconcile(tasks), null, null);
  }
}
