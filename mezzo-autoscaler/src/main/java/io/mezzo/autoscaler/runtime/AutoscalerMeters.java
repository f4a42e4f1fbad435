package io.mezzo.autoscaler.runtime;

import io.mezzo.autoscaler.Decision;
import io.mezzo.autoscaler.policy.ScalingPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The autoscaler's Prometheus meters, per app with an autoscaling policy: decisions that change the
 * count or are held by a limit, as the decision log keeps them (a hold repeating the last one is folded
 * into it and not counted again) ({@code mezzo_autoscaler_decisions_total{app,direction}}, direction
 * {@code up}, {@code down} or {@code hold}), the instances the app has and the last decision wants
 * ({@code mezzo_autoscaler_instances_current{app}}, {@code mezzo_autoscaler_instances_desired{app}}),
 * and each policy metric's last value and target ({@code mezzo_autoscaler_metric_value{app,metric}},
 * {@code mezzo_autoscaler_metric_target{app,metric}}).
 *
 * <p>Called on the autoscaler loop only: {@link #decision} as it decides, {@link #publish} after each
 * tick with the apps' figures; the gauges hold the values published last (an app gone drops its rows).
 */
final class AutoscalerMeters {
  /** One app's figures at the end of a tick. */
  record AppFigures(String appId, int current, Integer desired, Map<String, Double> values,
      List<ScalingPolicy.TargetSpec> targets) {}

  private final MeterRegistry registry;
  private final MultiGauge current;
  private final MultiGauge desired;
  private final MultiGauge value;
  private final MultiGauge target;

  AutoscalerMeters(MeterRegistry registry) {
    this.registry = registry;
    current = MultiGauge.builder("mezzo_autoscaler_instances_current")
        .description("instances an autoscaled app has").register(registry);
    desired = MultiGauge.builder("mezzo_autoscaler_instances_desired")
        .description("instances the last decision for an autoscaled app wants").register(registry);
    value = MultiGauge.builder("mezzo_autoscaler_metric_value")
        .description("the last value of a policy metric, as the policy compares it to its target").register(registry);
    target = MultiGauge.builder("mezzo_autoscaler_metric_target")
        .description("a policy metric's target").register(registry);
  }

  /** Counts a decision that changes the count or that a limit held. */
  void decision(String appId, Decision d) {
    String direction = d.desired() > d.current() ? "up" : d.desired() < d.current() ? "down" : "hold";
    Counter.builder("mezzo_autoscaler_decisions").description("scaling decisions, by app and direction")
        .tags("app", appId, "direction", direction).register(registry).increment();
  }

  /** The gauges' rows for {@code apps}, replacing the last ones. */
  void publish(List<AppFigures> apps) {
    List<MultiGauge.Row<?>> cur = new ArrayList<>();
    List<MultiGauge.Row<?>> des = new ArrayList<>();
    List<MultiGauge.Row<?>> val = new ArrayList<>();
    List<MultiGauge.Row<?>> tgt = new ArrayList<>();
    for (AppFigures a : apps) {
      Tags app = Tags.of("app", a.appId());
      cur.add(MultiGauge.Row.of(app, a.current()));
      if (a.desired() != null) {
        des.add(MultiGauge.Row.of(app, a.desired()));
      }
      a.values().forEach((metric, v) -> val.add(MultiGauge.Row.of(app.and("metric", metric), v)));
      for (ScalingPolicy.TargetSpec t : a.targets()) {
        tgt.add(MultiGauge.Row.of(app.and("metric", t.name()), t.target()));
      }
    }
    current.register(cur, true);
    desired.register(des, true);
    value.register(val, true);
    target.register(tgt, true);
  }
}
