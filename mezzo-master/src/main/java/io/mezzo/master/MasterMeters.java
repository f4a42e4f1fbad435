package io.mezzo.master;

import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskState;
import io.mezzo.master.operator.ClusterView;
import io.mezzo.master.state.AgentEntry;
import io.mezzo.master.state.FrameworkEntry;
import io.mezzo.master.state.TaskEntry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The master's Prometheus meters: the allocator's full cycles ({@code mezzo_allocator_cycle_seconds}, a
 * histogram), offers sent, declined and rescinded ({@code mezzo_offers_*_total}), and gauges of the
 * cluster: tasks per state ({@code mezzo_tasks{state}}), agents per state ({@code mezzo_agents{state}}),
 * frameworks per state ({@code mezzo_frameworks{state}}), outstanding offers, and the resources of
 * connected agents, total, used and offered ({@code mezzo_resources_registered{resource}} (not {@code _total}: that suffix is for counters),
 * {@code mezzo_resources_used}, {@code mezzo_resources_offered}; mem and disk in bytes).
 *
 * <p>Counters and the timer are recorded by the master loop thread (they are thread-safe). Gauges read
 * the last {@link Snapshot}, an immutable value the loop thread builds ({@link #publish}, on the loop,
 * from its live state) and hands over through a volatile field; a scrape never touches the loop's state.
 */
final class MasterMeters {
  /** Scalar resources reported, with the factor to their base unit (mem and disk are in MiB). */
  static final Map<String, Double> RESOURCES = Map.of("cpus", 1.0, "mem", 1024.0 * 1024, "disk", 1024.0 * 1024,
      "gpus", 1.0);
  private static final Duration[] CYCLE_BUCKETS = {Duration.ofNanos(100_000), Duration.ofNanos(250_000),
      Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
      Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500)};

  /** The gauges' values at one moment. Immutable. */
  record Snapshot(Map<TaskState, Integer> tasks, Map<AgentEntry.Status, Integer> agents,
      Map<String, Integer> frameworks, int offers, Map<String, Double> total, Map<String, Double> used,
      Map<String, Double> offered) {
    static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), Map.of(), 0, Map.of(), Map.of(), Map.of());
  }

  /** Framework states: connected and not suppressed, connected but suppressing offers, disconnected. */
  static final List<String> FRAMEWORK_STATES = List.of("active", "suppressed", "disconnected");

  private final Timer cycle;
  private final Counter sent;
  private final Counter declined;
  private final Counter rescinded;
  private volatile Snapshot snapshot = Snapshot.EMPTY;

  MasterMeters(MeterRegistry registry) {
    cycle = Timer.builder("mezzo_allocator_cycle").description("the time of one allocation cycle over every agent")
        .serviceLevelObjectives(CYCLE_BUCKETS).register(registry);
    sent = Counter.builder("mezzo_offers_sent").description("offers sent to frameworks").register(registry);
    declined = Counter.builder("mezzo_offers_declined").description("offers frameworks declined").register(registry);
    rescinded = Counter.builder("mezzo_offers_rescinded").description("offers the master took back")
        .register(registry);
    for (TaskState s : TaskState.values()) {
      Gauge.builder("mezzo_tasks", this, m -> m.snapshot.tasks().getOrDefault(s, 0))
          .description("tasks the master knows, per state (terminal ones until they are acknowledged)")
          .tag("state", s.name()).register(registry);
    }
    for (AgentEntry.Status s : AgentEntry.Status.values()) {
      Gauge.builder("mezzo_agents", this, m -> m.snapshot.agents().getOrDefault(s, 0))
          .description("agents the master knows, per state").tag("state", s.name()).register(registry);
    }
    for (String s : FRAMEWORK_STATES) {
      Gauge.builder("mezzo_frameworks", this, m -> m.snapshot.frameworks().getOrDefault(s, 0))
          .description("registered frameworks, per state").tag("state", s).register(registry);
    }
    Gauge.builder("mezzo_offers_outstanding", this, m -> m.snapshot.offers())
        .description("offers sent and not yet accepted, declined or rescinded").register(registry);
    for (String r : RESOURCES.keySet()) {
      Gauge.builder("mezzo_resources_registered", this, m -> m.snapshot.total().getOrDefault(r, 0.0))
          .description("resources of the connected agents (cpus; mem and disk in bytes; gpus)")
          .tag("resource", r).register(registry);
      Gauge.builder("mezzo_resources_used", this, m -> m.snapshot.used().getOrDefault(r, 0.0))
          .description("resources held by tasks and executors").tag("resource", r).register(registry);
      Gauge.builder("mezzo_resources_offered", this, m -> m.snapshot.offered().getOrDefault(r, 0.0))
          .description("resources in outstanding offers").tag("resource", r).register(registry);
    }
  }

  void allocationCycle(long nanos) {
    cycle.record(nanos, TimeUnit.NANOSECONDS);
  }

  void offersSent(int n) {
    sent.increment(n);
  }

  void offerDeclined() {
    declined.increment();
  }

  void offerRescinded() {
    rescinded.increment();
  }

  /** Takes a snapshot of {@code c} for the gauges. On the master loop thread only. */
  void publish(ClusterView c) {
    snapshot = snapshot(c);
  }

  /** The gauges' figures from the loop's live state. Pure; on the loop thread. */
  static Snapshot snapshot(ClusterView c) {
    Map<TaskState, Integer> tasks = new EnumMap<>(TaskState.class);
    Map<String, Integer> frameworks = new HashMap<>();
    for (FrameworkEntry f : c.frameworks()) {
      String state = !f.isConnected() ? "disconnected" : f.suppressed() ? "suppressed" : "active";
      frameworks.merge(state, 1, Integer::sum);
      for (TaskEntry t : f.tasks.values()) {
        tasks.merge(t.state(), 1, Integer::sum);
      }
    }
    Map<AgentEntry.Status, Integer> agents = new EnumMap<>(AgentEntry.Status.class);
    Resources total = Resources.EMPTY;
    Resources used = Resources.EMPTY;
    Resources offered = Resources.EMPTY;
    for (AgentEntry a : c.agents().values()) {
      agents.merge(a.status, 1, Integer::sum);
      if (a.isActive()) { // as /metrics/snapshot's master/cpus_total
        total = total.plus(a.total);
        used = used.plus(a.used);
        offered = offered.plus(a.offered);
      }
    }
    return new Snapshot(Map.copyOf(tasks), Map.copyOf(agents), Map.copyOf(frameworks), c.offers().size(),
        scalars(total), scalars(used), scalars(offered));
  }

  private static Map<String, Double> scalars(Resources r) {
    Map<String, Double> out = new HashMap<>();
    RESOURCES.forEach((name, factor) -> out.put(name, r.scalar(name) * factor));
    return Map.copyOf(out);
  }
}
