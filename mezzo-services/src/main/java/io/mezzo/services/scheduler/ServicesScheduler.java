package io.mezzo.services.scheduler;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.OfferId;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.core.scheduler.Call;
import io.mezzo.core.scheduler.Event;
import io.mezzo.services.api.EventBus;
import io.mezzo.services.app.AppDefinition;
import io.mezzo.services.deploy.Deployment;
import io.mezzo.services.deploy.LaunchBackoff;
import io.mezzo.services.deploy.AppPlanner;
import io.mezzo.services.instance.Instance;
import io.mezzo.services.instance.InstanceState;
import io.mezzo.services.launch.OfferMatcher;
import io.mezzo.services.placement.AgentView;
import io.mezzo.services.store.ServicesStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services scheduler: a Mesos framework that keeps every app's instances running, as Marathon
 * does. It subscribes to the master's scheduler API like any framework, launches from offers,
 * replaces failed, lost and unhealthy instances (with the app's restart backoff), carries out
 * deployments as rolling replacements, and drains every instance it removes before killing it.
 *
 * <p>Threading: one owner thread ({@code services-loop}) holds all mutable state: apps, instances,
 * deployments, the master connection. The API and the master's event stream hand work to it through
 * {@link #call}. Decisions come from pure code ({@link AppPlanner} over {@code RollingUpgrade} and {@code ScalePlan},
 * {@link OfferMatcher}, {@link LaunchBackoff}) fed views of that state on every tick. Calls go to the
 * master one after the other ({@link CallChannel}), so a REVIVE can never overtake the DECLINE it clears;
 * offers are declined with the long idle filter only once a tick has found nothing wanted.
 *
 * <p>Durability: every change of an app, deployment or instance is written to ZooKeeper through
 * {@link ServicesStore} before the API answers and before the master is asked to act on it (a launch
 * is recorded as {@code PROVISIONED} before the ACCEPT), so a restart resumes from the store and
 * reconciles with the master: instances the master does not know are replaced, tasks of this framework
 * the store does not know are killed.
 */
public final class ServicesScheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServicesScheduler.class);
  /** An app's label that sets its drain period in seconds. */
  public static final String DRAIN_LABEL = io.mezzo.services.app.AppValidator.DRAIN_LABEL;
  private static final Duration KILL_RETRY = Duration.ofSeconds(10);
  private static final double DECLINE_SECONDS = 5;
  private static final double DECLINE_IDLE_SECONDS = 120;

  private final ServicesConfig config;
  private final ServicesStore store;
  private final EventBus events;
  private final Clock clock;
  private final ScheduledExecutorService loop;
  private final ReadinessProber readiness;

  // ---- state owned by the loop
  private final Map<String, AppEntry> apps = new LinkedHashMap<>();
  private final Map<String, Instance> instances = new LinkedHashMap<>();
  private final Map<String, Deployment> deployments = new LinkedHashMap<>(); // by app id
  private final Map<String, AgentView> agentViews = new HashMap<>(); // by agent id, from offers
  private final Map<String, Instant> killSentAt = new HashMap<>();
  private MasterLink client;
  /** The calls to {@link #client}, kept in order (see {@link CallChannel}); null when not connected. */
  private CallChannel channel;
  /** Counts subscription attempts: events of an older stream are dropped. */
  private long generation;
  /** Events of the current stream that reached the loop before {@link #onConnected} (replayed there). */
  private final List<Event> early = new ArrayList<>();
  /** Whether a tick has computed what each app wants since {@link #recover}: until then nothing is known idle. */
  private boolean planned;
  /** Whether the stream being connected ended before {@link #onConnected} took it. */
  private boolean endedEarly;
  private String frameworkId;
  private boolean suppressed;
  private boolean declinedIdle;
  private boolean closed;
  private long reconnectDelayMs = 500;
  private Instant subscribedAt;
  private String lastVersion = "";
  /** framework_info.principal and the bearer token sent to the master; both null on an open cluster. */
  private String principal;
  private MasterLink.Connector connector;
  /** Instances launched since start (ACCEPTs sent), for {@link ServicesMeters}; any thread reads it. */
  private final java.util.concurrent.atomic.AtomicLong launches = new java.util.concurrent.atomic.AtomicLong();

  private ServicesScheduler(ServicesConfig config, ServicesStore store, EventBus events, Clock clock,
      ScheduledExecutorService loop) {
    this.config = config;
    this.store = store;
    this.events = events;
    this.clock = clock;
    this.loop = loop;
    this.readiness = new ReadinessProber(r -> loop.execute(() -> guard(r)));
  }

  /**
   * Loads the stored state, then connects to the master in the background (retrying until it
   * answers) and starts ticking.
   *
   * @throws RuntimeException when ZooKeeper cannot be reached or holds state this version cannot read
   */
  public static ServicesScheduler start(ServicesConfig config, EventBus events, Clock clock) {
    return start(config, events, clock, null, io.mezzo.core.auth.Caller.NONE);
  }

  /**
   * As {@link #start(ServicesConfig, EventBus, Clock)}, subscribing as {@code principal} (put in
   * {@code framework_info.principal}; null for none), calling the master as {@code master}.
   */
  public static ServicesScheduler start(ServicesConfig config, EventBus events, Clock clock, String principal,
      io.mezzo.core.auth.Caller master) {
    return start(config, events, clock, principal, MasterLink.http(config.masterHostPort(), master));
  }

  /** As above, subscribing through {@code connector} (tests give a recording master). */
  static ServicesScheduler start(ServicesConfig config, EventBus events, Clock clock, String principal,
      MasterLink.Connector connector) {
    ServicesStore store = ServicesStore.connect(config.zkConnect(), config.zkRoot(), Duration.ofSeconds(15));
    ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "services-loop");
      t.setDaemon(true);
      return t;
    });
    ServicesScheduler s = new ServicesScheduler(config, store, events, clock, loop);
    s.principal = principal;
    s.connector = connector;
    try {
      s.call(() -> {
        s.recover();
        return null;
      }).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      loop.shutdownNow();
      store.close();
      Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("cannot start the services scheduler: " + cause.getMessage(), cause);
    }
    long tick = config.tick().toMillis();
    loop.scheduleWithFixedDelay(() -> s.guard(s::tick), tick, tick, TimeUnit.MILLISECONDS);
    long rec = config.reconcileInterval().toMillis();
    loop.scheduleWithFixedDelay(() -> s.guard(s::reconcile), rec, rec, TimeUnit.MILLISECONDS);
    loop.execute(() -> s.guard(s::connect));
    return s;
  }

  /** Runs {@code work} on the loop; the future fails with whatever it throws. */
  public <T> CompletableFuture<T> call(Callable<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    try {
      loop.execute(() -> {
        try {
          f.complete(work.call());
        } catch (Throwable t) {
          f.completeExceptionally(t);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      f.completeExceptionally(new IllegalStateException("the services scheduler is stopped"));
    }
    return f;
  }

  private void guard(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.error("services loop: {}", e.toString(), e);
    }
  }

  public EventBus events() {
    return events;
  }

  public ServicesConfig config() {
    return config;
  }

  // ================================================================ recovery and the master link

  private void recover() {
    frameworkId = store.frameworkId().orElse(null);
    for (io.mezzo.services.store.StoredApp a : store.apps()) {
      apps.put(a.app().id(), new AppEntry(a.app(), a.version(), a.configVersion()));
    }
    for (Deployment d : store.deployments()) {
      if (apps.containsKey(d.appId())) {
        deployments.put(d.appId(), d);
      } else {
        store.removeDeployment(d.id());
      }
    }
    for (Instance i : store.instances()) {
      instances.put(i.instanceId(), i);
    }
    LOG.info("services: recovered {} app(s), {} deployment(s), {} instance(s){}", apps.size(), deployments.size(),
        instances.size(), frameworkId == null ? "" : " as framework " + frameworkId);
  }

  private void connect() {
    if (closed || client != null) {
      return;
    }
    FrameworkInfo info = new FrameworkInfo(config.user(), config.frameworkName(),
        frameworkId == null ? null : new FrameworkId(frameworkId), (double) config.failoverTimeout().toSeconds(),
        true, null, roles(), null, principal, null,
        List.of(new FrameworkInfo.Capability("MULTI_ROLE"), new FrameworkInfo.Capability("PARTITION_AWARE")));
    // Subscribing blocks until SUBSCRIBED: do it off the loop, then hand the client back. The
    // stream's first events (OFFERS) can reach the loop before the client does: they wait in
    // `early`, since answering them without a client would drop the DECLINE or ACCEPT.
    long gen = ++generation;
    early.clear();
    endedEarly = false;
    Thread t = new Thread(() -> {
      MasterLink c;
      try {
        c = connector.subscribe(info, e -> loop.execute(() -> guard(() -> onEvent(gen, e))),
            cause -> loop.execute(() -> guard(() -> onDisconnect(gen, cause))));
      } catch (RuntimeException e) {
        LOG.info("services: cannot subscribe to master {}: {}; retrying in {} ms", config.masterHostPort(),
            e.getMessage(), reconnectDelayMs);
        loop.schedule(() -> guard(this::connect), reconnectDelayMs, TimeUnit.MILLISECONDS);
        reconnectDelayMs = Math.min(reconnectDelayMs * 2, 10_000);
        return;
      }
      loop.execute(() -> guard(() -> onConnected(c, gen)));
    }, "services-connect");
    t.setDaemon(true);
    t.start();
  }

  private List<String> roles() {
    List<String> roles = new ArrayList<>();
    roles.add(config.role());
    for (AppEntry a : apps.values()) {
      String r = roleOf(a.def);
      if (!roles.contains(r)) {
        roles.add(r);
      }
    }
    return roles;
  }

  private String roleOf(AppDefinition app) {
    return app.role() == null ? config.role() : app.role();
  }

  private void onConnected(MasterLink c, long gen) {
    if (closed || gen != generation) {
      c.close();
      return;
    }
    if (endedEarly) { // the stream ended between SUBSCRIBED and now
      c.close();
      early.clear();
      LOG.warn("services: master stream ended right after SUBSCRIBED; resubscribing");
      loop.schedule(() -> guard(this::connect), reconnectDelayMs, TimeUnit.MILLISECONDS);
      return;
    }
    client = c;
    channel = new CallChannel(c::send);
    reconnectDelayMs = 500;
    subscribedAt = clock.instant();
    suppressed = false;
    declinedIdle = true; // filters may remain from before a reconnect
    String id = c.frameworkId().value();
    if (!id.equals(frameworkId)) {
      store.putFrameworkId(id);
      frameworkId = id;
    }
    LOG.info("services: subscribed to {} as framework {}", config.masterHostPort(), id);
    events.publish("framework_message_event", Map.of("message", "subscribed as " + id));
    reconcile();
    // Implicit reconciliation: learn of tasks this framework has that the store does not know.
    send(Call.reconcile(null, List.of()));
    List<Event> held = List.copyOf(early);
    early.clear();
    held.forEach(this::onEvent);
  }

  private void onDisconnect(long gen, Throwable cause) {
    if (gen != generation) {
      return;
    }
    if (client == null) {
      endedEarly = true; // before onConnected: it resubscribes (a failed subscribe retries on its own)
      return;
    }
    client = null;
    channel = null;
    if (closed) {
      return;
    }
    LOG.warn("services: master stream ended ({}); resubscribing", cause == null ? "closed" : cause.toString());
    loop.schedule(() -> guard(this::connect), reconnectDelayMs, TimeUnit.MILLISECONDS);
  }

  private void send(Call call) {
    CallChannel c = channel;
    if (c == null) {
      return;
    }
    c.send(call).whenComplete((reply, err) -> {
      if (err != null) {
        LOG.debug("services: {} failed: {}", call.type(), err.toString());
      } else if (!reply.ok()) {
        LOG.warn("services: {} refused: HTTP {}: {}", call.type(), reply.status(), reply.body());
      }
    });
  }

  /** Explicit reconciliation of every instance not known to be terminal. */
  private void reconcile() {
    if (client == null || instances.isEmpty()) {
      return;
    }
    List<Call.ReconcileTask> tasks = new ArrayList<>();
    for (Instance i : instances.values()) {
      tasks.add(new Call.ReconcileTask(new TaskId(i.instanceId()), i.agentId() == null ? null : new AgentId(i.agentId())));
    }
    send(Call.reconcile(null, tasks));
  }

  private void onEvent(long gen, Event e) {
    if (gen != generation) {
      return; // a stream given up on
    }
    if (client == null) {
      early.add(e);
      return;
    }
    onEvent(e);
  }

  private void onEvent(Event e) {
    switch (e.type()) {
      case OFFERS -> onOffers(e.offers().offers());
      case UPDATE -> onUpdate(e.update().status());
      case ERROR -> LOG.error("services: master sent ERROR: {}", e.error() == null ? "" : e.error().message());
      default -> { }
    }
  }

  // ================================================================ offers

  private void onOffers(List<Offer> offers) {
    Instant now = clock.instant();
    for (Offer o : offers) {
      agentViews.put(o.agentId().value(), new AgentView(o.hostname() == null ? o.agentId().value() : o.hostname(), Map.of()));
    }
    List<OfferId> unused = new ArrayList<>();
    boolean anyWanted = false;
    for (Offer offer : offers) {
      List<OfferMatcher.Want> wants = wants(now);
      if (wants.isEmpty()) {
        unused.add(offer.id());
        continue;
      }
      anyWanted = true;
      OfferMatcher.Match match = OfferMatcher.match(offer, Map.of(), wants, () -> UUID.randomUUID().toString());
      match.unmetReasons().forEach((appId, reasons) -> {
        AppEntry a = apps.get(appId);
        if (a != null) {
          a.lastUnused = new UnusedOffer(offer.id().value(), offer.agentId().value(), offer.hostname(), now, reasons);
        }
      });
      if (match.launches().isEmpty()) {
        unused.add(offer.id());
        continue;
      }
      List<Instance> launched = new ArrayList<>();
      for (OfferMatcher.Launch l : match.launches()) {
        launched.add(new Instance(l.instanceId(), l.appId(), l.version(), offer.agentId().value(), l.host(), l.ports(),
            InstanceState.PROVISIONED, null, now, null, now, null));
      }
      store.putInstances(launched); // durable before the master hears of it
      launches.addAndGet(launched.size());
      for (Instance i : launched) {
        instances.put(i.instanceId(), i);
        AppEntry a = apps.get(i.appId());
        if (a != null) {
          a.wanted = Math.max(0, a.wanted - 1);
          a.lastUsedOfferAt = now;
        }
        publishInstance(i, "Provisioned");
      }
      Call accept = new Call(null, Call.Type.ACCEPT, null, new Call.Accept(List.of(offer.id()),
          List.of(new Call.Operation(Call.OperationType.LAUNCH,
              new Call.Launch(match.launches().stream().map(OfferMatcher.Launch::task).toList()))),
          new Call.Filters(DECLINE_SECONDS)), null, null, null, null, null, null);
      send(accept);
    }
    if (!unused.isEmpty()) {
      // Idle only when a tick has said so: offers that come before the first tick after a start
      // (a failover) find every `wanted` still 0, recovered deployments included.
      boolean idle = !anyWanted && planned;
      send(Call.decline(null, unused, idle ? DECLINE_IDLE_SECONDS : DECLINE_SECONDS));
      // Long filters must be cleared (REVIVE) as soon as something wants launching; the REVIVE
      // goes after this DECLINE on the same channel, so the master cannot take them the other way round.
      declinedIdle |= idle;
    }
  }

  /** What each app still wants launched, from the last tick's decisions. */
  private List<OfferMatcher.Want> wants(Instant now) {
    List<OfferMatcher.Want> wants = new ArrayList<>();
    for (AppEntry a : apps.values()) {
      if (a.wanted <= 0 || !a.backoff.allowsLaunchAt(now)) {
        continue;
      }
      List<AgentView> placed = new ArrayList<>();
      for (Instance i : instancesOf(a.def.id())) {
        if (countsAsActive(i, a, now) || i.state() == InstanceState.DRAINING) {
          placed.add(agentViews.getOrDefault(i.agentId(), new AgentView(i.host() == null ? "?" : i.host(), Map.of())));
        }
      }
      wants.add(new OfferMatcher.Want(a.def, a.configVersion, a.wanted, placed));
    }
    return wants;
  }

  // ================================================================ status updates

  private void onUpdate(TaskStatus s) {
    if (s.uuid() != null) {
      send(Call.acknowledge(null, s.agentId(), s.taskId(), s.uuid()));
    }
    Instant now = clock.instant();
    String id = s.taskId().value();
    Instance i = instances.get(id);
    if (i == null) {
      if (!s.state().isTerminal() && s.state() != TaskState.TASK_UNKNOWN && s.state() != TaskState.TASK_UNREACHABLE) {
        LOG.warn("services: task {} is not one of this scheduler's instances: killing it", id);
        send(Call.kill(null, s.taskId(), s.agentId()));
      }
      return;
    }
    AppEntry app = apps.get(i.appId());
    Instance before = i;
    boolean reconciliation = "REASON_RECONCILIATION".equals(s.reason());
    InstanceState next = switch (s.state()) {
      case TASK_STAGING -> InstanceState.STAGING;
      case TASK_STARTING -> InstanceState.STARTING;
      case TASK_RUNNING -> InstanceState.RUNNING;
      case TASK_KILLING -> InstanceState.KILLING;
      case TASK_FINISHED -> InstanceState.FINISHED;
      case TASK_FAILED -> InstanceState.FAILED;
      case TASK_KILLED -> InstanceState.KILLED;
      case TASK_ERROR -> InstanceState.ERROR;
      case TASK_UNREACHABLE -> InstanceState.UNREACHABLE;
      case TASK_UNKNOWN -> reconciliation && i.state() != InstanceState.PROVISIONED && recentlySubscribed(now)
          ? i.state() // agents may not have re-registered with a restarted master yet; asked again later
          : InstanceState.GONE;
      case TASK_LOST, TASK_DROPPED, TASK_GONE, TASK_GONE_BY_OPERATOR -> InstanceState.GONE;
    };
    if (!next.isTerminal() && (i.state() == InstanceState.DRAINING || i.state() == InstanceState.KILLING)
        && next != InstanceState.UNREACHABLE) {
      next = i.state(); // leaving instances stay leaving while they run
    }
    i = i.withState(next, now, s.message());
    if (s.healthy() != null && !Objects.equals(s.healthy(), i.healthy())) {
      i = i.withHealthy(s.healthy());
      events.publish("health_status_changed_event", Map.of("appId", i.appId(), "instanceId", i.instanceId(),
          "taskId", i.instanceId(), "version", i.version(), "alive", s.healthy()));
    }
    if (i.state().isTerminal()) {
      // Expected when this scheduler asked for it (a drain or a kill), not when the agent killed the
      // task on its own (a failed health check goes through TASK_KILLING too).
      boolean expected = before.state() == InstanceState.DRAINING || killSentAt.containsKey(id);
      instances.remove(id);
      killSentAt.remove(id);
      readiness.forget(id);
      store.removeInstance(id);
      if (!expected && app != null && i.state() != InstanceState.FINISHED) {
        app.backoff = app.backoff.afterFailure(now, app.def.backoffSeconds(), app.def.backoffFactor(),
            app.def.maxLaunchDelaySeconds());
        app.lastFailure = new TaskFailure(i.instanceId(), s.state().name(), s.message(), i.host(), i.version(), now);
        LOG.info("services: instance {} of {} ended {} ({}); next launch not before {}", id, i.appId(), s.state(),
            s.message(), app.backoff.launchAllowedAt());
      }
    } else if (!i.equals(before)) {
      instances.put(id, i);
      store.putInstance(i);
    }
    events.publish("status_update_event", statusEvent(i, s));
    if (i.state() != before.state()) {
      publishInstance(i, conditionOf(i.state()));
    }
  }

  private boolean recentlySubscribed(Instant now) {
    return subscribedAt != null && now.isBefore(subscribedAt.plus(Duration.ofSeconds(60)));
  }

  private static Map<String, Object> statusEvent(Instance i, TaskStatus s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("slaveId", i.agentId());
    m.put("taskId", i.instanceId());
    m.put("taskStatus", s.state().name());
    m.put("message", s.message() == null ? "" : s.message());
    m.put("appId", i.appId());
    m.put("host", i.host());
    m.put("ports", i.ports());
    m.put("version", i.version());
    return m;
  }

  private void publishInstance(Instance i, String condition) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("instanceId", i.instanceId());
    m.put("condition", condition);
    m.put("runSpecId", i.appId());
    m.put("agentId", i.agentId());
    m.put("host", i.host());
    m.put("ports", i.ports());
    m.put("runSpecVersion", i.version());
    events.publish("instance_changed_event", m);
  }

  private static String conditionOf(InstanceState s) {
    return switch (s) {
      case PROVISIONED -> "Provisioned";
      case STAGING -> "Staging";
      case STARTING -> "Starting";
      case RUNNING -> "Running";
      case DRAINING -> "Draining";
      case KILLING -> "Killing";
      case UNREACHABLE -> "Unreachable";
      case FINISHED -> "Finished";
      case FAILED -> "Failed";
      case KILLED -> "Killed";
      case ERROR -> "Error";
      case GONE -> "Gone";
    };
  }

  // ================================================================ the tick

  private void tick() {
    Instant now = clock.instant();
    boolean anyWanted = false;
    for (AppEntry a : List.copyOf(apps.values())) {
      expungeUnreachable(a, now);
      decide(a, now);
      anyWanted |= a.wanted > 0 && a.backoff.allowsLaunchAt(now);
    }
    planned = true;
    for (Instance i : List.copyOf(instances.values())) {
      if (i.state() == InstanceState.DRAINING && !now.isBefore(i.stateSince().plus(drainPeriod(i)))) {
        kill(i, now);
      } else if (i.state() == InstanceState.KILLING) {
        // Re-send kills that got no answer; a kill the agent started itself gets the same time to end.
        Instant sent = killSentAt.getOrDefault(i.instanceId(), i.stateSince());
        if (!now.isBefore(sent.plus(KILL_RETRY))) {
          kill(i, now);
        }
      } else if (i.state() == InstanceState.PROVISIONED && now.isAfter(i.stateSince().plus(Duration.ofMinutes(2)))) {
        send(Call.reconcile(null, List.of(new Call.ReconcileTask(new TaskId(i.instanceId()),
            i.agentId() == null ? null : new AgentId(i.agentId())))));
      }
    }
    if (client != null) {
      if (anyWanted && (suppressed || declinedIdle)) {
        send(new Call(null, Call.Type.REVIVE, null, null, null, null, null, null, new Call.Revive(List.of()), null));
        suppressed = false;
        declinedIdle = false;
      } else if (!anyWanted && !suppressed) {
        send(new Call(null, Call.Type.SUPPRESS, null, null, null, null, null, null, null, new Call.Suppress(List.of())));
        suppressed = true;
      }
    }
  }

  /** Drops instances unreachable beyond the app's expunge time (killing them should they return). */
  private void expungeUnreachable(AppEntry a, Instant now) {
    var strategy = a.def.unreachableStrategy();
    if (!strategy.enabled()) {
      return;
    }
    for (Instance i : instancesOf(a.def.id())) {
      if (i.state() == InstanceState.UNREACHABLE
          && !now.isBefore(i.stateSince().plusSeconds(strategy.expungeAfterSeconds()))) {
        LOG.info("services: instance {} unreachable for {} s: expunged", i.instanceId(), strategy.expungeAfterSeconds());
        instances.remove(i.instanceId());
        store.removeInstance(i.instanceId());
        publishInstance(i.withState(InstanceState.GONE, now, "expunged"), "Gone");
      }
    }
  }

  /** One app's decision for this tick ({@link AppPlanner}), applied: launches wanted, drains, the deployment's end. */
  private void decide(AppEntry a, Instant now) {
    Deployment d = deployments.get(a.def.id());
    List<AppPlanner.InstanceView> views = new ArrayList<>();
    for (Instance i : instancesOf(a.def.id())) {
      boolean healthy = isHealthy(i, a);
      if (healthy && d != null && i.version().equals(a.configVersion)) {
        // During a deployment a new instance must also pass the app's readiness checks.
        readiness.probe(a.def, i, now);
        healthy = readiness.isReady(a.def, i);
      }
      views.add(new AppPlanner.InstanceView(i.instanceId(), i.version(), i.state(), healthy, i.startedAt(),
          i.stateSince()));
    }
    AppPlanner.AppStep step = AppPlanner.plan(new AppPlanner.AppView(a.def.instances(), a.def.upgradeStrategy(),
        a.def.killSelection(), a.def.unreachableStrategy(), a.configVersion, d == null ? null : d.action(), views), now);
    a.wanted = step.launch(); // what is already provisioned counts as launched; offers launch the rest
    a.explanation = step.explanation();
    for (String id : step.drain()) {
      Instance i = instances.get(id);
      if (i != null) {
        drain(i, now, d != null && d.action() == Deployment.Action.StopApplication ? "app removed" : "deployment");
      }
    }
    if (d != null && step.deploymentDone()) {
      if (d.action() == Deployment.Action.StopApplication) {
        finishRemoval(a, d);
      } else {
        finishDeployment(a, d);
      }
    }
  }

  private boolean countsAsActive(Instance i, AppEntry a, Instant now) {
    return AppPlanner.counts(new AppPlanner.InstanceView(i.instanceId(), i.version(), i.state(), false, i.startedAt(),
        i.stateSince()), a.def.unreachableStrategy(), now);
  }

  private static boolean isHealthy(Instance i, AppEntry a) {
    if (i.state() != InstanceState.RUNNING) {
      return false;
    }
    return a.def.healthChecks().isEmpty() || Boolean.TRUE.equals(i.healthy());
  }

  private Duration drainPeriod(Instance i) {
    AppEntry a = apps.get(i.appId());
    if (a == null) {
      return Duration.ZERO;
    }
    String label = a.def.labels().get(DRAIN_LABEL);
    if (label == null) {
      return config.defaultDrain();
    }
    return Duration.ofMillis((long) (Double.parseDouble(label) * 1000));
  }

  private void drain(Instance i, Instant now, String why) {
    if (i.state() == InstanceState.DRAINING || i.state() == InstanceState.KILLING || i.state().isTerminal()) {
      return;
    }
    Instance d = i.withState(InstanceState.DRAINING, now, "draining: " + why);
    instances.put(d.instanceId(), d);
    store.putInstance(d);
    LOG.info("services: draining {} of {} ({}) for {}", i.instanceId(), i.appId(), why, drainPeriod(d));
    publishInstance(d, "Draining");
    if (drainPeriod(d).isZero() || i.state() == InstanceState.PROVISIONED || i.state() == InstanceState.UNREACHABLE) {
      kill(d, now);
    }
  }

  /** Ends the drain of {@code instanceId} at once (the load balancer saw it idle); false when it is not draining. */
  public CompletableFuture<Boolean> drained(String instanceId) {
    return call(() -> {
      Instance i = instances.get(instanceId);
      if (i == null || i.state() != InstanceState.DRAINING) {
        return false;
      }
      kill(i, clock.instant());
      return true;
    });
  }

  private void kill(Instance i, Instant now) {
    Instance k = i.withState(InstanceState.KILLING, now, null);
    if (k != i) {
      instances.put(k.instanceId(), k);
      store.putInstance(k);
      publishInstance(k, "Killing");
    }
    killSentAt.put(i.instanceId(), now);
    AppEntry a = apps.get(i.appId());
    Call.Kill body = new Call.Kill(new TaskId(i.instanceId()), i.agentId() == null ? null : new AgentId(i.agentId()),
        a == null || a.def.taskKillGracePeriodSeconds() == null ? null
            : new TaskInfo.KillPolicy(new TaskInfo.DurationInfo(a.def.taskKillGracePeriodSeconds() * 1_000_000_000L)));
    send(new Call(null, Call.Type.KILL, null, null, null, body, null, null, null, null));
  }

  private void finishDeployment(AppEntry a, Deployment d) {
    deployments.remove(a.def.id());
    store.removeDeployment(d.id());
    a.backoff = a.backoff.reset();
    LOG.info("services: deployment {} of {} ({}) succeeded", d.id(), d.appId(), d.action());
    events.publish("deployment_step_success", deploymentEvent(d, a));
    events.publish("deployment_success", deploymentEvent(d, a));
  }

  private void finishRemoval(AppEntry a, Deployment d) {
    apps.remove(a.def.id());
    deployments.remove(a.def.id());
    store.removeDeployment(d.id());
    store.removeApp(a.def.id());
    LOG.info("services: app {} removed", a.def.id());
    events.publish("deployment_step_success", deploymentEvent(d, a));
    events.publish("deployment_success", deploymentEvent(d, a));
  }

  private Map<String, Object> deploymentEvent(Deployment d, AppEntry a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", d.id());
    m.put("plan", Views.deployment(d, a == null ? null : a.explanation, List.of()));
    m.put("currentStep", Views.step(d));
    return m;
  }

  private List<Instance> instancesOf(String appId) {
    List<Instance> out = new ArrayList<>();
    for (Instance i : instances.values()) {
      if (i.appId().equals(appId)) {
        out.add(i);
      }
    }
    return out;
  }

  // ================================================================ changes (from the API, on the loop)

  /** An accepted change: the new version and the deployment carrying it out (null: none was needed). */
  public record Change(String version, String deploymentId, boolean created) {}

  /** A change was refused because deployments hold the app (HTTP 409 unless forced). */
  public static final class Locked extends RuntimeException {
    private final List<String> deploymentIds;

    Locked(List<String> deploymentIds) {
      super("App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/"
          + deploymentIds.get(0) + "'.");
      this.deploymentIds = List.copyOf(deploymentIds);
    }

    public List<String> deploymentIds() {
      return deploymentIds;
    }
  }

  /** No such app or deployment (HTTP 404). */
  public static final class NotFound extends RuntimeException {
    public NotFound(String message) {
      super(message);
    }
  }

  /** The app exists already (POST of an existing id: HTTP 409). */
  public static final class Exists extends RuntimeException {
    public Exists(String message) {
      super(message);
    }
  }

  /**
   * Creates or replaces {@code app}. A change of the instance count alone (with or without one of
   * {@code autoscaling}) is a scale; a change of {@code autoscaling} alone is a new version without a
   * deployment (no instance is touched and no running deployment is disturbed, so it needs no
   * {@code force}; the answer's deployment id is null); any other change replaces every instance by
   * rolling upgrade.
   *
   * @param createOnly refuse (with {@link Exists}) when the app exists (POST)
   * @param force replace a running deployment of the app instead of refusing with {@link Locked}
   */
  public CompletableFuture<Change> put(AppDefinition app, boolean createOnly, boolean force) {
    return call(() -> {
      AppEntry existing = apps.get(app.id());
      if (existing != null && createOnly) {
        throw new Exists("An app with id [" + app.id() + "] already exists.");
      }
      if (existing != null && !existing.def.equals(app) && existing.def.instances() == app.instances()
          && existing.def.sameTasksAs(app)) {
        return changePolicy(existing, app);
      }
      String forcedFrom = checkLock(app.id(), force);
      Instant now = clock.instant();
      String version = nextVersion(now);
      if (existing == null) {
        checkNoPrefixClash(app.id());
        AppEntry a = new AppEntry(app, version, version);
        Deployment d = new Deployment(UUID.randomUUID().toString(), app.id(), Deployment.Action.StartApplication,
            null, version, now, forcedFrom);
        store.putApp(app, version, version);
        store.putDeployment(d);
        apps.put(app.id(), a);
        startDeployment(a, d, app.instances() == 0);
        return new Change(version, d.id(), true);
      }
      boolean scaleOnly = existing.def.sameTasksAs(app);
      String configVersion = scaleOnly ? existing.configVersion : version;
      Deployment d = new Deployment(UUID.randomUUID().toString(), app.id(),
          scaleOnly ? Deployment.Action.ScaleApplication : Deployment.Action.RestartApplication,
          existing.version, version, now, forcedFrom);
      store.putApp(app, version, configVersion);
      store.putDeployment(d);
      existing.def = app;
      existing.version = version;
      existing.configVersion = configVersion;
      if (!scaleOnly) {
        existing.backoff = existing.backoff.reset();
      }
      startDeployment(existing, d, false);
      return new Change(version, d.id(), false);
    });
  }

  /** {@code app} differs from {@code a}'s definition in {@code autoscaling} alone: a new version, nothing to deploy. */
  private Change changePolicy(AppEntry a, AppDefinition app) {
    String version = nextVersion(clock.instant());
    store.putApp(app, version, a.configVersion);
    a.def = app;
    a.version = version;
    LOG.info("services: autoscaling of {} changed (version {}); no instance replaced", app.id(), version);
    return new Change(version, null, false);
  }

  /** Replaces every instance of {@code appId} by rolling restart (a new version, same definition). */
  public CompletableFuture<Change> restart(String appId, boolean force) {
    return call(() -> {
      AppEntry a = app(appId);
      String forcedFrom = checkLock(appId, force);
      Instant now = clock.instant();
      String version = nextVersion(now);
      Deployment d = new Deployment(UUID.randomUUID().toString(), appId, Deployment.Action.RestartApplication,
          a.version, version, now, forcedFrom);
      store.putApp(a.def, version, version);
      store.putDeployment(d);
      a.version = version;
      a.configVersion = version;
      a.backoff = a.backoff.reset();
      startDeployment(a, d, false);
      return new Change(version, d.id(), false);
    });
  }

  /** Removes {@code appId}: its instances are drained and killed, then the app is forgotten. */
  public CompletableFuture<Change> remove(String appId, boolean force) {
    return call(() -> {
      AppEntry a = app(appId);
      Deployment running = deployments.get(appId);
      if (running != null && running.action() == Deployment.Action.StopApplication) {
        return new Change(running.toVersion(), running.id(), false); // already being removed
      }
      String forcedFrom = checkLock(appId, force);
      Instant now = clock.instant();
      Deployment d = new Deployment(UUID.randomUUID().toString(), appId, Deployment.Action.StopApplication,
          a.version, a.version, now, forcedFrom);
      store.putDeployment(d);
      startDeployment(a, d, false);
      return new Change(a.version, d.id(), false);
    });
  }

  /**
   * Kills the given instances. With {@code scale} the apps shrink by as many (one scale deployment
   * per app); otherwise they are replaced. Unknown ids are ignored; the killed ones are returned.
   */
  public CompletableFuture<KillResult> killInstances(List<String> ids, boolean scale, boolean force) {
    return call(() -> {
      Instant now = clock.instant();
      Map<String, List<Instance>> byApp = new LinkedHashMap<>();
      for (String id : ids) {
        Instance i = instances.get(id);
        if (i != null && !i.state().isTerminal()) {
          byApp.computeIfAbsent(i.appId(), k -> new ArrayList<>()).add(i);
        }
      }
      List<Instance> killed = new ArrayList<>();
      Change change = null;
      for (var e : byApp.entrySet()) {
        AppEntry a = apps.get(e.getKey());
        if (scale && a != null) {
          String forcedFrom = checkLock(a.def.id(), force);
          String version = nextVersion(now);
          AppDefinition smaller = a.def.withInstances(Math.max(0, a.def.instances() - e.getValue().size()));
          Deployment d = new Deployment(UUID.randomUUID().toString(), a.def.id(), Deployment.Action.ScaleApplication,
              a.version, version, now, forcedFrom);
          store.putApp(smaller, version, a.configVersion);
          store.putDeployment(d);
          a.def = smaller;
          a.version = version;
          startDeployment(a, d, false);
          change = new Change(version, d.id(), false);
        }
        for (Instance i : e.getValue()) {
          killed.add(i);
          if (scale) {
            drain(i, now, "killed with scale");
          } else {
            kill(i, now);
          }
        }
      }
      return new KillResult(killed, change);
    });
  }

  /** The instances a kill request affected, and the scale deployment it made (or null). */
  public record KillResult(List<Instance> killed, Change change) {}

  /**
   * Cancels deployment {@code id}. With {@code force} it is just dropped (the app stays as it is);
   * otherwise the app goes back to the version it had before, by a new deployment.
   */
  public CompletableFuture<Change> cancelDeployment(String id, boolean force) {
    return call(() -> {
      Deployment d = deployments.values().stream().filter(x -> x.id().equals(id)).findFirst()
          .orElseThrow(() -> new NotFound("DeploymentPlan " + id + " does not exist"));
      AppEntry a = apps.get(d.appId());
      deployments.remove(d.appId());
      store.removeDeployment(d.id());
      events.publish("deployment_failed", deploymentEvent(d, a));
      if (force || a == null) {
        return null;
      }
      Instant now = clock.instant();
      if (d.fromVersion() == null) {
        // Rolling back a start removes the app.
        Deployment stop = new Deployment(UUID.randomUUID().toString(), d.appId(), Deployment.Action.StopApplication,
            a.version, a.version, now, d.id());
        store.putDeployment(stop);
        startDeployment(a, stop, false);
        return new Change(a.version, stop.id(), false);
      }
      AppDefinition previous = store.version(d.appId(), d.fromVersion())
          .orElseThrow(() -> new NotFound("version " + d.fromVersion() + " of " + d.appId() + " is no longer stored"));
      String previousConfig = d.action() == Deployment.Action.RestartApplication ? null : a.configVersion;
      boolean scaleOnly = a.def.sameTasksAs(previous) && previousConfig != null;
      String version = nextVersion(now);
      String configVersion = scaleOnly ? a.configVersion : version;
      Deployment back = new Deployment(UUID.randomUUID().toString(), d.appId(),
          scaleOnly ? Deployment.Action.ScaleApplication : Deployment.Action.RestartApplication, a.version, version, now, d.id());
      store.putApp(previous, version, configVersion);
      store.putDeployment(back);
      a.def = previous;
      a.version = version;
      a.configVersion = configVersion;
      startDeployment(a, back, false);
      return new Change(version, back.id(), false);
    });
  }

  /** Clears the restart backoff of {@code appId} (DELETE /v2/queue/{id}/delay). */
  public CompletableFuture<Boolean> resetDelay(String appId) {
    return call(() -> {
      AppEntry a = app(appId);
      a.backoff = a.backoff.reset();
      return true;
    });
  }

  private void startDeployment(AppEntry a, Deployment d, boolean finishedAlready) {
    deployments.put(a.def.id(), d);
    LOG.info("services: deployment {} of {}: {} {} -> {}", d.id(), d.appId(), d.action(), d.fromVersion(), d.toVersion());
    events.publish("deployment_info", deploymentEvent(d, a));
    if (finishedAlready) {
      finishDeployment(a, d);
    } else {
      decide(a, clock.instant());
    }
  }

  private String checkLock(String appId, boolean force) {
    Deployment running = deployments.get(appId);
    if (running == null) {
      return null;
    }
    if (!force) {
      throw new Locked(List.of(running.id()));
    }
    deployments.remove(appId);
    store.removeDeployment(running.id());
    events.publish("deployment_failed", deploymentEvent(running, apps.get(appId)));
    return running.id();
  }

  private void checkNoPrefixClash(String appId) {
    for (String other : apps.keySet()) {
      if (other.startsWith(appId + "/") || appId.startsWith(other + "/")) {
        throw new Exists("app id " + appId + " clashes with app " + other + " (an app id cannot be a group of another)");
      }
    }
  }

  private AppEntry app(String appId) {
    AppEntry a = apps.get(appId);
    if (a == null) {
      throw new NotFound("App '" + appId + "' does not exist");
    }
    return a;
  }

  /** Marathon-style versions: ISO-8601 UTC with milliseconds, strictly increasing. */
  private String nextVersion(Instant now) {
    Instant t = now.truncatedTo(ChronoUnit.MILLIS);
    String v = Views.iso(t);
    while (v.compareTo(lastVersion) <= 0) {
      t = t.plusMillis(1);
      v = Views.iso(t);
    }
    lastVersion = v;
    return v;
  }

  // ================================================================ queries (from the API, on the loop)

  /** A consistent snapshot of one app for the API. */
  public record AppSnapshot(AppDefinition app, String version, String configVersion, List<Instance> instances,
      Deployment deployment, int wanted, Instant launchAllowedAt, UnusedOffer lastUnused, Instant lastUsedOfferAt,
      TaskFailure lastFailure, String explanation, List<ReadinessResult> readiness) {}

  /** The last readiness probe of one new instance during a deployment. */
  public record ReadinessResult(String name, String taskId, boolean ready, String lastResponse) {}

  /** The last offer an app could not use, and why. */
  public record UnusedOffer(String offerId, String agentId, String hostname, Instant at, List<String> reasons) {}

  /** The last unexpected end of one of an app's instances. */
  public record TaskFailure(String taskId, String state, String message, String host, String version, Instant at) {}

  public CompletableFuture<List<AppSnapshot>> apps() {
    return call(() -> apps.values().stream().map(this::snapshot).toList());
  }

  public CompletableFuture<AppSnapshot> app(String appId, boolean required) {
    return call(() -> {
      AppEntry a = apps.get(appId);
      if (a == null && required) {
        throw new NotFound("App '" + appId + "' does not exist");
      }
      return a == null ? null : snapshot(a);
    });
  }

  public CompletableFuture<List<Deployment>> deployments() {
    return call(() -> List.copyOf(deployments.values()));
  }

  public CompletableFuture<List<String>> versions(String appId) {
    return call(() -> {
      app(appId);
      return store.versions(appId);
    });
  }

  public CompletableFuture<AppDefinition> version(String appId, String version) {
    return call(() -> {
      app(appId);
      return store.version(appId, version).orElseThrow(() -> new NotFound("App '" + appId + "' does not exist in version " + version));
    });
  }

  /** Instances launched since this scheduler started. Any thread. */
  public long launches() {
    return launches.get();
  }

  /** The framework id, or null before the first subscription. */
  public CompletableFuture<String> frameworkId() {
    return call(() -> frameworkId);
  }

  public CompletableFuture<Boolean> connected() {
    return call(() -> client != null);
  }

  private AppSnapshot snapshot(AppEntry a) {
    List<Instance> mine = instancesOf(a.def.id());
    mine.sort(Comparator.comparing(Instance::stagedAt, Comparator.nullsLast(Comparator.naturalOrder())));
    List<ReadinessResult> ready = new ArrayList<>();
    if (!a.def.readinessChecks().isEmpty()) {
      for (Instance i : mine) {
        String last = readiness.lastResult(i.instanceId());
        if (last != null) {
          ready.add(new ReadinessResult(a.def.readinessChecks().get(0).name(), i.instanceId(),
              readiness.isReady(a.def, i), last));
        }
      }
    }
    return new AppSnapshot(a.def, a.version, a.configVersion, mine, deployments.get(a.def.id()), a.wanted,
        a.backoff.launchAllowedAt(), a.lastUnused, a.lastUsedOfferAt, a.lastFailure, a.explanation, ready);
  }

  @Override
  public void close() {
    try {
      call(() -> {
        closed = true;
        if (client != null) {
          MasterLink c = client;
          client = null;
          channel = null;
          c.close();
        }
        return null;
      }).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.debug("services: close: {}", e.toString());
    }
    loop.shutdownNow();
    store.close();
  }

  /** One app's soft and hard state on the loop. */
  private static final class AppEntry {
    AppDefinition def;
    String version;
    String configVersion;
    LaunchBackoff backoff = LaunchBackoff.initial();
    int wanted;
    UnusedOffer lastUnused;
    Instant lastUsedOfferAt;
    TaskFailure lastFailure;
    String explanation = "";

    AppEntry(AppDefinition def, String version, String configVersion) {
      this.def = def;
      this.version = version;
      this.configVersion = configVersion;
    }
  }
}
