package io.mezzo.master;

import io.mezzo.core.agentapi.AgentCall;
import io.mezzo.core.agentapi.AgentEvent;
import io.mezzo.core.http.HttpError;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpStream;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.AgentInfo;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.OfferId;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.core.recordio.RecordIo;
import io.mezzo.core.scheduler.Call;
import io.mezzo.core.scheduler.Event;
import io.mezzo.master.allocator.Allocation;
import io.mezzo.master.allocator.AllocationView;
import io.mezzo.master.allocator.Allocator;
import io.mezzo.master.operator.AgentMaintenance;
import io.mezzo.master.operator.ClusterView;
import io.mezzo.master.operator.OperatorState;
import io.mezzo.master.operator.OperatorStore;
import io.mezzo.master.registry.ZkStore;
import io.mezzo.master.state.AgentEntry;
import io.mezzo.master.state.FrameworkEntry;
import io.mezzo.master.state.OfferEntry;
import io.mezzo.master.state.TaskEntry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's state and every change to it. One thread, the loop, owns all of it: HTTP handlers,
 * stream callbacks and timers hand work over with {@link #call} or {@link #execute}, and nothing
 * else reads or writes the maps (as in Kafka's QuorumController, a single thread avoids locking).
 *
 * <p>Hard state (agent admissions, framework registrations) is written to the {@link ZkStore} before
 * the agent or framework is answered. Soft state (connections, offers, filters, task states) lives
 * only here and is rebuilt from agents when they resubscribe.
 */
final class MasterLoop {
  private static final Logger LOG = LoggerFactory.getLogger(MasterLoop.class);
  private static final double DEFAULT_REFUSE_SECONDS = 5.0;
  private static final double MAX_REFUSE_SECONDS = 365.0 * 24 * 3600;

  private final MasterConfig config;
  private final ScheduledExecutorService loop;
  private final ZkStore store;
  private final Allocator allocator;
  private final Clock clock;
  private final LongSupplier nanos;
  private final String masterId;

  private final Map<AgentId, AgentEntry> agents = new LinkedHashMap<>();
  private final Map<FrameworkId, FrameworkEntry> frameworks = new LinkedHashMap<>();
  private final List<FrameworkEntry> completedFrameworks = new ArrayList<>();
  private final Map<OfferId, OfferEntry> offers = new LinkedHashMap<>();
  private long nextFrameworkId;
  private long nextAgentId;
  private long nextOfferId;
  private boolean allocationPending;
  /** Operator API state: maintenance orders, roles config, event subscribers, metrics. */
  private final OperatorState ops = new OperatorState();

  MasterLoop(MasterConfig config, ScheduledExecutorService loop, ZkStore store, Allocator allocator,
      Clock clock, LongSupplier nanos, String masterId) {
    this.config = config;
    this.loop = loop;
    this.store = store;
    this.allocator = allocator;
    this.clock = clock;
    this.nanos = nanos;
    this.masterId = masterId;
  }

  String masterId() {
    return masterId;
  }

  // ---------------------------------------------------------------- hand-over

  /** Runs {@code work} on the loop; its result or exception completes the future. */
  <T> CompletableFuture<T> call(Callable<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    loop.execute(() -> {
      try {
        f.complete(work.call());
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
    });
    return f;
  }

  void execute(Runnable work) {
    loop.execute(() -> {
      try {
        work.run();
      } catch (RuntimeException e) {
        LOG.error("BUG: master loop task failed", e);
      }
    });
  }

  /** Recovers hard state and starts the timers. Runs on the loop. */
  void start() {
    long now = nanos.getAsLong();
    for (AgentInfo info : store.agents()) {
      AgentEntry a = new AgentEntry(info.id(), info);
      a.status = AgentEntry.Status.DISCONNECTED;
      a.lastHeartbeatNanos = now; // it gets a full timeout to come back
      agents.put(a.id, a);
    }
    for (FrameworkInfo info : store.frameworks()) {
      FrameworkEntry f = new FrameworkEntry(info.id(), info);
      frameworks.put(f.id, f);
      scheduleFailover(f, config.agentTimeout().toMillis());
    }
    new OperatorStore(store).recover(ops);
    if (!agents.isEmpty() || !frameworks.isEmpty()) {
      LOG.info("recovered {} agent(s) and {} framework(s) from ZooKeeper", agents.size(), frameworks.size());
    }
    long hb = config.agentHeartbeatInterval().toMillis();
    loop.scheduleWithFixedDelay(() -> execute(this::checkAgents), hb, hb, TimeUnit.MILLISECONDS);
    long fhb = config.frameworkHeartbeatInterval().toMillis();
    loop.scheduleWithFixedDelay(() -> execute(this::heartbeatFrameworks), fhb, fhb, TimeUnit.MILLISECONDS);
    loop.scheduleWithFixedDelay(() -> execute(ops.events()::heartbeat), fhb, fhb, TimeUnit.MILLISECONDS);
    long alloc = config.allocationInterval().toMillis();
    loop.scheduleWithFixedDelay(() -> execute(this::allocate), alloc, alloc, TimeUnit.MILLISECONDS);
  }

  // ---------------------------------------------------------------- frameworks

  HttpResponse subscribeFramework(Call call) {
    if (call.subscribe() == null || call.subscribe().frameworkInfo() == null) {
      throw HttpError.badRequest("subscribe.framework_info: missing (expected: the framework's FrameworkInfo)");
    }
    FrameworkInfo info = call.subscribe().frameworkInfo();
    if (info.user() == null || info.user().isBlank()) {
      throw HttpError.badRequest("subscribe.framework_info.user: missing (expected: a user name)");
    }
    if (info.name() == null || info.name().isBlank()) {
      throw HttpError.badRequest("subscribe.framework_info.name: missing (expected: a framework name)");
    }
    if (info.failoverTimeout() != null && !(info.failoverTimeout() >= 0)) {
      throw HttpError.badRequest("subscribe.framework_info.failover_timeout: " + info.failoverTimeout()
          + " (expected: >= 0 seconds)");
    }
    FrameworkId id = info.id();
    if (call.frameworkId() != null && id != null && !call.frameworkId().equals(id)) {
      throw HttpError.badRequest("framework_id: '" + call.frameworkId() + "' (expected: the same as "
          + "subscribe.framework_info.id '" + id + "')");
    }
    if (id == null) {
      id = call.frameworkId();
    }
    for (FrameworkEntry done : completedFrameworks) {
      if (done.id.equals(id)) {
        throw new HttpError(403, "framework " + id + " was torn down (expected: subscribe without an id)");
      }
    }
    if (id == null) {
      id = new FrameworkId(masterId + "-" + String.format("%04d", nextFrameworkId++));
    }
    info = info.withId(id);
    store.putFramework(info); // durable before SUBSCRIBED is sent
    FrameworkEntry f = frameworks.get(id);
    double now = nowSeconds();
    if (f == null) {
      f = new FrameworkEntry(id, info);
      f.registeredTime = now;
      frameworks.put(id, f);
      LOG.info("framework {} ({}) subscribed", id, info.name());
      ops.onFrameworkAdded(f);
    } else {
      f.info = info;
      if (f.stream != null) {
        f.stream.send(f.encoder.apply(Event.error("Framework failed over")));
        f.stream.close();
      }
      LOG.info("framework {} ({}) resubscribed", id, info.name());
      ops.onFrameworkUpdated(f);
    }
    f.generation++;
    f.stream = null;
    f.streamId = UUID.randomUUID().toString();
    f.unregisteredTime = 0;
    String streamId = f.streamId;
    FrameworkId fid = id;
    return HttpResponse.stream(HttpResponse.JSON, Map.of("Mesos-Stream-Id", streamId),
        stream -> execute(() -> attachFramework(fid, streamId, stream)));
  }

  private void attachFramework(FrameworkId id, String streamId, HttpStream stream) {
    FrameworkEntry f = frameworks.get(id);
    if (f == null || !streamId.equals(f.streamId)) {
      stream.close();
      return;
    }
    f.stream = stream;
    send(f, Event.subscribed(id, config.frameworkHeartbeatInterval().toMillis() / 1000.0));
    stream.onClose(() -> execute(() -> frameworkDisconnected(id, stream)));
    requestAllocation();
  }

  private void frameworkDisconnected(FrameworkId id, HttpStream stream) {
    FrameworkEntry f = frameworks.get(id);
    if (f == null || f.stream != stream) {
      return;
    }
    f.stream = null;
    f.unregisteredTime = nowSeconds();
    for (OfferId o : new ArrayList<>(f.offers)) {
      removeOffer(o, false);
    }
    double timeout = f.info.failoverTimeout() == null ? 0 : f.info.failoverTimeout();
    LOG.info("framework {} disconnected; failover timeout {} s", id, timeout);
    ops.onFrameworkUpdated(f);
    scheduleFailover(f, (long) Math.min(timeout * 1000, Long.MAX_VALUE / 4));
  }

  private void scheduleFailover(FrameworkEntry f, long delayMs) {
    long generation = f.generation;
    Runnable expire = () -> {
      FrameworkEntry now = frameworks.get(f.id);
      if (now != null && now.generation == generation && !now.isConnected()) {
        LOG.info("framework {} did not resubscribe within its failover timeout: removing it", f.id);
        removeFramework(now);
      }
    };
    if (delayMs <= 0) {
      expire.run();
    } else {
      loop.schedule(() -> execute(expire), delayMs, TimeUnit.MILLISECONDS);
    }
  }

  /** Validates the stream id of a non-SUBSCRIBE call and returns the caller's framework. */
  FrameworkEntry caller(Call call, String streamId) {
    if (call.frameworkId() == null) {
      throw HttpError.badRequest("framework_id: missing (expected: the id from SUBSCRIBED)");
    }
    FrameworkEntry f = frameworks.get(call.frameworkId());
    if (f == null) {
      throw new HttpError(403, "framework_id: '" + call.frameworkId() + "' is not subscribed");
    }
    if (streamId == null) {
      throw HttpError.badRequest("Mesos-Stream-Id: missing header (expected: the id from the SUBSCRIBE response)");
    }
    if (!streamId.equals(f.streamId)) {
      throw new HttpError(403, "Mesos-Stream-Id: '" + streamId + "' (expected: the current stream of framework "
          + f.id + ")");
    }
    return f;
  }

  HttpResponse handle(Call call, String streamId) {
    FrameworkEntry f = caller(call, streamId);
    switch (call.type()) {
      case TEARDOWN -> {
        LOG.info("framework {} asked for TEARDOWN", f.id);
        removeFramework(f);
      }
      case ACCEPT -> accept(f, require(call.accept(), "accept"));
      case DECLINE -> {
        Call.Decline d = require(call.decline(), "decline");
        declineOffers(f, nonNull(d.offerIds(), "decline.offer_ids"), d.filters());
      }
      case REVIVE -> {
        f.suppressed = false;
        f.filters.clear();
        requestAllocation();
      }
      case SUPPRESS -> f.suppressed = true;
      case KILL -> kill(f, require(call.kill(), "kill"));
      case ACKNOWLEDGE -> acknowledge(f, require(call.acknowledge(), "acknowledge"));
      case RECONCILE -> reconcile(f, require(call.reconcile(), "reconcile"));
      case SUBSCRIBE -> throw new IllegalStateException("BUG: SUBSCRIBE routed to handle()");
      default -> throw HttpError.badRequest("type: " + call.type() + " (expected: a supported call type)");
    }
    return HttpResponse.empty(202);
  }

  private void accept(FrameworkEntry f, Call.Accept accept) {
    List<OfferId> offerIds = nonNull(accept.offerIds(), "accept.offer_ids");
    List<Call.Operation> operations = accept.operations() == null ? List.of() : accept.operations();
    List<TaskInfo> launches = new ArrayList<>();
    for (int i = 0; i < operations.size(); i++) {
      Call.Operation op = operations.get(i);
      if (op == null || op.type() == null) {
        throw HttpError.badRequest("accept.operations[" + i + "].type: missing (expected: LAUNCH)");
      }
      if (op.type() != Call.OperationType.LAUNCH) {
        throw HttpError.badRequest("accept.operations[" + i + "].type: " + op.type()
            + " (expected: LAUNCH; other operations are not supported yet)");
      }
      if (op.launch() == null || op.launch().taskInfos() == null) {
        throw HttpError.badRequest("accept.operations[" + i + "].launch.task_infos: missing");
      }
      launches.addAll(op.launch().taskInfos());
    }
    // Validate the offers: all must be outstanding, this framework's, and on one agent.
    String offerError = null;
    AgentId agentId = null;
    Resources offered = Resources.EMPTY;
    Set<OfferId> seen = new HashSet<>();
    for (OfferId id : offerIds) {
      OfferEntry o = id == null ? null : offers.get(id);
      if (o == null || !o.frameworkId().equals(f.id)) {
        offerError = "Offer " + id + " is no longer valid";
      } else if (!seen.add(id)) {
        offerError = "Offer " + id + " appears more than once";
      } else if (agentId != null && !agentId.equals(o.agentId())) {
        offerError = "Offers " + offerIds + " span more than one agent";
      } else {
        agentId = o.agentId();
        offered = offered.plus(o.resources());
      }
    }
    if (offerIds.isEmpty()) {
      offerError = "No offers given";
    }
    for (OfferId id : seen) {
      removeOffer(id, false);
    }
    if (offerError != null) {
      TaskState state = f.partitionAware() ? TaskState.TASK_DROPPED : TaskState.TASK_LOST;
      for (TaskInfo t : launches) {
        if (t != null && t.taskId() != null) {
          sendUpdate(f, masterStatus(t.taskId(), state, t.agentId(), "REASON_INVALID_OFFERS", offerError));
        }
      }
      requestAllocation();
      return;
    }
    AgentEntry agent = agents.get(agentId);
    Resources remaining = offered;
    Set<TaskId> inThisCall = new HashSet<>();
    for (int i = 0; i < launches.size(); i++) {
      TaskInfo task = launches.get(i);
      String where = "task_infos[" + i + "]";
      String problem = validateTask(f, task, agentId, where, inThisCall);
      Resources needs = Resources.EMPTY;
      if (problem == null) {
        try {
          needs = Resources.of(task.resources());
          if (needs.isEmpty()) {
            problem = where + ".resources: empty (expected: some cpus or mem)";
          } else if (!remaining.contains(needs)) {
            problem = "Task uses more resources " + needs + " than available " + remaining;
          }
        } catch (IllegalArgumentException e) {
          problem = where + "." + e.getMessage();
        }
      }
      if (problem != null) {
        if (task != null && task.taskId() != null) {
          sendUpdate(f, masterStatus(task.taskId(), TaskState.TASK_ERROR, agentId, "REASON_TASK_INVALID", problem));
        }
        continue;
      }
      inThisCall.add(task.taskId());
      remaining = remaining.minus(needs);
      launch(f, agent, task.withAgentId(agentId), needs);
    }
    setFilter(f, agentId, remaining, accept.filters());
    requestAllocation();
  }

  private String validateTask(FrameworkEntry f, TaskInfo task, AgentId agentId, String where, Set<TaskId> inThisCall) {
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
      return where + ".executor: set (expected: a command task; custom executors are not supported yet)";
    }
    if (task.command() == null || task.command().value() == null || task.command().value().isBlank()) {
      return where + ".command.value: missing (expected: the command to run)";
    }
    return null;
  }

  private void launch(FrameworkEntry f, AgentEntry agent, TaskInfo task, Resources needs) {
    TaskStatus staging = new TaskStatus(task.taskId(), TaskState.TASK_STAGING, null, TaskStatus.Source.SOURCE_MASTER,
        null, agent.id, nowSeconds(), null, null);
    TaskEntry entry = new TaskEntry(task, f.id, agent.id, needs, staging);
    f.tasks.put(task.taskId(), entry);
    agent.used = agent.used.plus(needs);
    sendAgent(agent, AgentEvent.launch(f.id, task));
    ops.onTaskAdded(entry);
    LOG.debug("launching task {} of framework {} on agent {}", task.taskId(), f.id, agent.id);
  }

  private void declineOffers(FrameworkEntry f, List<OfferId> ids, Call.Filters filters) {
    Map<AgentId, Resources> declined = new HashMap<>();
    for (OfferId id : ids) {
      OfferEntry o = id == null ? null : offers.get(id);
      if (o != null && o.frameworkId().equals(f.id)) {
        declined.merge(o.agentId(), o.resources(), Resources::plus);
        removeOffer(id, false);
      }
    }
    declined.forEach((agent, r) -> setFilter(f, agent, r, filters));
    requestAllocation();
  }

  private void setFilter(FrameworkEntry f, AgentId agent, Resources refused, Call.Filters filters) {
    double seconds = filters == null || filters.refuseSeconds() == null
        ? DEFAULT_REFUSE_SECONDS : filters.refuseSeconds();
    if (!(seconds > 0) || refused.isEmpty()) {
      return;
    }
    seconds = Math.min(seconds, MAX_REFUSE_SECONDS);
    f.filters.put(agent, new AllocationView.Filter(refused, nanos.getAsLong() + (long) (seconds * 1e9)));
  }

  private void kill(FrameworkEntry f, Call.Kill kill) {
    if (kill.taskId() == null) {
      throw HttpError.badRequest("kill.task_id: missing (expected: the task to kill)");
    }
    TaskEntry t = f.tasks.get(kill.taskId());
    if (t == null || t.state().isTerminal()) {
      TaskState state = f.partitionAware() ? TaskState.TASK_UNKNOWN : TaskState.TASK_LOST;
      TaskStatus status = t != null ? t.latest.withUuid(null)
          : masterStatus(kill.taskId(), state, kill.agentId(), "REASON_RECONCILIATION", "Attempted to kill an unknown task");
      sendUpdate(f, status);
      return;
    }
    AgentEntry agent = agents.get(t.agentId);
    if (agent != null && agent.isActive()) {
      sendAgent(agent, AgentEvent.kill(f.id, t.info.taskId(), config.killGracePeriod().toMillis() / 1000.0));
    } else {
      LOG.info("kill of task {} deferred: agent {} is not connected", t.info.taskId(), t.agentId);
    }
  }

  private void acknowledge(FrameworkEntry f, Call.Acknowledge ack) {
    if (ack.taskId() == null || ack.agentId() == null || ack.uuid() == null) {
      throw HttpError.badRequest("acknowledge: task_id, agent_id and uuid are all required");
    }
    TaskEntry t = f.tasks.get(ack.taskId());
    AgentEntry agent = agents.get(ack.agentId());
    if (agent != null && agent.isActive()) {
      sendAgent(agent, AgentEvent.acknowledge(f.id, ack.taskId(), ack.uuid()));
    }
    if (t != null && t.state().isTerminal() && ack.uuid().equals(t.latest.uuid())) {
      f.complete(t);
    }
  }

  private void reconcile(FrameworkEntry f, Call.Reconcile reconcile) {
    List<Call.ReconcileTask> asked = reconcile.tasks() == null ? List.of() : reconcile.tasks();
    if (asked.isEmpty()) {
      for (TaskEntry t : f.tasks.values()) {
        sendUpdate(f, reconciled(t.latest));
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
        sendUpdate(f, reconciled(t.latest));
      } else {
        TaskState state = f.partitionAware() ? TaskState.TASK_UNKNOWN : TaskState.TASK_LOST;
        sendUpdate(f, masterStatus(r.taskId(), state, r.agentId(), "REASON_RECONCILIATION", "Reconciliation: task unknown"));
      }
    }
  }

  private TaskStatus reconciled(TaskStatus s) {
    return new TaskStatus(s.taskId(), s.state(), s.message(), TaskStatus.Source.SOURCE_MASTER,
        "REASON_RECONCILIATION", s.agentId(), s.timestamp(), null, s.healthy());
  }

  private void removeFramework(FrameworkEntry f) {
    for (OfferId o : new ArrayList<>(f.offers)) {
      removeOffer(o, false);
    }
    for (TaskEntry t : new ArrayList<>(f.tasks.values())) {
      AgentEntry agent = agents.get(t.agentId);
      if (!t.state().isTerminal() && agent != null && agent.isActive()) {
        sendAgent(agent, AgentEvent.kill(f.id, t.info.taskId(), config.killGracePeriod().toMillis() / 1000.0));
      }
      if (!t.state().isTerminal()) {
        t.record(masterStatus(t.info.taskId(), TaskState.TASK_KILLED, t.agentId, "REASON_FRAMEWORK_REMOVED",
            "Framework " + f.id + " removed"));
        ops.onTaskUpdated(t, t.latest);
      }
      releaseResources(t);
      f.complete(t);
    }
    if (f.stream != null) {
      f.stream.close();
      f.stream = null;
    }
    frameworks.remove(f.id);
    f.unregisteredTime = nowSeconds();
    completedFrameworks.add(f);
    if (completedFrameworks.size() > 100) {
      completedFrameworks.remove(0);
    }
    store.removeFramework(f.id);
    ops.onFrameworkRemoved(f);
    new ArrayList<>(ops.maintenance().keySet()).forEach(this::checkDrained);
    requestAllocation();
  }

  // ---------------------------------------------------------------- agents

  HttpResponse subscribeAgent(AgentCall call) {
    AgentCall.Subscribe sub = call.subscribe();
    if (sub == null || sub.agentInfo() == null) {
      throw HttpError.badRequest("subscribe.agent_info: missing (expected: the agent's AgentInfo)");
    }
    AgentInfo info = sub.agentInfo();
    if (info.hostname() == null || info.hostname().isBlank()) {
      throw HttpError.badRequest("subscribe.agent_info.hostname: missing (expected: the agent's host name)");
    }
    if (info.port() < 0 || info.port() > 65535) {
      throw HttpError.badRequest("subscribe.agent_info.port: " + info.port() + " (expected: 0..65535)");
    }
    Resources total;
    try {
      total = Resources.of(info.resources());
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("subscribe.agent_info." + e.getMessage());
    }
    if (info.id() != null && ops.mode(info.id()) == AgentMaintenance.Mode.GONE) {
      throw new HttpError(403, "subscribe.agent_info.id: '" + info.id() + "' was drained and marked gone"
          + " (expected: a new agent, without an id)");
    }
    if (info.id() == null) {
      info = info.withId(new AgentId(masterId + "-S" + nextAgentId++));
    }
    store.putAgent(info); // durable admission before SUBSCRIBED
    AgentId id = info.id();
    AgentEntry agent = agents.get(id);
    boolean wasUnreachable = agent != null && agent.status == AgentEntry.Status.UNREACHABLE;
    double now = nowSeconds();
    if (agent == null) {
      agent = new AgentEntry(id, info);
      agent.registeredTime = now;
      agents.put(id, agent);
      LOG.info("agent {} at {}:{} registered with {}", id, info.hostname(), info.port(), total);
    } else {
      if (agent.stream != null) {
        agent.stream.close();
      }
      for (OfferEntry o : offersOf(id)) {
        removeOffer(o.id(), true);
      }
      agent.info = info;
      agent.total = total;
      agent.reregisteredTime = now;
      LOG.info("agent {} at {}:{} re-registered{}", id, info.hostname(), info.port(),
          wasUnreachable ? " after being unreachable" : "");
    }
    agent.stream = null;
    agent.status = AgentEntry.Status.ACTIVE;
    agent.lastHeartbeatNanos = nanos.getAsLong();
    List<AgentEvent> followUps = reconcileAgentTasks(agent, sub.tasks() == null ? List.of() : sub.tasks(), wasUnreachable);
    AgentEntry admitted = agent;
    return HttpResponse.stream(HttpResponse.JSON, Map.of(),
        stream -> execute(() -> attachAgent(admitted, stream, followUps)));
  }

  private List<AgentEvent> reconcileAgentTasks(AgentEntry agent, List<AgentCall.AgentTask> reported, boolean wasUnreachable) {
    List<AgentEvent> followUps = new ArrayList<>();
    Set<TaskId> seen = new HashSet<>();
    for (AgentCall.AgentTask at : reported) {
      if (at == null || at.task() == null || at.task().taskId() == null || at.frameworkId() == null || at.status() == null) {
        continue;
      }
      TaskId tid = at.task().taskId();
      seen.add(tid);
      FrameworkEntry f = frameworks.get(at.frameworkId());
      TaskEntry t = f == null ? null : f.tasks.get(tid);
      boolean running = !at.status().state().isTerminal();
      if (f == null || (t == null && running && wasUnreachable && !f.partitionAware())) {
        // The framework is gone, or was told the task is lost: the task must not live on.
        if (running) {
          followUps.add(AgentEvent.kill(at.frameworkId(), tid, config.killGracePeriod().toMillis() / 1000.0));
        }
        continue;
      }
      if (t == null) {
        Resources r;
        try {
          r = Resources.of(at.task().resources());
        } catch (IllegalArgumentException e) {
          r = Resources.EMPTY;
        }
        t = new TaskEntry(at.task().withAgentId(agent.id), f.id, agent.id, r, at.status().withUuid(null));
        t.holdsResources = running;
        f.tasks.put(tid, t);
        continue;
      }
      if (!t.agentId.equals(agent.id)) {
        continue;
      }
      if (t.state() != at.status().state()) {
        TaskState before = t.state();
        t.record(at.status());
        if (before == TaskState.TASK_UNREACHABLE) {
          sendUpdate(f, new TaskStatus(tid, at.status().state(), at.status().message(), TaskStatus.Source.SOURCE_MASTER,
              "REASON_AGENT_REREGISTERED", agent.id, nowSeconds(), null, at.status().healthy()));
        }
      }
      if (!running) {
        t.holdsResources = false;
      }
    }
    // Tasks the master launched there that the agent no longer knows.
    for (FrameworkEntry f : frameworks.values()) {
      for (TaskEntry t : new ArrayList<>(f.tasks.values())) {
        if (t.agentId.equals(agent.id) && !seen.contains(t.info.taskId()) && !t.state().isTerminal()) {
          TaskState state = f.partitionAware() ? TaskState.TASK_DROPPED : TaskState.TASK_LOST;
          TaskStatus s = masterStatus(t.info.taskId(), state, agent.id, "REASON_AGENT_REREGISTERED",
              "Task is unknown to agent " + agent.id + " after it re-registered");
          updateTask(f, t, s);
        }
      }
    }
    recomputeUsed(agent);
    return followUps;
  }

  private void attachAgent(AgentEntry agent, HttpStream stream, List<AgentEvent> followUps) {
    if (agents.get(agent.id) != agent || agent.stream != null || agent.status != AgentEntry.Status.ACTIVE) {
      stream.close();
      return;
    }
    agent.stream = stream;
    stream.send(frame(AgentEvent.subscribed(agent.id, config.agentHeartbeatInterval().toMillis() / 1000.0)));
    for (AgentEvent e : followUps) {
      stream.send(frame(e));
    }
    stream.onClose(() -> execute(() -> agentDisconnected(agent.id, stream)));
    requestAllocation();
    ops.onAgentAdded(agent);
    killForDrain(agent);
  }

  private void agentDisconnected(AgentId id, HttpStream stream) {
    AgentEntry agent = agents.get(id);
    if (agent == null || agent.stream != stream) {
      return;
    }
    agent.stream = null;
    if (agent.status == AgentEntry.Status.ACTIVE) {
      agent.status = AgentEntry.Status.DISCONNECTED;
      LOG.info("agent {} disconnected; unreachable after {} without heartbeats", id, config.agentTimeout());
    }
    for (OfferEntry o : offersOf(id)) {
      removeOffer(o.id(), true);
    }
  }

  HttpResponse agentCall(AgentCall call) {
    if (call.agentId() == null) {
      throw HttpError.badRequest("agent_id: missing (expected: the id from SUBSCRIBED)");
    }
    AgentEntry agent = agents.get(call.agentId());
    if (agent == null || agent.status == AgentEntry.Status.UNREACHABLE) {
      throw HttpError.notFound("agent_id: '" + call.agentId() + "' is not registered (expected: SUBSCRIBE first)");
    }
    agent.lastHeartbeatNanos = nanos.getAsLong();
    if (call.type() == AgentCall.Type.UPDATE) {
      if (call.update() == null || call.update().status() == null || call.update().frameworkId() == null) {
        throw HttpError.badRequest("update: framework_id and status are required");
      }
      statusUpdate(agent, call.update().frameworkId(), call.update().status());
    }
    return HttpResponse.empty(202);
  }

  private void statusUpdate(AgentEntry agent, FrameworkId fid, TaskStatus status) {
    if (status.taskId() == null || status.state() == null) {
      throw HttpError.badRequest("update.status: task_id and state are required");
    }
    FrameworkEntry f = frameworks.get(fid);
    TaskEntry t = f == null ? null : f.tasks.get(status.taskId());
    if (t == null) {
      // Nobody will acknowledge this update: do it for the framework, so the agent stops retrying.
      if (status.uuid() != null && agent.isActive()) {
        sendAgent(agent, AgentEvent.acknowledge(fid, status.taskId(), status.uuid()));
      }
      return;
    }
    TaskStatus withAgent = status.agentId() == null
        ? new TaskStatus(status.taskId(), status.state(), status.message(), status.source(), status.reason(),
            agent.id, status.timestamp(), status.uuid(), status.healthy())
        : status;
    if (t.state() == status.state() || t.state().canBecome(status.state())) {
      updateTask(f, t, withAgent);
    } else {
      LOG.warn("ignoring update {} -> {} of task {}: not a valid transition", t.state(), status.state(), status.taskId());
      if (status.uuid() != null) {
        sendAgent(agent, AgentEvent.acknowledge(fid, status.taskId(), status.uuid()));
      }
    }
  }

  /** Records {@code status} for {@code t}, frees resources on a terminal state, and tells the framework. */
  private void updateTask(FrameworkEntry f, TaskEntry t, TaskStatus status) {
    t.record(status);
    if (status.state().isTerminal()) {
      releaseResources(t);
      if (status.uuid() == null) {
        f.complete(t);
      }
    }
    sendUpdate(f, status);
    ops.onTaskUpdated(t, status);
    if (status.state().isTerminal()) {
      checkDrained(t.agentId);
    }
  }

  private void releaseResources(TaskEntry t) {
    if (!t.holdsResources) {
      return;
    }
    t.holdsResources = false;
    AgentEntry agent = agents.get(t.agentId);
    if (agent != null) {
      agent.used = agent.used.minus(t.resources);
    }
    requestAllocation();
  }

  private void recomputeUsed(AgentEntry agent) {
    Resources used = Resources.EMPTY;
    for (FrameworkEntry f : frameworks.values()) {
      for (TaskEntry t : f.tasks.values()) {
        if (t.agentId.equals(agent.id) && t.holdsResources) {
          used = used.plus(t.resources);
        }
      }
    }
    agent.used = used;
  }

  private void checkAgents() {
    long now = nanos.getAsLong();
    long timeout = config.agentTimeout().toNanos();
    for (AgentEntry agent : agents.values()) {
      if (agent.status == AgentEntry.Status.UNREACHABLE) {
        continue;
      }
      if (now - agent.lastHeartbeatNanos > timeout) {
        markUnreachable(agent);
      } else if (agent.stream != null) {
        agent.stream.send(frame(AgentEvent.heartbeat()));
      }
    }
  }

  private void markUnreachable(AgentEntry agent) {
    LOG.warn("agent {} missed {} heartbeats: marking it unreachable", agent.id, config.maxMissedHeartbeats());
    agent.status = AgentEntry.Status.UNREACHABLE;
    ops.onAgentRemoved(agent.id);
    if (agent.stream != null) {
      HttpStream s = agent.stream;
      agent.stream = null;
      s.close();
    }
    for (OfferEntry o : offersOf(agent.id)) {
      removeOffer(o.id(), true);
    }
    String message = "Agent " + agent.id + " is unreachable: no heartbeat for " + config.agentTimeout().toMillis() + " ms";
    for (FrameworkEntry f : frameworks.values()) {
      for (TaskEntry t : new ArrayList<>(f.tasks.values())) {
        if (t.agentId.equals(agent.id) && !t.state().isTerminal()) {
          TaskState state = f.partitionAware() ? TaskState.TASK_UNREACHABLE : TaskState.TASK_LOST;
          updateTask(f, t, masterStatus(t.info.taskId(), state, agent.id, "REASON_AGENT_REMOVED", message));
        }
      }
      send(f, Event.failure(agent.id));
    }
  }

  private void heartbeatFrameworks() {
    for (FrameworkEntry f : frameworks.values()) {
      send(f, Event.heartbeat());
    }
  }

  // ---------------------------------------------------------------- offers and allocation

  private void requestAllocation() {
    if (!allocationPending) {
      allocationPending = true;
      loop.execute(this::allocate);
    }
  }

  private void allocate() {
    allocationPending = false;
    long now = nanos.getAsLong();
    List<AllocationView.AgentView> agentViews = new ArrayList<>();
    for (AgentEntry a : agents.values()) {
      if (a.isActive() && ops.mayOffer(a.id)) {
        agentViews.add(new AllocationView.AgentView(a.id, a.total, a.available()));
      }
    }
    Map<FrameworkId, Resources> held = new HashMap<>();
    for (FrameworkEntry f : frameworks.values()) {
      Resources r = Resources.EMPTY;
      for (TaskEntry t : f.tasks.values()) {
        if (t.holdsResources) {
          r = r.plus(t.resources);
        }
      }
      held.put(f.id, r);
    }
    for (OfferEntry o : offers.values()) {
      held.merge(o.frameworkId(), o.resources(), Resources::plus);
    }
    List<AllocationView.FrameworkView> frameworkViews = new ArrayList<>();
    for (FrameworkEntry f : frameworks.values()) {
      if (f.isConnected()) {
        f.filters.values().removeIf(filter -> now - filter.untilNanos() >= 0);
        frameworkViews.add(new AllocationView.FrameworkView(f.id, f.info.effectiveRole(), held.get(f.id),
            f.suppressed, f.filters));
      }
    }
    List<Allocation> decisions = allocator.allocate(new AllocationView(agentViews, frameworkViews, now));
    Map<FrameworkId, List<Offer>> batches = new LinkedHashMap<>();
    for (Allocation d : decisions) {
      AgentEntry agent = agents.get(d.agent());
      FrameworkEntry f = frameworks.get(d.framework());
      OfferId id = new OfferId(masterId + "-O" + nextOfferId++);
      offers.put(id, new OfferEntry(id, f.id, agent.id, d.resources()));
      agent.offered = agent.offered.plus(d.resources());
      f.offers.add(id);
      batches.computeIfAbsent(f.id, k -> new ArrayList<>()).add(new Offer(id, f.id, agent.id,
          agent.info.hostname(), d.resources().toList(), new Offer.AllocationInfo(f.info.effectiveRole())));
    }
    batches.forEach((fid, list) -> send(frameworks.get(fid), Event.offers(list)));
    ops.onAllocationRun(nanos.getAsLong() - now);
  }

  private List<OfferEntry> offersOf(AgentId agent) {
    List<OfferEntry> out = new ArrayList<>();
    for (OfferEntry o : offers.values()) {
      if (o.agentId().equals(agent)) {
        out.add(o);
      }
    }
    return out;
  }

  /** Takes an offer back; its resources return to the agent's pool. */
  private void removeOffer(OfferId id, boolean rescind) {
    OfferEntry o = offers.remove(id);
    if (o == null) {
      return;
    }
    AgentEntry agent = agents.get(o.agentId());
    if (agent != null) {
      agent.offered = agent.offered.minus(o.resources());
    }
    FrameworkEntry f = frameworks.get(o.frameworkId());
    if (f != null) {
      f.offers.remove(id);
      if (rescind) {
        send(f, Event.rescind(id));
      }
    }
    requestAllocation();
  }

  // ---------------------------------------------------------------- maintenance (operator API)

  OperatorState operator() {
    return ops;
  }

  double operatorHeartbeatSeconds() {
    return config.frameworkHeartbeatInterval().toMillis() / 1000.0;
  }

  ClusterView clusterView() {
    return new ClusterView(agents, frameworks.values(), completedFrameworks, offers.values());
  }

  /**
   * DRAIN_AGENT: persisted first; then the agent gets no offers, its outstanding offers are rescinded
   * and its tasks killed with at most {@code maxGraceNanos} of grace. It is DRAINED (and, with
   * {@code markGone}, removed for good) once none of its tasks is left running.
   */
  void drainAgent(AgentId id, Long maxGraceNanos, boolean markGone) {
    AgentEntry agent = maintainable(id, "drain_agent.agent_id");
    AgentMaintenance m = new AgentMaintenance(AgentMaintenance.Mode.DRAINING, maxGraceNanos, markGone);
    new OperatorStore(store).putMaintenance(id, m);
    ops.maintenance().put(id, m);
    LOG.info("agent {} draining (max grace period {} ns, mark gone {})", id, maxGraceNanos, markGone);
    for (OfferEntry o : offersOf(id)) {
      removeOffer(o.id(), true);
    }
    killForDrain(agent);
    checkDrained(id);
  }

  /** DEACTIVATE_AGENT: no more offers; its tasks keep running. A draining agent stays draining. */
  void deactivateAgent(AgentId id) {
    maintainable(id, "deactivate_agent.agent_id");
    if (ops.maintenance().containsKey(id)) {
      return;
    }
    new OperatorStore(store).putMaintenance(id, AgentMaintenance.deactivated());
    ops.maintenance().put(id, AgentMaintenance.deactivated());
    LOG.info("agent {} deactivated by the operator", id);
    for (OfferEntry o : offersOf(id)) {
      removeOffer(o.id(), true);
    }
  }

  /** REACTIVATE_AGENT: back in service, ending a deactivation or a drain. */
  void reactivateAgent(AgentId id) {
    maintainable(id, "reactivate_agent.agent_id");
    if (ops.maintenance().containsKey(id)) {
      new OperatorStore(store).putMaintenance(id, null);
      ops.maintenance().remove(id);
      LOG.info("agent {} reactivated by the operator", id);
      requestAllocation();
    }
  }

  private AgentEntry maintainable(AgentId id, String field) {
    AgentEntry agent = agents.get(id);
    if (agent == null) {
      throw HttpError.badRequest(field + ": '" + id + "' (expected: the id of a registered agent)");
    }
    return agent;
  }

  private void killForDrain(AgentEntry agent) {
    AgentMaintenance m = ops.maintenance().get(agent.id);
    if (m == null || m.mode() != AgentMaintenance.Mode.DRAINING || !agent.isActive()) {
      return;
    }
    long grace = config.killGracePeriod().toNanos();
    if (m.maxGracePeriodNanos() != null) {
      grace = Math.min(grace, m.maxGracePeriodNanos());
    }
    for (FrameworkEntry f : frameworks.values()) {
      for (TaskEntry t : f.tasks.values()) {
        if (t.agentId.equals(agent.id) && !t.state().isTerminal()) {
          sendAgent(agent, AgentEvent.kill(f.id, t.info.taskId(), grace / 1e9));
        }
      }
    }
  }

  private void checkDrained(AgentId id) {
    AgentMaintenance m = ops.maintenance().get(id);
    if (m == null || m.mode() != AgentMaintenance.Mode.DRAINING) {
      return;
    }
    for (FrameworkEntry f : frameworks.values()) {
      for (TaskEntry t : f.tasks.values()) {
        if (t.agentId.equals(id) && !t.state().isTerminal()) {
          return;
        }
      }
    }
    AgentMaintenance next = m.withMode(m.markGone() ? AgentMaintenance.Mode.GONE : AgentMaintenance.Mode.DRAINED);
    new OperatorStore(store).putMaintenance(id, next);
    ops.maintenance().put(id, next);
    LOG.info("agent {} is {}", id, next.mode());
    if (next.mode() == AgentMaintenance.Mode.GONE) {
      // Later on the loop: callers may be iterating over the agents.
      execute(() -> forgetGoneAgent(id));
    }
  }

  private void forgetGoneAgent(AgentId id) {
    AgentEntry agent = agents.remove(id);
    if (agent == null) {
      return;
    }
    store.removeAgent(id);
    for (OfferEntry o : offersOf(id)) {
      removeOffer(o.id(), true);
    }
    if (agent.stream != null) {
      agent.stream.close();
    }
    ops.onAgentRemoved(id);
  }

  // ---------------------------------------------------------------- helpers

  private void sendUpdate(FrameworkEntry f, TaskStatus status) {
    send(f, Event.update(status));
  }

  /** Sends {@code event} on the framework's stream, in the encoding it subscribed with. */
  private void send(FrameworkEntry f, Event event) {
    if (f.isConnected()) {
      f.stream.send(f.encoder.apply(event));
    }
  }

  private void sendAgent(AgentEntry agent, AgentEvent event) {
    if (agent.stream != null) {
      agent.stream.send(frame(event));
    }
  }

  private TaskStatus masterStatus(TaskId task, TaskState state, AgentId agent, String reason, String message) {
    return new TaskStatus(task, state, message, TaskStatus.Source.SOURCE_MASTER, reason, agent, nowSeconds(), null, null);
  }

  private double nowSeconds() {
    return clock.millis() / 1000.0;
  }

  private static byte[] frame(Object event) {
    return RecordIo.frame(Json.write(event));
  }

  private static <T> T require(T body, String field) {
    if (body == null) {
      throw HttpError.badRequest(field + ": missing (expected: the body of a " + field.toUpperCase() + " call)");
    }
    return body;
  }

  private static <T> T nonNull(T value, String field) {
    if (value == null) {
      throw HttpError.badRequest(field + ": missing");
    }
    return value;
  }

  // ---------------------------------------------------------------- state for tools

  Map<String, Object> state(String pid, double startTime) {
    return StateView.build(this, pid, startTime);
  }

  Map<AgentId, AgentEntry> agents() {
    return agents;
  }

  Map<FrameworkId, FrameworkEntry> frameworks() {
    return frameworks;
  }

  List<FrameworkEntry> completedFrameworks() {
    return completedFrameworks;
  }

  Map<OfferId, OfferEntry> offers() {
    return offers;
  }
}
