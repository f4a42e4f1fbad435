package io.mezzo.autoscaler.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.autoscaler.Decision;
import io.mezzo.autoscaler.Observation;
import io.mezzo.autoscaler.policy.ScalingPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One app's recent evaluations, one point each, for the dashboard's charts: the time, the instance
 * count, the metric values seen and the policy's targets. Bounded twice: points older than
 * {@link #WINDOW} before the newest are dropped, and at most {@link #CAPACITY} are kept (an app evaluated
 * every second fills the hour exactly). Not thread-safe: owned by the autoscaler's loop, which hands
 * the HTTP handlers an immutable copy ({@link #points}).
 */
final class AppHistory {
  static final Duration WINDOW = Duration.ofHours(1);
  static final int CAPACITY = 3600;

  /**
   * One evaluation.
   *
   * @param t when it ran
   * @param instances the app's count then
   * @param desired the count the decision asked for
   * @param ready the instances counted in the metrics
   * @param metrics the metric values gathered, by name (missing metrics are absent)
   * @param targets the policy's target per metric it tracks (target tracking and the forecast)
   */
  record Point(Instant t, int instances, int desired, int ready, Map<String, Double> metrics,
      Map<String, Double> targets) {
    Point {
      metrics = Map.copyOf(metrics);
      targets = Map.copyOf(targets);
    }

    /** The point of one evaluation: {@code seen} and the decision {@code d} under {@code policy}. */
    static Point of(Observation seen, Decision d, ScalingPolicy policy) {
      Map<String, Double> metrics = new LinkedHashMap<>();
      seen.metrics().forEach((name, v) -> metrics.put(name, v.value()));
      Map<String, Double> targets = new LinkedHashMap<>();
      policy.metrics().forEach(m -> targets.put(m.name(), m.target()));
      if (policy.predictive() != null) {
        targets.putIfAbsent(policy.predictive().metric(), policy.predictive().target());
      }
      return new Point(seen.now(), d.current(), d.desired(), seen.ready(), metrics, targets);
    }
  }

  private final ArrayDeque<Point> points = new ArrayDeque<>();

  /** Adds {@code p} and drops what falls out of the window or over the capacity. */
  void add(Point p) {
    points.addLast(p);
    Instant oldest = p.t().minus(WINDOW);
    while (points.size() > CAPACITY || points.peekFirst().t().isBefore(oldest)) {
      points.pollFirst();
    }
  }

  /** The points, oldest first, as an immutable list. */
  List<Point> points() {
    return List.copyOf(points);
  }

  /**
   * {@code {"app", "points": [{"t" (epoch millis), "instances", "desired", "ready", "metrics", "targets"}],
   * "decisions"}}, the decisions as {@code GET /v1/autoscaler/apps/{id}} shows them.
   */
  static ObjectNode json(String appId, List<Point> points, JsonNode decisions) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("app", appId);
    var list = o.putArray("points");
    for (Point p : points) {
      ObjectNode n = list.addObject();
      n.put("t", p.t().toEpochMilli());
      n.put("instances", p.instances());
      n.put("desired", p.desired());
      n.put("ready", p.ready());
      ObjectNode metrics = n.putObject("metrics");
      p.metrics().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> metrics.put(e.getKey(), e.getValue()));
      ObjectNode targets = n.putObject("targets");
      p.targets().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> targets.put(e.getKey(), e.getValue()));
    }
    o.set("decisions", decisions == null ? JsonNodeFactory.instance.arrayNode() : decisions.deepCopy());
    return o;
  }
}
