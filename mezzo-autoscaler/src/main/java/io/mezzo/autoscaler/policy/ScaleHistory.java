package io.mezzo.autoscaler.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The history {@link Behavior} needs for one app: the unstabilized recommendations of the last
 * stabilization window and the count changes of the last rate-limit period (or cooldown), each kept
 * only as long as a window or period can still see it and at most {@link #MAX_ENTRIES} of each (a
 * scaler evaluated more often than that per window forgets its oldest entries early). Mutable; owned by
 * one scaler and so by its caller's thread.
 */
final class ScaleHistory {
  static final int MAX_ENTRIES = 4096;

  /** One recommendation as it was before stabilization. */
  record Recommendation(Instant at, int instances) {}

  /** One change of the count: positive up, negative down. */
  record Change(Instant at, int delta) {}

  private final Duration keepRecommendations;
  private final Duration keepChanges;
  private final Deque<Recommendation> recommendations = new ArrayDeque<>();
  private final Deque<Change> changes = new ArrayDeque<>();

  ScaleHistory(Duration keepRecommendations, Duration keepChanges) {
    this.keepRecommendations = keepRecommendations;
    this.keepChanges = keepChanges;
  }

  /** The history a behaviour with these windows, periods and cooldown needs. */
  static ScaleHistory forBehavior(ScalingPolicy.BehaviorSpec behavior, int cooldownSeconds) {
    int window = Math.max(behavior.scaleUp().stabilizationWindowSeconds(),
        behavior.scaleDown().stabilizationWindowSeconds());
    int period = Math.max(cooldownSeconds, Math.max(behavior.scaleUp().longestPeriodSeconds(),
        behavior.scaleDown().longestPeriodSeconds()));
    return new ScaleHistory(Duration.ofSeconds(window), Duration.ofSeconds(period));
  }

  List<Recommendation> recommendations() {
    return List.copyOf(recommendations);
  }

  List<Change> changes() {
    return List.copyOf(changes);
  }

  void recommend(Instant at, int instances) {
    recommendations.addLast(new Recommendation(at, instances));
    while (!recommendations.isEmpty() && (recommendations.size() > MAX_ENTRIES
        || recommendations.peekFirst().at().isBefore(at.minus(keepRecommendations)))) {
      recommendations.removeFirst();
    }
  }

  void change(Instant at, int delta) {
    if (delta == 0) {
      return;
    }
    changes.addLast(new Change(at, delta));
    while (!changes.isEmpty() && (changes.size() > MAX_ENTRIES
        || changes.peekFirst().at().isBefore(at.minus(keepChanges)))) {
      changes.removeFirst();
    }
  }

  int size() {
    return recommendations.size() + changes.size();
  }
}
