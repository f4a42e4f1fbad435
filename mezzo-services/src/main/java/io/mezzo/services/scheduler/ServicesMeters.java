package io.mezzo.services.scheduler;

import io.mezzo.core.metrics.ProcessMetrics;
import io.mezzo.services.instance.Instance;
import io.mezzo.services.instance.InstanceState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The services scheduler's Prometheus meters: apps ({@code mezzo_services_apps}), instances per state
 * ({@code mezzo_services_instances{state}}), deployments in progress ({@code mezzo_services_deployments})
 * and instances launched ({@code mezzo_services_launches_total}).
 *
 * <p>Before each scrape the scheduler's loop, which owns the apps, hands over immutable snapshots of
 * them ({@link ServicesScheduler#apps()}, {@link ServicesScheduler#deployments()}); the gauges read the
 * figures taken from those through a volatile field. Thread-safe.
 */
public final class ServicesMeters {
  /** The figures the gauges show. Immutable. */
  record Snapshot(int apps, Map<InstanceState, Integer> instances, int deployments) {
    static final Snapshot EMPTY = new Snapshot(0, Map.of(), 0);
  }

  private volatile Snapshot snapshot = Snapshot.EMPTY;

  private ServicesMeters(ServicesScheduler scheduler, MeterRegistry registry) {
    Gauge.builder("mezzo_services_apps", this, m -> m.snapshot.apps()).description("apps defined")
        .register(registry);
    for (InstanceState s : InstanceState.values()) {
      Gauge.builder("mezzo_services_instances", this, m -> m.snapshot.instances().getOrDefault(s, 0))
          .description("instances of every app, per state").tag("state", s.name()).register(registry);
    }
    Gauge.builder("mezzo_services_deployments", this, m -> m.snapshot.deployments())
        .description("deployments in progress").register(registry);
    FunctionCounter.builder("mezzo_services_launches", scheduler, ServicesScheduler::launches)
        .description("instances launched").register(registry);
  }

  /** Binds the meters of {@code scheduler} to {@code metrics}, refreshed before each scrape. */
  public static void bind(ServicesScheduler scheduler, ProcessMetrics metrics) {
    ServicesMeters m = new ServicesMeters(scheduler, metrics.registry());
    metrics.beforeScrape(() -> scheduler.apps().thenCombine(scheduler.deployments(),
        (apps, deployments) -> {
          m.snapshot = snapshot(apps, deployments.size());
          return null;
        }));
  }

  static Snapshot snapshot(List<ServicesScheduler.AppSnapshot> apps, int deployments) {
    Map<InstanceState, Integer> instances = new EnumMap<>(InstanceState.class);
    for (ServicesScheduler.AppSnapshot a : apps) {
      for (Instance i : a.instances()) {
        instances.merge(i.state(), 1, Integer::sum);
      }
    }
    return new Snapshot(apps.size(), Map.copyOf(instances), deployments);
  }
}
