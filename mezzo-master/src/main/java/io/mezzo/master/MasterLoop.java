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
import io.mezzo.core.model.Roles;
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
import io.mezzo.master.state.ExecutorEntry;
import io.mezzo.master.state.FrameworkEntry;
import io.mezzo.master.state.OfferEntry;
import io.mezzo.master.state.TaskEntry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
 * <p>Some features live in classes of their own that run on this thread and change state through
 * it: {@link OfferOperations} (ACCEPT's operations), {@link TaskCalls} (KILL, SHUTDOWN, MESSAGE,
 * ACKNOWLEDGE, RECONCILE) and {@link Maintenance} (the operator's drain and deactivation orders).
 * The allocator is pure: this loop builds its view and applies its offers.
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
  private boolean fullAllocationPending;
  /** The sum of the totals of attached, reachable agents; see {@link #countInTotal}. */
  private Resources clusterTotal = Resources.EMPTY;
  /** Agents whose resources changed since the last cycle. */
  private final Set<AgentId> dirtyAgents = new LinkedHashSet<>();
  /** Operator API state: maintenance orders, roles config, event subscribers, metrics. */
  private final OperatorState ops = new OperatorState();
  /** ACCEPT's offer operations (LAUNCH, LAUNCH_GROUP, RESERVE, UNRESERVE), on this loop's state. */
  private final OfferOperations operations;
  /** The task calls of the scheduler API: KILL, SHUTDOWN, MESSAGE, ACKNOWLEDGE, RECONCILE. */
  private final TaskCalls taskCalls;
  /** The operator's maintenance orders: drain, deactivate, reactivate. */
  private final Maintenance maintenance;
  /** Prometheus meters (see {@link MasterMeters}); unregistered until {@link #meters(MasterMeters)}. */
  private MasterMeters meters = new MasterMeters(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());

  MasterLoop(MasterConfig config, ScheduledExecutorService loop, ZkStore store, Allocator allocator,
      Clock clock, LongSupplier nanos, String masterId) {
    this.config = config;
    this.loop = loop;
    this.store = store;
    this.allocator = allocator;
    this.clock = clock;
    this.nanos = nanos;
    this.masterId = masterId;
    this.operations = new OfferOperations(this, store);
    this.taskCalls = new TaskCalls(this);
    this.maintenance = new Maintenance(this, store, ops, config);
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
      // It gets the reregistration timeout to come back (not the heartbeat timeout: after a failover
      // every agent is away at once, and marking them all unreachable would be a mass kill).
      a.lastHeartbeatNanos = now + config.agentReregisterTimeout().toNanos() - config.agentTimeout().toNanos();
      agents.put(a.id, a);
    }
    store.reservations().forEach((id, wire) -> {
      AgentEntry a = agents.get(id);
      if (a != null) {
        a.dynamicReservations = Resources.of(wire);
        a.total = withReservations(a.total, a.dynamicReservations, a.id);
      }
    });
    for (FrameworkInfo info : store.frameworks()) {
      FrameworkEntry f = new FrameworkEntry(info.id(), info);
      frameworks.put(f.id, f);
      // It gets its whole failover timeout from now (when it went away is not known), and at least the
      // agents' timeout, as a framework without one still deserves the time to find the new master.
      double failover = info.failoverTimeout() == null ? 0 : info.failoverTimeout();
      scheduleFailover(f, Math.max(config.agentTimeout().toMillis(), (long) Math.min(failover * 1000, Long.MAX_VALUE / 4)));
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
    loop.scheduleWithFixedDelay(() -> execute(() -> {
      expireOffers();
      allocate(true);
    }), alloc, alloc, TimeUnit.MILLISECONDS);
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
    checkRoles(info);
    List<String> roles = FrameworkEntry.rolesOf(info);
    for (String role : call.subscribe().suppressedRoles() == null ? List.<String>of() : call.subscribe().suppressedRoles()) {
      if (!roles.contains(role)) {
        throw HttpError.badRequest("subscribe.suppressed_roles: '" + role + "' (expected: one of the framework's roles "
            + roles + ")");
      }
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
        f.stream.send(frame(Event.error("Framework failed over")));
        f.stream.close();
      }
      LOG.info("framework {} ({}) resubscribed", id, info.name());
      ops.onFrameworkUpdated(f);
    }
    f.suppressedRoles.clear();
    if (call.subscribe().suppressedRoles() != null) {
      f.suppressedRoles.addAll(call.subscribe().suppressedRoles());
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

  /** Mesos's rules: {@code roles} only with MULTI_ROLE, never together with {@code role}; names well formed. */
  private static void checkRoles(FrameworkInfo info) {
    boolean multi = info.hasCapability("MULTI_ROLE");
    List<String> roles = info.roles() == null ? List.of() : info.roles();
    if (!roles.isEmpty() && !multi) {
      throw HttpError.badRequest("subscribe.framework_info.roles: " + roles
          + " (expected: the MULTI_ROLE capability, or a single 'role')");
    }
    if (!roles.isEmpty() && info.role() != null && !info.role().isEmpty()) {
      throw HttpError.badRequest("subscribe.framework_info.role: '" + info.role()
          + "' set together with roles " + roles + " (expected: one of the two)");
    }
    if (new HashSet<>(roles).size() != roles.size()) {
      throw HttpError.badRequest("subscribe.framework_info.roles: " + roles + " (expected: no role twice)");
    }
    List<String> all = new ArrayList<>(roles);
    if (info.role() != null && !info.role().isEmpty()) {
      all.add(info.role());
    }
    for (String role : all) {
      try {
        Roles.validate(role);
      } catch (IllegalArgumentException e) {
        throw HttpError.badRequest("subscribe.framework_info." + e.getMessage());
      }
    }
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
      case ACCEPT -> operations.accept(f, require(call.accept(), "accept"));
      case DECLINE -> {
        Call.Decline d = require(call.decline(), "decline");
        declineOffers(f, nonNull(d.offerIds(), "decline.offer_ids"), d.filters());
      }
      case REVIVE -> {
        List<String> roles = rolesOf(f, call.revive() == null ? null : call.revive().roles(), "revive.roles");
        roles.forEach(f.suppressedRoles::remove);
        f.filters.clear();
        requestAllocation();
      }
      case SUPPRESS -> f.suppressedRoles.addAll(
          rolesOf(f, call.suppress() == null ? null : call.suppress().roles(), "suppress.roles"));
      case KILL -> taskCalls.kill(f, require(call.kill(), "kill"));
      case ACKNOWLEDGE -> taskCalls.acknowledge(f, require(call.acknowledge(), "acknowledge"));
      case RECONCILE -> taskCalls.reconcile(f, require(call.reconcile(), "reconcile"));
      case SHUTDOWN -> taskCalls.shutdown(f, require(call.shutdown(), "shutdown"));
      case MESSAGE -> taskCalls.message(f, require(call.message(), "message"));
      case SUBSCRIBE -> throw new IllegalStateException("BUG: SUBSCRIBE routed to handle()");
      default -> throw HttpError.badRequest("type: " + call.type() + " (expected: a supported call type)");
    }
    return HttpResponse.empty(202);
  }

  /** The roles a REVIVE or SUPPRESS names: all of the framework's when none; each must be one of them. */
  private static List<String> rolesOf(FrameworkEntry f, List<String> asked, String field) {
    if (asked == null || asked.isEmpty()) {
      return f.roles();
    }
    for (String role : asked) {
      if (!f.roles().contains(role)) {
        throw HttpError.badRequest(field + ": '" + role + "' (expected: one of the framework's roles " + f.roles() + ")");
      }
    }
    return asked;
  }

  /** Records a new task and sends it to its agent; the caller has checked it and its resources. */
  void launch(FrameworkEntry f, AgentEntry agent, TaskInfo task, Resources needs, String role,
      String executorId) {
    TaskStatus staging = new TaskStatus(task.taskId(), TaskState.TASK_STAGING, null, TaskStatus.Source.SOURCE_MASTER,
        null, agent.id, nowSeconds(), null, null);
    TaskEntry entry = new TaskEntry(task, f.id, agent.id, needs, role, staging);
    entry.executorId = executorId;
    f.tasks.put(task.taskId(), entry);
    agent.tasks.add(entry);
    hold(f, agent, entry);
    sendAgent(agent, AgentEvent.launch(f.id, task, f.info.user()));
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
        meters.offerDeclined();
      }
    }
    declined.forEach((agent, r) -> setFilter(f, agent, r, filters));
  }

  void setFilter(FrameworkEntry f, AgentId agent, Resources refused, Call.Filters filters) {
    double seconds = filters == null || filters.refuseSeconds() == null
        ? DEFAULT_REFUSE_SECONDS : filters.refuseSeconds();
    if (!(seconds > 0) || refused.isEmpty()) {
      return;
    }
    seconds = Math.min(seconds, MAX_REFUSE_SECONDS);
    f.filters.put(agent, new AllocationView.Filter(refused, nanos.getAsLong() + (long) (seconds * 1e9)));
  }

  /** Tells the task's agent to kill it, with the grace period of {@code override}, the task's policy or the default. */
  void killTask(FrameworkEntry f, TaskEntry t, TaskInfo.KillPolicy override) {
    AgentEntry agent = agents.get(t.agentId);
    if (agent != null && agent.isActive()) {
      sendAgent(agent, AgentEvent.kill(f.id, t.info.taskId(), graceSeconds(t, override)));
    } else {
      LOG.info("kill of task {} deferred: agent {} is not connected", t.info.taskId(), t.agentId);
    }
  }

  private double graceSeconds(TaskEntry t, TaskInfo.KillPolicy override) {
    Double seconds = override == null ? null : override.gracePeriodSeconds();
    if (seconds == null && t != null && t.info.killPolicy() != null) {
      seconds = t.info.killPolicy().gracePeriodSeconds();
    }
    return seconds != null && seconds >= 0 ? seconds : config.killGracePeriod().toMillis() / 1000.0;
  }

  private void removeFramework(FrameworkEntry f) {
    for (OfferId o : new ArrayList<>(f.offers)) {
      removeOffer(o, false);
    }
    for (TaskEntry t : new ArrayList<>(f.tasks.values())) {
      AgentEntry agent = agents.get(t.agentId);
      if (!t.state().isTerminal() && agent != null && agent.isActive()) {
        sendAgent(agent, AgentEvent.kill(f.id, t.info.taskId(), graceSeconds(t, null)));
      }
      if (!t.state().isTerminal()) {
        t.record(masterStatus(t.info.taskId(), TaskState.TASK_KILLED, t.agentId, "REASON_FRAMEWORK_REMOVED",
            "Framework " + f.id + " removed"));
        ops.onTaskUpdated(t, t.latest);
      }
      releaseResources(t);
      completeTask(f, t);
    }
    for (ExecutorEntry ex : f.executors.values()) {
      AgentEntry agent = agents.get(ex.agentId);
      if (agent != null) {
        agent.used = agent.used.minus(ex.resources);
        requestAllocation(ex.agentId);
      }
    }
    f.executors.clear();
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
    new ArrayList<>(ops.maintenance().keySet()).forEach(maintenance::checkDrained);
    requestAllocation();
  }

  // ---------------------------------------------------------------- agents

  /**
   * SUBSCRIBE from an agent: validated here, then its admission is written to ZooKeeper without
   * blocking the loop (thousands of agents may join at once); the rest happens back on the loop once
   * the write is durable, and only then does the agent hear SUBSCRIBED.
   */
  CompletableFuture<HttpResponse> subscribeAgent(AgentCall call) {
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
    AgentEntry known = agents.get(info.id());
    if (known != null && known.info.equals(info)) {
      return CompletableFuture.completedFuture(admitAgent(info, total, sub));
    }
    AgentInfo admitted = info;
    return store.putAgentAsync(info) // durable admission before SUBSCRIBED
        .thenCompose(written -> call(() -> admitAgent(admitted, total, sub)));
  }

  private HttpResponse admitAgent(AgentInfo info, Resources total, AgentCall.Subscribe sub) {
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
      for (OfferId o : new ArrayList<>(agent.offers)) {
        removeOffer(o, true);
      }
      agent.info = info;
      setTotal(agent, withReservations(total, agent.dynamicReservations, id));
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

  /** The agent's advertised (unreserved) total with its dynamic reservations carved out of it. */
  private static Resources withReservations(Resources advertised, Resources reservations, AgentId agent) {
    Resources sources = reservations.unreserve();
    if (!advertised.contains(sources)) {
      LOG.warn("agent {} advertises {}, which no longer holds its reservations {}: ignoring them", agent, advertised,
          reservations);
      return advertised;
    }
    return advertised.minus(sources).plus(reservations);
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
        t = new TaskEntry(at.task().withAgentId(agent.id), f.id, agent.id, r, f.info.effectiveRole(),
            at.status().withUuid(null));
        f.tasks.put(tid, t);
        agent.tasks.add(t);
        if (running) {
          hold(f, agent, t);
        }
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
        releaseResources(t);
      }
    }
    // Tasks the master launched there that the agent no longer knows.
    for (TaskEntry t : new ArrayList<>(agent.tasks)) {
      FrameworkEntry f = frameworks.get(t.frameworkId);
      if (f != null && !seen.contains(t.info.taskId()) && !t.state().isTerminal()) {
        TaskState state = f.partitionAware() ? TaskState.TASK_DROPPED : TaskState.TASK_LOST;
        TaskStatus s = masterStatus(t.info.taskId(), state, agent.id, "REASON_AGENT_REREGISTERED",
            "Task is unknown to agent " + agent.id + " after it re-registered");
        updateTask(f, t, s);
      }
    }
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
    countInTotal(agent, true);
    requestAllocation(agent.id);
    ops.onAgentAdded(agent);
    maintenance.killForDrain(agent);
  }

  /**
   * Keeps {@link #clusterTotal} (what allocation shares are relative to) the sum of the totals of
   * agents that have attached and are not unreachable, without re-summing ten thousand agents.
   */
  void countInTotal(AgentEntry agent, boolean counted) {
    if (agent.countedInTotal == counted) {
      return;
    }
    agent.countedInTotal = counted;
    clusterTotal = counted ? clusterTotal.plus(agent.total) : clusterTotal.minus(agent.total);
  }

  void setTotal(AgentEntry agent, Resources total) {
    if (agent.countedInTotal) {
      clusterTotal = clusterTotal.minus(agent.total).plus(total);
    }
    agent.total = total;
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
    for (OfferId o : new ArrayList<>(agent.offers)) {
      removeOffer(o, true);
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
    if (call.type() == AgentCall.Type.HEARTBEAT) {
      agent.usage = call.heartbeat() == null || call.heartbeat().usage() == null ? List.of() : call.heartbeat().usage();
    }
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
            agent.id, status.timestamp(), status.uuid(), status.healthy()).withCheckStatus(status.checkStatus())
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
      if (t.executorId != null) {
        groupTaskEnded(f, t);
      }
      if (status.uuid() == null) {
        completeTask(f, t);
      }
    }
    sendUpdate(f, status);
    ops.onTaskUpdated(t, status);
    if (status.state().isTerminal()) {
      maintenance.checkDrained(t.agentId);
    }
  }

  /**
   * A task of a group reached a terminal state: as Mesos's DEFAULT executor does, a task that did not
   * finish kills the rest of its group; the executor's resources are freed with its last task.
   */
  private void groupTaskEnded(FrameworkEntry f, TaskEntry t) {
    ExecutorEntry ex = f.executors.get(t.executorId);
    if (ex == null || !ex.live.remove(t.info.taskId())) {
      return;
    }
    if (t.state() != TaskState.TASK_FINISHED) {
      for (TaskId other : List.copyOf(ex.live)) {
        TaskEntry o = f.tasks.get(other);
        if (o != null && !o.state().isTerminal()) {
          killTask(f, o, null);
        }
      }
    }
    if (ex.live.isEmpty()) {
      f.executors.remove(ex.id);
      AgentEntry agent = agents.get(ex.agentId);
      if (agent != null) {
        agent.used = agent.used.minus(ex.resources);
      }
      f.release(ex.role, ex.resources);
      requestAllocation(ex.agentId);
    }
  }

  /** Counts the task's resources as used on its agent and held by its framework's role. */
  private void hold(FrameworkEntry f, AgentEntry agent, TaskEntry t) {
    if (t.holdsResources) {
      return;
    }
    t.holdsResources = true;
    agent.used = agent.used.plus(t.resources);
    f.hold(t.role, t.resources);
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
    FrameworkEntry f = frameworks.get(t.frameworkId);
    if (f != null) {
      f.release(t.role, t.resources);
    }
    requestAllocation(t.agentId);
  }

  /** Moves a task to its framework's completed list and out of its agent's index. */
  void completeTask(FrameworkEntry f, TaskEntry t) {
    releaseResources(t);
    f.complete(t);
    AgentEntry agent = agents.get(t.agentId);
    if (agent != null) {
      agent.tasks.remove(t);
    }
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
    countInTotal(agent, false);
    ops.onAgentRemoved(agent.id);
    if (agent.stream != null) {
      HttpStream s = agent.stream;
      agent.stream = null;
      s.close();
    }
    for (OfferId o : new ArrayList<>(agent.offers)) {
      removeOffer(o, true);
    }
    String message = "Agent " + agent.id + " is unreachable: no heartbeat for " + config.agentTimeout().toMillis() + " ms";
    for (TaskEntry t : new ArrayList<>(agent.tasks)) {
      FrameworkEntry f = frameworks.get(t.frameworkId);
      if (f != null && !t.state().isTerminal()) {
        TaskState state = f.partitionAware() ? TaskState.TASK_UNREACHABLE : TaskState.TASK_LOST;
        updateTask(f, t, masterStatus(t.info.taskId(), state, agent.id, "REASON_AGENT_REMOVED", message));
      }
    }
    for (FrameworkEntry f : frameworks.values()) {
      send(f, Event.failure(agent.id));
    }
  }

  private void heartbeatFrameworks() {
    for (FrameworkEntry f : frameworks.values()) {
      send(f, Event.heartbeat());
    }
  }

  // ---------------------------------------------------------------- offers and allocation

  /** Quota or weights changed: the next cycle covers every agent. Runs on the loop. */
  void rolesChanged() {
    requestAllocation();
  }

  /** Asks for a full allocation cycle over every active agent, run once the loop is free. */
  void requestAllocation() {
    fullAllocationPending = true;
    scheduleAllocation();
  }

  /** Asks for an allocation of one agent's resources (they were just freed or added). */
  private void requestAllocation(AgentId agent) {
    dirtyAgents.add(agent);
    scheduleAllocation();
  }

  private void scheduleAllocation() {
    if (!allocationPending) {
      allocationPending = true;
      execute(() -> allocate(false));
    }
  }

  /**
   * One allocation cycle. The periodic batch ({@code periodic}) and any cycle asked for by a change
   * to frameworks cover every active agent; a cycle asked for because resources were freed covers
   * only those agents, so that a busy cluster does not re-sort ten thousand idle agents for every
   * finished task. Shares are always relative to the whole cluster.
   */
  private void allocate(boolean periodic) {
    allocationPending = false;
    boolean full = periodic || fullAllocationPending;
    fullAllocationPending = false;
    long now = nanos.getAsLong();
    List<AllocationView.AgentView> agentViews = new ArrayList<>();
    if (full) {
      dirtyAgents.clear();
      for (AgentEntry a : agents.values()) {
        if (a.isActive() && ops.mayOffer(a.id)) {
          agentViews.add(new AllocationView.AgentView(a.id, a.total, a.available()));
        }
      }
    } else {
      for (AgentId id : dirtyAgents) {
        AgentEntry a = agents.get(id);
        if (a != null && a.isActive() && ops.mayOffer(a.id)) {
          agentViews.add(new AllocationView.AgentView(a.id, a.total, a.available()));
        }
      }
      dirtyAgents.clear();
    }
    if (!agentViews.isEmpty()) {
      offer(agentViews, now, full);
    }
    if (full) {
      // allocation_run_ms measures cycles over the whole cluster; the cheap single-agent cycles
      // that follow freed resources would only flatter it.
      long took = nanos.getAsLong() - now;
      ops.onAllocationRun(took);
      meters.allocationCycle(took);
    }
  }

  /** Runs the allocator over {@code agentViews} and sends the offers it decides. */
  private void offer(List<AllocationView.AgentView> agentViews, long now, boolean full) {
    List<AllocationView.FrameworkView> frameworkViews = new ArrayList<>();
    boolean anyone = false;
    for (FrameworkEntry f : frameworks.values()) {
      if (full) {
        f.filters.values().removeIf(filter -> now - filter.untilNanos() >= 0);
      }
      // Disconnected and suppressed frameworks take part with every role suppressed: what they
      // hold still counts toward their roles' shares and limits.
      boolean wants = f.isConnected() && !f.suppressed();
      anyone |= wants;
      frameworkViews.add(new AllocationView.FrameworkView(f.id, f.roles(), f.allocated,
          wants ? f.suppressedRoles : new HashSet<>(f.roles()), f.filters));
    }
    if (!anyone) {
      return;
    }
List<Allocation> decisions = allocator.allocate(
        new AllocationView(clusterTotal, agentViews, ops.roles().forAllocator(), frameworkViews, now));
    Map<FrameworkId, List<Offer>> batches = new LinkedHashMap<>();
    for (Allocation d : decisions) {
      AgentEntry agent = agents.get(d.agent());
      FrameworkEntry f = frameworks.get(d.framework());
      String role = d.role();
      OfferId id = new OfferId(masterId + "-O" + nextOfferId++);
      offers.put(id, new OfferEntry(id, f.id, role, agent.id, d.resources(), now));
      agent.offered = agent.offered.plus(d.resources());
      agent.offers.add(id);
      f.offers.add(id);
      f.hold(role, d.resources());
      batches.computeIfAbsent(f.id, k -> new ArrayList<>()).add(new Offer(id, f.id, agent.id,
          agent.info.hostname(), f.info.hasCapability("MULTI_ROLE") ? d.resources().toList(role) : d.resources().toList(),
          new Offer.AllocationInfo(role)));
    }
    batches.forEach((fid, list) -> send(frameworks.get(fid), Event.offers(list)));
    meters.offersSent(decisions.size());
  }

  /** Rescinds offers older than the offer timeout; offers are kept in creation order. */
  private void expireOffers() {
    long deadline = nanos.getAsLong() - config.offerTimeout().toNanos();
    List<OfferId> expired = new ArrayList<>();
    for (OfferEntry o : offers.values()) {
      if (o.createdNanos() - deadline > 0) {
        break;
      }
      expired.add(o.id());
    }
    if (!expired.isEmpty()) {
      LOG.info("rescinding {} offer(s) unused for {}", expired.size(), config.offerTimeout());
    }
    for (OfferId id : expired) {
      removeOffer(id, true);
    }
  }

  /** Takes an offer back; its resources return to the agent's pool. */
  void removeOffer(OfferId id, boolean rescind) {
    OfferEntry o = offers.remove(id);
    if (o == null) {
      return;
    }
    AgentEntry agent = agents.get(o.agentId());
    if (agent != null) {
      agent.offered = agent.offered.minus(o.resources());
      agent.offers.remove(id);
    }
    FrameworkEntry f = frameworks.get(o.frameworkId());
    if (f != null) {
      f.offers.remove(id);
      f.release(o.role(), o.resources());
      if (rescind) {
        send(f, Event.rescind(id));
        meters.offerRescinded();
      }
    }
    requestAllocation(o.agentId());
  }

  // ---------------------------------------------------------------- maintenance (operator API)

  Maintenance maintenance() {
    return maintenance;
  }

  OperatorState operator() {
    return ops;
  }

  double operatorHeartbeatSeconds() {
    return config.frameworkHeartbeatInterval().toMillis() / 1000.0;
  }

  ClusterView clusterView() {
    return new ClusterView(agents, frameworks.values(), completedFrameworks, offers.values());
  }

  // ---------------------------------------------------------------- helpers

  void sendUpdate(FrameworkEntry f, TaskStatus status) {
    send(f, Event.update(status));
  }

  /** Sends {@code event} on the framework's stream, in the encoding it subscribed with. */
  private void send(FrameworkEntry f, Event event) {
    if (f.isConnected()) {
      f.stream.send(frame(event));
    }
  }

  void sendAgent(AgentEntry agent, AgentEvent event) {
    if (agent.stream != null) {
      agent.stream.send(frame(event));
    }
  }

  TaskStatus masterStatus(TaskId task, TaskState state, AgentId agent, String reason, String message) {
    return new TaskStatus(task, state, message, TaskStatus.Source.SOURCE_MASTER, reason, agent, nowSeconds(), null, null);
  }

  private double nowSeconds() {
    return clock.millis() / 1000.0;
  }

  private static byte[] frame(Object event) {
    return RecordIo.jsonFrame(event);
  }

  private static <T> T require(T body, String field) {
    if (body == null) {
      throw HttpError.badRequest(field + ": missing (expected: the body of a " + field.toUpperCase() + " call)");
    }
    return body;
  }

  static <T> T nonNull(T value, String field) {
    if (value == null) {
      throw HttpError.badRequest(field + ": missing");
    }
    return value;
  }

  // ---------------------------------------------------------------- state for tools

  /** Records into {@code m} from now on; set before {@link #start}, on the thread that made the loop. */
  void meters(MasterMeters m) {
    meters = m;
  }

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
