package io.mezzo.master;

import io.mezzo.core.http.HttpError;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.OfferId;
import io.mezzo.core.model.Resource;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.scheduler.Call;
import io.mezzo.master.registry.ZkStore;
import io.mezzo.master.state.AgentEntry;
import io.mezzo.master.state.ExecutorEntry;
import io.mezzo.master.state.FrameworkEntry;
import io.mezzo.master.state.OfferEntry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ACCEPT call: its offers are checked (outstanding, the caller's, one agent, one role) and taken
 * back, then its operations run in order on what they offered, each seeing the resources the
 * previous ones left: LAUNCH, LAUNCH_GROUP, RESERVE and UNRESERVE. What is left is filtered for the
 * framework as the call's {@code filters} say.
 *
 * <p>Part of the master loop: it runs only on the loop thread and changes state through the
 * {@link MasterLoop} it belongs to.
 */
final class OfferOperations {
  private static final Logger LOG = LoggerFactory.getLogger(OfferOperations.class);

  private final MasterLoop loop;
  private final ZkStore store;

  OfferOperations(MasterLoop loop, ZkStore store) {
    this.loop = loop;
    this.store = store;
  }

  /** ACCEPT: checks the offers, consumes them and performs the operations in order. */
  void accept(FrameworkEntry f, Call.Accept accept) {
    List<OfferId> offerIds = MasterLoop.nonNull(accept.offerIds(), "accept.offer_ids");
    List<Call.Operation> operations = accept.operations() == null ? List.of() : accept.operations();
    List<TaskInfo> launches = new ArrayList<>();
    for (int i = 0; i < operations.size(); i++) {
      launches.addAll(checkOperationShape(operations.get(i), "accept.operations[" + i + "]"));
    }
    // Validate the offers: all must be outstanding, this framework's, on one agent and for one role.
    String offerError = null;
    AgentId agentId = null;
    String role = null;
    Resources offered = Resources.EMPTY;
    Set<OfferId> seen = new HashSet<>();
    for (OfferId id : offerIds) {
      OfferEntry o = id == null ? null : loop.offers().get(id);
      if (o == null || !o.frameworkId().equals(f.id)) {
        offerError = "Offer " + id + " is no longer valid";
      } else if (!seen.add(id)) {
        offerError = "Offer " + id + " appears more than once";
      } else if (agentId != null && !agentId.equals(o.agentId())) {
        offerError = "Offers " + offerIds + " span more than one agent";
      } else if (role != null && !role.equals(o.role())) {
        offerError = "Offers " + offerIds + " are allocated to more than one role";
      } else {
        agentId = o.agentId();
        role = o.role();
        offered = offered.plus(o.resources());
      }
    }
    if (offerIds.isEmpty()) {
      offerError = "No offers given";
    }
    for (OfferId id : seen) {
      loop.removeOffer(id, false);
    }
    if (offerError != null) {
      TaskState state = f.partitionAware() ? TaskState.TASK_DROPPED : TaskState.TASK_LOST;
      for (TaskInfo t : launches) {
        if (t != null && t.taskId() != null) {
          loop.sendUpdate(f, loop.masterStatus(t.taskId(), state, t.agentId(), "REASON_INVALID_OFFERS", offerError));
        }
      }
      return;
    }
    AgentEntry agent = loop.agents().get(agentId);
    Resources remaining = offered;
    Set<TaskId> inThisCall = new HashSet<>();
    for (int i = 0; i < operations.size(); i++) {
      Call.Operation op = operations.get(i);
      String where = "accept.operations[" + i + "]";
      remaining = switch (op.type()) {
        case LAUNCH -> launchTasks(f, agent, role, remaining, op.launch().taskInfos(), where + ".launch", inThisCall);
        case LAUNCH_GROUP -> launchGroup(f, agent, role, remaining, op.launchGroup(), where + ".launch_group",
            inThisCall);
        case RESERVE -> reserve(f, agent, role, remaining, op.reserve().resources(), where + ".reserve", true);
        case UNRESERVE -> reserve(f, agent, role, remaining, op.unreserve().resources(), where + ".unreserve", false);
        default -> throw new IllegalStateException("BUG: operation " + op.type() + " passed the shape check");
      };
    }
    loop.setFilter(f, agentId, remaining, accept.filters());
  }

  /** Rejects operations Mezzo does not perform, or that lack their body; returns the tasks they launch. */
  private static List<TaskInfo> checkOperationShape(Call.Operation op, String where) {
    if (op == null || op.type() == null) {
      throw HttpError.badRequest(where + ".type: missing (expected: LAUNCH, LAUNCH_GROUP, RESERVE or UNRESERVE)");
    }
    switch (op.type()) {
      case LAUNCH -> {
        if (op.launch() == null || op.launch().taskInfos() == null) {
          throw HttpError.badRequest(where + ".launch.task_infos: missing");
        }
        return op.launch().taskInfos();
      }
      case LAUNCH_GROUP -> {
        if (op.launchGroup() == null || op.launchGroup().taskGroup() == null
            || op.launchGroup().taskGroup().tasks() == null || op.launchGroup().taskGroup().tasks().isEmpty()) {
          throw HttpError.badRequest(where + ".launch_group.task_group.tasks: missing (expected: at least one task)");
        }
        return op.launchGroup().taskGroup().tasks();
      }
      case RESERVE -> {
        if (op.reserve() == null || op.reserve().resources() == null || op.reserve().resources().isEmpty()) {
          throw HttpError.badRequest(where + ".reserve.resources: missing (expected: the resources to reserve)");
        }
        return List.of();
      }
      case UNRESERVE -> {
        if (op.unreserve() == null || op.unreserve().resources() == null || op.unreserve().resources().isEmpty()) {
          throw HttpError.badRequest(where + ".unreserve.resources: missing (expected: the reserved resources)");
        }
        return List.of();
      }
      default -> throw HttpError.badRequest(where + ".type: " + op.type()
          + " (expected: LAUNCH, LAUNCH_GROUP, RESERVE or UNRESERVE; persistent volumes are not supported)");
    }
  }

  /**
   * RESERVE ({@code reserving}) or UNRESERVE: dynamic reservations for the offer's role. The new
   * reservation is hard state: the agent's reservations are written to ZooKeeper before the call is
   * answered, and re-applied when the agent re-registers. An invalid operation is dropped with a
   * log line, as Mesos drops it; the offer's resources then return unchanged.
   */
  private Resources reserve(FrameworkEntry f, AgentEntry agent, String role, Resources remaining,
      List<Resource> wire, String where, boolean reserving) {
    Resources reserved;
    try {
      reserved = Resources.of(wire);
    } catch (IllegalArgumentException e) {
      LOG.warn("framework {}: dropping {}: {}", f.id, where, e.getMessage());
      return remaining;
    }
    String problem = null;
    if (!reserved.reserved().equals(reserved)) {
      problem = where + ".resources: " + reserved + " (expected: every resource with a reservation)";
    } else if (!reserved.reservationRoles().equals(Set.of(role))) {
      problem = where + ".resources: reserved to " + reserved.reservationRoles() + " (expected: the offer's role '"
          + role + "')";
    }
    Resources source = reserved.unreserve();
    Resources from = reserving ? source : reserved;
    Resources to = reserving ? reserved : source;
    if (problem == null && !remaining.contains(from)) {
      problem = where + ".resources: " + from + " (expected: within the offered " + remaining + ")";
    }
    if (problem == null && !reserving && !agent.dynamicReservations.contains(reserved)) {
      problem = where + ".resources: " + reserved + " (expected: dynamically reserved resources)";
    }
    if (problem != null) {
      LOG.warn("framework {}: dropping {}", f.id, problem);
      return remaining;
    }
    Resources reservations = reserving ? agent.dynamicReservations.plus(reserved)
        : agent.dynamicReservations.minus(reserved);
    store.putReservations(agent.id, reservations.toList()); // durable before the ACCEPT is answered
    agent.dynamicReservations = reservations;
    loop.setTotal(agent, agent.total.minus(from).plus(to));
    LOG.info("framework {} {} {} on agent {}", f.id, reserving ? "reserved" : "unreserved", reserved, agent.id);
    return remaining.minus(from).plus(to);
  }

  /** LAUNCH: each valid task that fits is launched; each invalid one gets TASK_ERROR. Returns what is left. */
  private Resources launchTasks(FrameworkEntry f, AgentEntry agent, String role, Resources remaining,
      List<TaskInfo> tasks, String where, Set<TaskId> inThisCall) {
    for (int i = 0; i < tasks.size(); i++) {
      TaskInfo task = tasks.get(i);
      String at = where + ".task_infos[" + i + "]";
      String problem = validateTask(f, task, agent.id, at, inThisCall, false);
      Resources needs = Resources.EMPTY;
      if (problem == null) {
        try {
          needs = Resources.of(task.resources());
          if (needs.isEmpty()) {
            problem = at + ".resources: empty (expected: some cpus or mem)";
          } else if (!remaining.contains(needs)) {
            problem = "Task uses more resources " + needs + " than available " + remaining;
          }
        } catch (IllegalArgumentException e) {
          problem = at + "." + e.getMessage();
        }
      }
      if (problem != null) {
        if (task != null && task.taskId() != null) {
          loop.sendUpdate(f, loop.masterStatus(task.taskId(), TaskState.TASK_ERROR, agent.id, "REASON_TASK_INVALID", problem));
        }
        continue;
      }
      inThisCall.add(task.taskId());
      remaining = remaining.minus(needs);
      loop.launch(f, agent, task.withAgentId(agent.id), needs, role, null);
    }
    return remaining;
  }

  /**
   * LAUNCH_GROUP: all tasks start together on the agent or none does (each gets TASK_ERROR naming
   * the problem). Mezzo plays Mesos's DEFAULT executor: the executor's resources are held while any
   * task of the group lives, and a task ending in anything but TASK_FINISHED kills the rest.
   */
  private Resources launchGroup(FrameworkEntry f, AgentEntry agent, String role, Resources remaining,
      Call.LaunchGroup group, String where, Set<TaskId> inThisCall) {
    List<TaskInfo> tasks = group.taskGroup().tasks();
    String problem = null;
    Call.ExecutorInfo executor = group.executor();
    Resources executorNeeds = Resources.EMPTY;
    if (executor == null || executor.executorId() == null || executor.executorId().value() == null
        || executor.executorId().value().isBlank()) {
      problem = where + ".executor.executor_id: missing (expected: the task group's executor id)";
    } else if (executor.type() != null && !executor.type().equals("DEFAULT")) {
      problem = where + ".executor.type: " + executor.type() + " (expected: DEFAULT)";
    } else if (f.executors.containsKey(executor.executorId().value())) {
      problem = where + ".executor.executor_id: '" + executor.executorId().value()
          + "' is in use (expected: a new executor per task group)";
    } else {
      try {
        executorNeeds = Resources.of(executor.resources());
      } catch (IllegalArgumentException e) {
        problem = where + ".executor." + e.getMessage();
      }
    }
    Resources needs = executorNeeds;
    Set<TaskId> groupIds = new HashSet<>();
    for (int i = 0; i < tasks.size() && problem == null; i++) {
      TaskInfo task = tasks.get(i);
      String at = where + ".task_group.tasks[" + i + "]";
      problem = validateTask(f, task, agent.id, at, inThisCall, true);
      if (problem == null && !groupIds.add(task.taskId())) {
        problem = at + ".task_id: '" + task.taskId() + "' appears twice in the group";
      }
      if (problem == null) {
        try {
          Resources r = Resources.of(task.resources());
          if (r.isEmpty()) {
            problem = at + ".resources: empty (expected: some cpus or mem)";
          }
          needs = needs.plus(r);
        } catch (IllegalArgumentException e) {
          problem = at + "." + e.getMessage();
        }
      }
    }
    if (problem == null && !remaining.contains(needs)) {
      problem = "Task group uses more resources " + needs + " than available " + remaining;
    }
    if (problem != null) {
      for (TaskInfo task : tasks) {
        if (task != null && task.taskId() != null) {
          loop.sendUpdate(f, loop.masterStatus(task.taskId(), TaskState.TASK_ERROR, agent.id, "REASON_TASK_GROUP_INVALID",
              problem));
        }
      }
      return remaining;
    }
    String executorId = executor.executorId().value();
    ExecutorEntry ex = new ExecutorEntry(executorId, agent.id, role, executorNeeds);
    f.executors.put(executorId, ex);
    if (!executorNeeds.isEmpty()) {
      agent.used = agent.used.plus(executorNeeds);
      f.hold(role, executorNeeds);
    }
    for (TaskInfo task : tasks) {
      inThisCall.add(task.taskId());
      ex.live.add(task.taskId());
      loop.launch(f, agent, task.withAgentId(agent.id), Resources.of(task.resources()), role, executorId);
    }
    return remaining.minus(needs);
  }

  private String validateTask(FrameworkEntry f, TaskInfo task, AgentId agentId, String where, Set<TaskId> inThisCall,
      boolean inGroup) {
    if (task == null) {
      return where + ": null (expected: a TaskInfo)";
    }
    if (task.taskId() == null) {
      return where + ".task_id: missing (expected: a task id)";
    }
    if (task.name() == null || task.name().isEmpty()) {
      return where + ".name: missing (expected: a task name)";
    }
    if (f.tasks.containsKey(task.taskId()) || inThisCall.contains(task.taskId())) {
      return "Task " + task.taskId() + " is a duplicate: task_id '" + task.taskId()
          + "' is in use (expected: a task id unique among the framework's active tasks)";
    }
    if (task.agentId() != null && !task.agentId().equals(agentId)) {
      return where + ".agent_id: '" + task.agentId() + "' (expected: the offer's agent '" + agentId + "')";
    }
    if (task.executor() != null && !task.executor().isNull()) {
      return where + ".executor: set (expected: " + (inGroup ? "no executor in a task group's tasks"
          : "a command task; custom executors are not supported") + ")";
    }
    boolean container;
    try {
      container = io.mezzo.core.model.ContainerInfo.parse(task.container()).isPresent();
    } catch (IllegalArgumentException e) {
      return where + "." + e.getMessage();
    }
    if (!container && (task.command() == null || task.command().value() == null || task.command().value().isBlank())) {
      return where + ".command.value: missing (expected: the command to run, or a container whose image has one)";
    }
    return null;
  }
}
