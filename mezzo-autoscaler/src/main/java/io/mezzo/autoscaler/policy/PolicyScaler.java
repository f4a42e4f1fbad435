package io.mezzo.autoscaler.policy;

import io.mezzo.autoscaler.Decision;
import io.mezzo.autoscaler.Decision.Proposal;
import io.mezzo.autoscaler.Observation;
import io.mezzo.autoscaler.Scaler;
import io.mezzo.autoscaler.policy.ScalingPolicy.ScheduleSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.StepSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.TargetSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Mezzo's scaler: one {@link ScalingPolicy} applied at each evaluation.
 * <ol>
 *   <li>the reactive recommendation is the largest count the target-tracking metrics and step rules
 *       ask for (none answering: the current count); if any of them is missing, it is at least the
 *       current count: missing metrics never cause a scale-down;
 *   <li>the predictive policy may raise it, never lower it;
 *   <li>{@link Behavior} stabilizes it, applies the cooldown and the rate limits, then the bounds: the
 *       policy's {@code minInstances} raised by the scheduled minimums in force, and
 *       {@code maxInstances}.
 * </ol>
 * The {@link Decision} lists every proposal, what limited the result, and a one-line reason. An app at
 * 0 instances is suspended (by its user) and stays so, as HPA leaves a workload scaled to zero alone.
 *
 * <p>State: the recommendation and change history of the behaviour and the predictive model, both
 * bounded ({@link ScaleHistory}, {@link Predictive}). Not thread-safe: one scaler per app, called by one
 * thread with times that never go back.
 */
public final class PolicyScaler implements Scaler {
  private final ScalingPolicy policy;
  private final ScaleHistory history;
  private final Predictive predictive;

  public PolicyScaler(ScalingPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.history = ScaleHistory.forBehavior(policy.behavior(), policy.cooldownSeconds());
    this.predictive = policy.predictive() == null ? null
        : new Predictive(policy.predictive(), policy.evaluationSeconds());
  }

  public ScalingPolicy policy() {
    return policy;
  }

  @Override
  public Decision evaluate(Observation observation) {
    Instant now = observation.now();
    int current = observation.current();
    if (current == 0) {
      return new Decision(now, 0, 0, List.of(), "suspended", "0 instances: the app is suspended, as HPA holds at 0 -> 0");
    }
    List<Proposal> proposals = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    Proposal winner = null;
    for (TargetSpec m : policy.metrics()) {
      winner = reactive(TargetTracking.propose(m, observation), proposals, missing, m.name(), winner);
    }
    for (StepSpec s : policy.steps()) {
      winner = reactive(StepScaling.propose(s, observation), proposals, missing, s.metric(), winner);
    }
    int recommendation = winner == null ? current : winner.instances();
    List<String> notes = new ArrayList<>();
    if (!missing.isEmpty() && recommendation < current) {
      recommendation = current;
      notes.add("missing " + String.join(", ", missing) + ": no scale-down");
    }
    if (predictive != null) {
      predictive.observe(observation);
      Proposal forecast = predictive.propose(observation);
      proposals.add(forecast);
      if (forecast.instances() > recommendation) {
        recommendation = forecast.instances();
        winner = forecast;
      }
    }
    int min = policy.minInstances();
    for (ScheduleSpec s : policy.schedules()) {
      Proposal p = ScheduledMinimum.propose(s, now);
      proposals.add(p);
      min = Math.max(min, Math.min(p.instances(), policy.maxInstances()));
    }
    Behavior.Outcome outcome = Behavior.apply(policy.behavior(), policy.cooldownSeconds(),
        history.recommendations(), history.changes(), now, current, recommendation, min, policy.maxInstances());
    history.recommend(now, recommendation);
    history.change(now, outcome.desired() - current);
    if (outcome.limitedBy() != null) {
      notes.add(outcome.limitedBy());
    }
    String limitedBy = notes.isEmpty() ? null : String.join(", ", notes);
    String because = winner == null ? "no metric answered" : winner.policy() + " " + winner.detail();
    String reason = because + (limitedBy == null ? "" : "; " + limitedBy) + " -> " + outcome.desired();
    return new Decision(now, current, outcome.desired(), proposals, limitedBy, reason);
  }

  private static Proposal reactive(Proposal p, List<Proposal> proposals, List<String> missing, String metric,
      Proposal winner) {
    proposals.add(p);
    if (p.instances() < 0) {
      missing.add(metric);
      return winner;
    }
    return winner == null || p.instances() > winner.instances() ? p : winner;
  }

  /** Entries held for the behaviour (a bound the tests check). */
  int historySize() {
    return history.size();
  }
}
