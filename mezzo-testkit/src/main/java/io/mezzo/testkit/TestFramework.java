package io.mezzo.testkit;

import static org.awaitility.Awaitility.await;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.OfferId;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.core.scheduler.Call;
import io.mezzo.core.scheduler.Event;
import io.mezzo.core.scheduler.SchedulerClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A framework for tests, speaking the real v1 scheduler HTTP API: it records every event, keeps the
 * set of outstanding offers (minus rescinded and used ones), acknowledges updates that carry a uuid,
 * and offers waits on all of that. Events arrive on the subscription's reader thread; the
 * collections are concurrent.
 */
public final class TestFramework implements AutoCloseable {
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final Map<OfferId, Offer> outstanding = new ConcurrentHashMap<>();
  private final Map<TaskId, List<TaskStatus>> updates = new ConcurrentHashMap<>();
  private final SchedulerClient client;
  private volatile boolean disconnected;

  /**
   * The user test frameworks subscribe as: this JVM's, as Mesos's tests do. An agent running as root
   * runs their tasks as its task user ({@code nobody}) since they ask for root; a made-up user would
   * fail every task ("user 'x' does not exist on agent ...").
   */
  public static final String USER = System.getProperty("user.name", "root");

  private TestFramework(String master, String token, FrameworkInfo info) {
    this(master, io.mezzo.core.auth.Caller.withToken(token), info);
  }

  private TestFramework(String master, io.mezzo.core.auth.Caller caller, FrameworkInfo info) {
    this.client = SchedulerClient.subscribe(master, caller, info, this::onEvent, cause -> disconnected = true,
        Duration.ofSeconds(20));
  }

  /**
   * Subscribes {@code info} calling as {@code caller}: over HTTPS with a client certificate
   * ({@code new Caller(null, Tls.client(ca, cert, key))}, mutual TLS) and/or a token; throws
   * {@link SchedulerClient.SchedulerException} when the master refuses.
   */
  public static TestFramework subscribeAs(String master, io.mezzo.core.auth.Caller caller, FrameworkInfo info) {
    return new TestFramework(master, caller, info);
  }

  /**
   * Subscribes {@code info} sending {@code token} (a framework principal's secret) with every call;
   * throws {@link SchedulerClient.SchedulerException} when the master refuses.
   */
  public static TestFramework subscribe(String master, String token, FrameworkInfo info) {
    return new TestFramework(master, token, info);
  }

  /** Subscribes with {@code info} as given (an id in it resubscribes that framework). */
  public static TestFramework subscribe(String master, FrameworkInfo info) {
    return new TestFramework(master, (String) null, info);
  }

  /** A FrameworkInfo for this JVM's user ({@link #USER}) with the given failover timeout and capabilities. */
  public static FrameworkInfo info(String name, FrameworkId id, double failoverTimeout, String... capabilities) {
    List<FrameworkInfo.Capability> caps = new ArrayList<>();
    for (String c : capabilities) {
      caps.add(new FrameworkInfo.Capability(c));
    }
    return new FrameworkInfo(USER, name, id, failoverTimeout, false, null, null, null, null, null, caps);
  }

  public static TestFramework subscribe(String master, String name, boolean partitionAware) {
    List<FrameworkInfo.Capability> caps = partitionAware
        ? List.of(new FrameworkInfo.Capability("PARTITION_AWARE")) : List.of();
    return new TestFramework(master, (String) null, new FrameworkInfo(USER, name, null, 3600.0, false, null, null, null, null,
        null, caps));
  }

  private void onEvent(Event e) {
    events.add(e);
    switch (e.type()) {
      case OFFERS -> e.offers().offers().forEach(o -> outstanding.put(o.id(), o));
      case RESCIND -> outstanding.remove(e.rescind().offerId());
      case UPDATE -> {
        TaskStatus s = e.update().status();
        updates.computeIfAbsent(s.taskId(), k -> new CopyOnWriteArrayList<>()).add(s);
        if (s.uuid() != null) {
          client.acknowledge(s);
        }
      }
      default -> { }
    }
  }

  public SchedulerClient client() {
    return client;
  }

  public List<Event> events() {
    return events;
  }

  public boolean isDisconnected() {
    return disconnected;
  }

  public List<Offer> outstandingOffers() {
    return new ArrayList<>(outstanding.values());
  }

  /** Waits for an outstanding offer that satisfies {@code test} and takes it out of the pool. */
  public Offer awaitOffer(Predicate<Offer> test) {
    Offer[] found = new Offer[1];
    await("an offer").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
      for (Offer o : outstanding.values()) {
        if (test.test(o) && outstanding.remove(o.id()) != null) {
          found[0] = o;
          return true;
        }
      }
      return false;
    });
    return found[0];
  }

  public Offer awaitOffer() {
    return awaitOffer(o -> true);
  }

  /** Launches one shell task on {@code offer}; returns the HTTP status of the ACCEPT call. */
  public int launch(Offer offer, TaskId id, String command, Resources resources) {
    TaskInfo task = new TaskInfo(id.value(), id, offer.agentId(), resources.toList(), CommandInfo.shell(command),
        null, null, null);
    return launch(offer, task);
  }

  public int launch(Offer offer, TaskInfo task) {
    return client.send(Call.accept(client.frameworkId(), List.of(offer.id()), List.of(task), 0.0)).join().status();
  }

  /** Sends any call (the framework id is filled in); returns the HTTP status. */
  public int send(Call call) {
    return client.send(call).join().status();
  }

  public FrameworkId id() {
    return client.frameworkId();
  }

  /** Closes the subscription without TEARDOWN, as a crashed scheduler would: the master starts its failover timer. */
  public void disconnect() {
    disconnected = true;
    client.close();
  }

  public int kill(TaskId task, AgentId agent) {
    return client.send(Call.kill(client.frameworkId(), task, agent)).join().status();
  }

  public List<TaskStatus> updates(TaskId task) {
    return updates.getOrDefault(task, List.of());
  }

  public List<TaskState> states(TaskId task) {
    return updates(task).stream().map(TaskStatus::state).toList();
  }

  /** Waits until an update with {@code state} arrived for {@code task}, and returns it. */
  public TaskStatus awaitState(TaskId task, TaskState state, Duration atMost) {
    await(task + " in " + state).atMost(atMost).pollInterval(Duration.ofMillis(20))
        .until(() -> find(task, state).isPresent());
    return find(task, state).orElseThrow();
  }

  private Optional<TaskStatus> find(TaskId task, TaskState state) {
    return updates(task).stream().filter(s -> s.state() == state).findFirst();
  }

  /** Declines every outstanding offer, filtering the agents for {@code refuseSeconds}. */
  public void declineAll(double refuseSeconds) {
    List<OfferId> ids = new ArrayList<>(outstanding.keySet());
    ids.forEach(outstanding::remove);
    if (!ids.isEmpty()) {
      client.send(Call.decline(client.frameworkId(), ids, refuseSeconds)).join();
    }
  }

  /** Tears the framework down (its tasks are killed) and closes the stream. */
  @Override
  public void close() {
    try {
      if (!disconnected) {
        client.send(Call.of(client.frameworkId(), Call.Type.TEARDOWN)).join();
      }
    } catch (RuntimeException e) {
      // the master may already be gone; closing the stream is all that is left to do
    } finally {
      client.close();
    }
  }

}
