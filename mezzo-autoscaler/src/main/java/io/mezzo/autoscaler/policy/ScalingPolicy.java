package io.mezzo.autoscaler.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.autoscaler.Scaler;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One app's {@code autoscaling} object (a Mezzo extension to Marathon's app JSON): the bounds, the
 * policies that propose counts (target tracking, step, scheduled minimums, predictive) and the
 * Kubernetes-style {@code behavior} that limits how fast and how often the count moves. A valid value
 * by construction: the canonical constructor checks every field and throws one {@link PolicyException}
 * listing all problems, so no scaler ever sees a bad policy. Immutable.
 *
 * <p>JSON: {@link #parse(String)} / {@link #fromJson(JsonNode)} read the camelCase shape documented in
 * {@code examples/autoscale-policy.json} (unknown fields are refused: a misspelt field would silently
 * change behaviour); {@link #toJson()} writes it back with every default filled in.
 *
 * @param minInstances the lowest count, at least 1 (scaling to zero is not supported)
 * @param maxInstances the highest count
 * @param metrics target-tracking metrics; several combine by taking the largest count
 * @param steps step-scaling rules
 * @param schedules windows with a raised minimum
 * @param predictive the forecast, or null
 * @param behavior rate limits and stabilization windows per direction
 * @param cooldownSeconds after each change, no other change for this long (0: none)
 * @param cpuInitializationSeconds a new instance's cpu is ignored for this long (applied by the metric
 *     gatherer, kept here because it belongs to the app's policy)
 * @param evaluationSeconds how often the app is evaluated
 */
public record ScalingPolicy(int minInstances, int maxInstances, List<TargetSpec> metrics, List<StepSpec> steps,
    List<ScheduleSpec> schedules, PredictiveSpec predictive, BehaviorSpec behavior, int cooldownSeconds,
    int cpuInitializationSeconds, int evaluationSeconds) {
  public static final double DEFAULT_TOLERANCE = 0.1;
  public static final int DEFAULT_MIN_INSTANCES = 1;
  public static final int DEFAULT_COOLDOWN_SECONDS = 0;
  public static final int DEFAULT_CPU_INITIALIZATION_SECONDS = 300;
  public static final int DEFAULT_EVALUATION_SECONDS = 15;

  public ScalingPolicy {
    metrics = List.copyOf(metrics);
    steps = List.copyOf(steps);
    schedules = List.copyOf(schedules);
    Objects.requireNonNull(behavior, "behavior");
    List<String> problems = PolicyChecks.problems(minInstances, maxInstances, metrics, steps, schedules,
        predictive, behavior, cooldownSeconds, cpuInitializationSeconds, evaluationSeconds);
    if (!problems.isEmpty()) {
      throw new PolicyException(problems);
    }
  }

  /** Target tracking on one metric with the default behaviour, cooldown, evaluation period and tolerance. */
  public static ScalingPolicy targetTracking(String metric, double target, int minInstances, int maxInstances) {
    return new ScalingPolicy(minInstances, maxInstances, List.of(new TargetSpec(metric, target, DEFAULT_TOLERANCE)),
        List.of(), List.of(), null, BehaviorSpec.defaults(), DEFAULT_COOLDOWN_SECONDS,
        DEFAULT_CPU_INITIALIZATION_SECONDS, DEFAULT_EVALUATION_SECONDS);
  }

  /**
   * Reads a policy from JSON text: either the {@code autoscaling} object itself or any object (an app
   * definition) holding it under {@code autoscaling}.
   *
   * @throws PolicyException naming every bad field
   */
  public static ScalingPolicy parse(String json) {
    return PolicyJson.parse(json);
  }

  /** The policy Mezzo recommends: {@code examples/autoscale-policy.json}, shipped in the jar. */
  public static ScalingPolicy recommended() {
    try (java.io.InputStream in = ScalingPolicy.class.getResourceAsStream("/io/mezzo/autoscaler/autoscale-policy.json")) {
      if (in == null) {
        throw new IllegalStateException("the recommended policy is missing from the jar");
      }
      return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** As {@link #parse(String)}, from a tree. */
  public static ScalingPolicy fromJson(JsonNode node) {
    return PolicyJson.read(node);
  }

  /** This policy in its JSON shape, defaults filled in; {@link #fromJson} reads it back equal. */
  public ObjectNode toJson() {
    return PolicyJson.write(this);
  }

  /** A new scaler applying this policy ({@link PolicyScaler}); one per app. */
  public Scaler scaler() {
    return new PolicyScaler(this);
  }

  /** A new Kubernetes HPA with its defaults on this policy's first metric and bounds ({@link HpaScaler#from}). */
  public Scaler hpaBaseline() {
    return HpaScaler.from(this);
  }

  /** This policy with another behaviour. */
  public ScalingPolicy withBehavior(BehaviorSpec newBehavior, int newCooldownSeconds) {
    return new ScalingPolicy(minInstances, maxInstances, metrics, steps, schedules, predictive, newBehavior,
        newCooldownSeconds, cpuInitializationSeconds, evaluationSeconds);
  }

  /** This policy with a forecast (or none). */
  public ScalingPolicy withPredictive(PredictiveSpec newPredictive) {
    return new ScalingPolicy(minInstances, maxInstances, metrics, steps, schedules, newPredictive, behavior,
        cooldownSeconds, cpuInitializationSeconds, evaluationSeconds);
  }

  /**
   * Target tracking on one metric: keep {@code name}'s per-instance value near {@code target}, leaving
   * the count alone while the value is within {@code tolerance} (a fraction) of it.
   */
  public record TargetSpec(String name, double target, double tolerance) {}

  /** Step scaling on {@code metric}: the thresholds the metric's value crosses decide the change. */
  public record StepSpec(String metric, List<ThresholdSpec> thresholds) {
    public StepSpec {
      thresholds = List.copyOf(thresholds);
    }
  }

  /** Which side of its bound a threshold fires on. */
  public enum Side { ABOVE, BELOW }

  /** What a threshold's change counts. */
  public enum Unit { INSTANCES, PERCENT }

  /**
   * One step: when the value is above (or below) {@code bound}, change the count by {@code change}
   * instances or percent of the current count (positive above, negative below).
   */
  public record ThresholdSpec(Side side, double bound, Unit unit, double change) {
    /** Whether {@code value} is past this threshold. */
    public boolean fires(double value) {
      return side == Side.ABOVE ? value > bound : value < bound;
    }

    /** The count this step asks for from {@code current}; a percent change moves by at least one. */
    public int apply(int current) {
      if (unit == Unit.INSTANCES) {
        return Math.max(0, current + (int) change);
      }
      int magnitude = (int) Math.max(1, Math.ceil(Math.abs(current * change / 100.0)));
      return Math.max(0, current + (change > 0 ? magnitude : -magnitude));
    }
  }

  /**
   * A window, repeated on {@code days}, from {@code from} to {@code to} local time in {@code zone},
   * during which the count is at least {@code minInstances}. A window whose {@code to} is not after its
   * {@code from} runs past midnight into the next day (equal: 24 hours).
   */
  public record ScheduleSpec(String name, Set<DayOfWeek> days, LocalTime from, LocalTime to, ZoneId zone,
      int minInstances) {
    public ScheduleSpec {
      days = days.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(days));
    }

    /** Whether {@code now} falls in one of the windows. */
    public boolean covers(Instant now) {
      ZonedDateTime local = now.atZone(zone);
      LocalTime time = local.toLocalTime();
      DayOfWeek day = local.getDayOfWeek();
      if (from.isBefore(to)) {
        return days.contains(day) && !time.isBefore(from) && time.isBefore(to);
      }
      return (days.contains(day) && !time.isBefore(from)) || (days.contains(day.minus(1)) && time.isBefore(to));
    }
  }

  /**
   * A forecast of {@code metric}'s app-wide total (the per-instance value times the instances
   * reporting it) {@code horizonSeconds} ahead, by additive Holt-Winters with a season of
   * {@code seasonSeconds}; the count it asks for is the forecast over {@code target} per instance.
   * The smoothing factors are in (0, 1]. With {@code rampWindowSeconds > 0}, a short-term ramp forecast
   * too: while the total rises, its least-squares slope over the last {@code rampWindowSeconds},
   * extrapolated {@code horizonSeconds} ahead of the latest sample (for a horizon of the start-up delay
   * plus an evaluation: the load when instances asked for now are ready); the forecast is the larger of
   * the two. The ramp needs no season of learning.
   */
  public record PredictiveSpec(String metric, double target, int horizonSeconds, int seasonSeconds,
      double levelSmoothing, double trendSmoothing, double seasonSmoothing, int rampWindowSeconds) {
    public static final double DEFAULT_LEVEL_SMOOTHING = 0.3;
    public static final double DEFAULT_TREND_SMOOTHING = 0.02;
    public static final double DEFAULT_SEASON_SMOOTHING = 0.3;

    /** A forecast with the default smoothing factors. */
    public static PredictiveSpec of(String metric, double target, int horizonSeconds, int seasonSeconds) {
      return new PredictiveSpec(metric, target, horizonSeconds, seasonSeconds, DEFAULT_LEVEL_SMOOTHING,
          DEFAULT_TREND_SMOOTHING, DEFAULT_SEASON_SMOOTHING, 0);
    }

    /** This forecast with a short-term ramp over {@code windowSeconds} (0: none). */
    public PredictiveSpec withRamp(int windowSeconds) {
      return new PredictiveSpec(metric, target, horizonSeconds, seasonSeconds, levelSmoothing, trendSmoothing,
          seasonSmoothing, windowSeconds);
    }
  }

  /** Kubernetes HPA v2's {@code behavior}: one set of rules per direction. */
  public record BehaviorSpec(DirectionSpec scaleUp, DirectionSpec scaleDown) {
    public BehaviorSpec {
      Objects.requireNonNull(scaleUp, "scaleUp");
      Objects.requireNonNull(scaleDown, "scaleDown");
    }

    /** Kubernetes' defaults: up max(100%, 4 instances) per 15 s at once, down 100% per 15 s after 300 s. */
    public static BehaviorSpec defaults() {
      return new BehaviorSpec(DirectionSpec.defaultScaleUp(), DirectionSpec.defaultScaleDown());
    }
  }

  /** How {@link DirectionSpec#policies()} combine: the largest change, the smallest, or no scaling that way. */
  public enum Select { MAX, MIN, DISABLED }

  /**
   * The rules for one direction: recommendations are stabilized over {@code stabilizationWindowSeconds}
   * and the change is limited by {@code policies} combined by {@code selectPolicy}.
   */
  public record DirectionSpec(int stabilizationWindowSeconds, List<RateSpec> policies, Select selectPolicy) {
    public static final int DEFAULT_SCALE_UP_WINDOW_SECONDS = 0;
    public static final int DEFAULT_SCALE_DOWN_WINDOW_SECONDS = 300;

    public DirectionSpec {
      policies = List.copyOf(policies);
      Objects.requireNonNull(selectPolicy, "selectPolicy");
    }

    public static DirectionSpec defaultScaleUp() {
      return new DirectionSpec(DEFAULT_SCALE_UP_WINDOW_SECONDS,
          List.of(new RateSpec(RateType.PERCENT, 100, 15), new RateSpec(RateType.INSTANCES, 4, 15)), Select.MAX);
    }

    public static DirectionSpec defaultScaleDown() {
      return new DirectionSpec(DEFAULT_SCALE_DOWN_WINDOW_SECONDS, List.of(new RateSpec(RateType.PERCENT, 100, 15)),
          Select.MAX);
    }

    /** The longest policy period, the history a rate limit needs. */
    public int longestPeriodSeconds() {
      return policies.stream().mapToInt(RateSpec::periodSeconds).max().orElse(0);
    }
  }

  /** What a rate policy counts: instances, or percent of the count at the start of the period. */
  public enum RateType { INSTANCES, PERCENT }

  /** At most {@code value} instances (or percent) of change per {@code periodSeconds}. */
  public record RateSpec(RateType type, int value, int periodSeconds) {
    public RateSpec {
      Objects.requireNonNull(type, "type");
    }
  }
}
