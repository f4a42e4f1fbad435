package io.mezzo.autoscaler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.autoscaler.Decision;
import io.mezzo.autoscaler.MetricValue;
import io.mezzo.autoscaler.Observation;
import io.mezzo.autoscaler.Scaler;
import io.mezzo.autoscaler.policy.ScalingPolicy.BehaviorSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.DirectionSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.PredictiveSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.RateSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.RateType;
import io.mezzo.autoscaler.policy.ScalingPolicy.Select;
import io.mezzo.autoscaler.policy.ScalingPolicy.Side;
import io.mezzo.autoscaler.policy.ScalingPolicy.StepSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.TargetSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.ThresholdSpec;
import io.mezzo.autoscaler.policy.ScalingPolicy.Unit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties of {@link PolicyScaler} (and of {@link HpaScaler} where they are HPA's too) over random
 * policies and random load sequences, each evaluation fed the count the previous one decided.
 */
class ScalerProperties {
  /** One evaluation's input: seconds since the previous one, the app's total load, and gaps in the metrics. */
  record Step(int dt, double load, int starting, boolean cpuMissing, boolean rpsMissing) {}

  /** The observation of {@code step}'s load on {@code current} instances, {@code starting} of them not ready. */
  static Observation observe(Instant now, int current, Step step, double scale) {
    int ready = Math.max(0, current - step.starting());
    Map<String, MetricValue> metrics = new HashMap<>();
    double load = step.load() * scale;
    if (ready > 0) {
      if (!step.cpuMissing()) {
        metrics.put(MetricValue.CPU, MetricValue.perInstance(load / ready / 100, ready));
      }
      if (!step.rpsMissing()) {
        metrics.put(MetricValue.REQUESTS_PER_SECOND, MetricValue.perInstance(load / ready, ready));
      }
      metrics.put(MetricValue.LATENCY_P95_MS, MetricValue.appWide(10 + load / ready));
    }
    return new Observation(now, current, ready, metrics);
  }

  /** Runs {@code steps} through {@code scaler} from {@code start} instances; the decisions in order. */
  static List<Decision> run(Scaler scaler, int start, List<Step> steps) {
    List<Decision> out = new ArrayList<>();
    Instant now = Obs.T0;
    int count = start;
    for (Step s : steps) {
      now = now.plusSeconds(s.dt());
      Decision d = scaler.evaluate(observe(now, count, s, 1));
      out.add(d);
      count = d.desired();
    }
    return out;
  }

  /** From any count but 0 (a suspended app, left alone), even outside the bounds. */
  @Property(tries = 300)
  void theCountStaysWithinMinAndMax(@ForAll("policies") ScalingPolicy policy, @ForAll("loads") List<Step> steps,
      @ForAll @IntRange(min = 1, max = 80) int start) {
    for (Decision d : run(new PolicyScaler(policy), start, steps)) {
      assertThat(d.desired()).isBetween(policy.minInstances(), policy.maxInstances());
    }
  }

  @Property(tries = 300)
  void moreLoadNeverGivesFewerInstances(@ForAll("policies") ScalingPolicy policy, @ForAll("loads") List<Step> steps,
      @ForAll @IntRange(min = 1, max = 60) int start, @ForAll @DoubleRange(min = 1, max = 5) double more) {
    PolicyScaler less = new PolicyScaler(policy);
    PolicyScaler moreLoaded = new PolicyScaler(policy);
    List<Step> prefix = steps.subList(0, steps.size() - 1);
    List<Decision> a = run(less, start, prefix);
    List<Decision> b = run(moreLoaded, start, prefix);
    assertThat(b).isEqualTo(a);
    int count = a.isEmpty() ? start : a.get(a.size() - 1).desired();
    Instant now = a.isEmpty() ? Obs.T0 : a.get(a.size() - 1).at();
    Step last = steps.get(steps.size() - 1);
    now = now.plusSeconds(last.dt());
    int lessDesired = less.evaluate(observe(now, count, last, 1)).desired();
    int moreDesired = moreLoaded.evaluate(observe(now, count, last, more)).desired();
    assertThat(moreDesired).isGreaterThanOrEqualTo(lessDesired);
  }

  @Property(tries = 300)
  void hpaIsMonotonicInLoadToo(@ForAll("loads") List<Step> steps, @ForAll @IntRange(min = 1, max = 60) int start,
      @ForAll @DoubleRange(min = 1, max = 5) double more) {
    HpaScaler less = new HpaScaler("cpu", 0.6, 1, 50);
    HpaScaler moreLoaded = new HpaScaler("cpu", 0.6, 1, 50);
    List<Decision> a = run(less, start, steps.subList(0, steps.size() - 1));
    run(moreLoaded, start, steps.subList(0, steps.size() - 1));
    int count = a.isEmpty() ? start : a.get(a.size() - 1).desired();
    Instant now = (a.isEmpty() ? Obs.T0 : a.get(a.size() - 1).at()).plusSeconds(1);
    Step last = steps.get(steps.size() - 1);
    assertThat(moreLoaded.evaluate(observe(now, count, last, more)).desired())
        .isGreaterThanOrEqualTo(less.evaluate(observe(now, count, last, 1)).desired());
  }

  @Property(tries = 300)
  void rateLimitsHoldOverAnySequence(@ForAll("policies") ScalingPolicy policy, @ForAll("loads") List<Step> steps,
      @ForAll @IntRange(min = 1, max = 60) int start) {
    Assume.that(policy.schedules().isEmpty());
    int first = Math.max(policy.minInstances(), Math.min(policy.maxInstances(), start));
    List<Decision> decisions = run(new PolicyScaler(policy), first, steps);
    for (int i = 0; i < decisions.size(); i++) {
      Decision d = decisions.get(i);
      if (d.desired() > d.current()) {
        assertThat(d.desired()).as("%s", d).isLessThanOrEqualTo(
            limit(policy.behavior().scaleUp(), decisions, i, first, true));
      } else if (d.desired() < d.current()) {
        assertThat(d.desired()).as("%s", d).isGreaterThanOrEqualTo(
            limit(policy.behavior().scaleDown(), decisions, i, first, false));
      }
    }
  }

  /** What {@code rules} allow at decision {@code i}, from the count at the start of each policy's period. */
  private static int limit(DirectionSpec rules, List<Decision> decisions, int i, int first, boolean up) {
    Instant now = decisions.get(i).at();
    List<Integer> limits = new ArrayList<>();
    for (RateSpec r : rules.policies()) {
      int start = first;
      for (int j = 0; j < i && !decisions.get(j).at().isAfter(now.minusSeconds(r.periodSeconds())); j++) {
        start = decisions.get(j).desired();
      }
      double factor = 1 + (up ? 1 : -1) * r.value() / 100.0;
      limits.add(r.type() == RateType.INSTANCES ? start + (up ? r.value() : -r.value())
          : up ? (int) Math.ceil(start * factor) : (int) (start * factor));
    }
    boolean largest = (rules.selectPolicy() == Select.MAX) == up;
    return limits.stream().mapToInt(Integer::intValue).reduce(largest ? Math::max : Math::min).orElseThrow();
  }

  @Property(tries = 300)
  void stabilizationWindowsHold(@ForAll("behaviors") BehaviorSpec behavior, @ForAll("loads") List<Step> steps,
      @ForAll @IntRange(min = 1, max = 40) int start) {
    TargetSpec cpu = new TargetSpec("cpu", 0.6, 0.1);
    ScalingPolicy policy = new ScalingPolicy(1, 50, List.of(cpu), List.of(), List.of(), null, behavior, 0, 300, 15);
    PolicyScaler scaler = new PolicyScaler(policy);
    List<Instant> times = new ArrayList<>();
    List<Integer> raw = new ArrayList<>();
    Instant now = Obs.T0;
    int count = start;
    for (Step s : steps) {
      now = now.plusSeconds(s.dt());
      Step present = new Step(s.dt(), s.load(), s.starting(), false, false);
      Observation o = observe(now, count, present, 1);
      int proposal = TargetTracking.propose(cpu, o).instances();
      times.add(now);
      raw.add(proposal < 0 ? count : proposal);
      Decision d = scaler.evaluate(o);
      if (d.desired() < count) {
        Instant cutoff = now.minusSeconds(behavior.scaleDown().stabilizationWindowSeconds());
        for (int j = 0; j < raw.size(); j++) {
          if (times.get(j).isAfter(cutoff) || j == raw.size() - 1) {
            assertThat(d.desired()).as("%s", d).isGreaterThanOrEqualTo(raw.get(j));
          }
        }
      } else if (d.desired() > count) {
        Instant cutoff = now.minusSeconds(behavior.scaleUp().stabilizationWindowSeconds());
        for (int j = 0; j < raw.size(); j++) {
          if (times.get(j).isAfter(cutoff) || j == raw.size() - 1) {
            assertThat(d.desired()).as("%s", d).isLessThanOrEqualTo(raw.get(j));
          }
        }
      }
      count = d.desired();
    }
  }

  @Property(tries = 300)
  void missingMetricsNeverLowerTheCount(@ForAll("policies") ScalingPolicy policy, @ForAll("loads") List<Step> steps,
      @ForAll @IntRange(min = 1, max = 60) int start) {
    int first = Math.max(policy.minInstances(), Math.min(policy.maxInstances(), start));
    List<Decision> decisions = run(new PolicyScaler(policy), first, steps);
    for (int i = 0; i < decisions.size(); i++) {
      Step s = steps.get(i);
      int ready = Math.max(0, decisions.get(i).current() - s.starting());
      boolean missing = ready == 0 || s.cpuMissing()
          || (s.rpsMissing() && policy.metrics().stream().anyMatch(m -> m.name().equals("requestsPerSecond")));
      if (missing) {
        assertThat(decisions.get(i).desired()).as("%s", decisions.get(i))
            .isGreaterThanOrEqualTo(decisions.get(i).current());
      }
    }
  }

  /**
   * Constant load ({@code lambda} instances' worth at the target) with noise of at most {@code delta}:
   * once the count has moved to fit it, it stays. Within these ranges every count the first change can
   * reach ({@code ceil(lambda * (1 +- delta))}) sees the noisy load within the tolerance, so this is what
   * HPA's rule promises; the start is close enough for the default scale-up rate to get there at once.
   */
  @Property(tries = 300)
  void aConstantNoisyLoadWithinTheToleranceSettlesAfterOneChange(
      @ForAll @DoubleRange(min = 20, max = 200) double lambda, @ForAll @DoubleRange(min = 0, max = 0.02) double delta,
      @ForAll @DoubleRange(min = 0.1, max = 0.25) double tolerance, @ForAll @DoubleRange(min = 0.5, max = 3) double from,
      @ForAll long seed) {
    int lo = (int) Math.ceil(lambda * (1 - delta));
    int hi = (int) Math.ceil(lambda * (1 + delta));
    for (int d = lo; d <= hi; d++) {
      Assume.that(lambda * (1 + delta) / d <= 1 + tolerance && lambda * (1 - delta) / d >= 1 - tolerance);
    }
    double target = 0.6;
    ScalingPolicy policy = new ScalingPolicy(1, 1000, List.of(new TargetSpec("cpu", target, tolerance)), List.of(),
        List.of(), null, BehaviorSpec.defaults(), 0, 300, 15);
    PolicyScaler scaler = new PolicyScaler(policy);
    Random noise = new Random(seed);
    int count = Math.max((hi + 1) / 2, (int) Math.round(lambda * from));
    int changes = 0;
    for (int i = 0; i < 200; i++) {
      double perInstance = target * lambda / count * (1 + delta * (2 * noise.nextDouble() - 1));
      Decision d = scaler.evaluate(Obs.of(i * 15L, count, "cpu", perInstance));
      if (d.changes()) {
        changes++;
        assertThat(d.desired()).isBetween(lo, hi);
      }
      count = d.desired();
    }
    assertThat(changes).isLessThanOrEqualTo(1);
  }

  // --- generators

  @Provide
  Arbitrary<List<Step>> loads() {
    Arbitrary<Step> step = Combinators.combine(
        Arbitraries.integers().between(1, 45),
        Arbitraries.doubles().between(0, 4000),
        Arbitraries.of(0, 0, 0, 1, 2),
        Arbitraries.of(false, false, false, true),
        Arbitraries.of(false, false, false, true)).as(Step::new);
    return step.list().ofMinSize(1).ofMaxSize(120);
  }

  @Provide
  Arbitrary<BehaviorSpec> behaviors() {
    return Combinators.combine(direction(true), direction(false)).as(BehaviorSpec::new);
  }

  private static Arbitrary<DirectionSpec> direction(boolean up) {
    Arbitrary<RateSpec> rate = Combinators.combine(Arbitraries.of(RateType.values()),
        Arbitraries.integers().between(1, 200), Arbitraries.integers().between(1, 120)).as(RateSpec::new);
    return Combinators.combine(Arbitraries.integers().between(0, up ? 90 : 600), rate.list().ofMinSize(1).ofMaxSize(3),
        Arbitraries.of(Select.MAX, Select.MIN)).as(DirectionSpec::new);
  }

  @Provide
  Arbitrary<ScalingPolicy> policies() {
    Arbitrary<Integer> min = Arbitraries.integers().between(1, 5);
    Arbitrary<Integer> extra = Arbitraries.integers().between(0, 50);
    Arbitrary<List<TargetSpec>> metrics = Combinators.combine(Arbitraries.doubles().between(0.3, 0.9),
        Arbitraries.doubles().between(0, 0.3), Arbitraries.doubles().between(20, 200), Arbitraries.of(true, false))
        .as((cpu, tol, rps, both) -> both
            ? List.of(new TargetSpec("cpu", cpu, tol), new TargetSpec("requestsPerSecond", rps, tol))
            : List.of(new TargetSpec("cpu", cpu, tol)));
    Arbitrary<List<StepSpec>> steps = Arbitraries.of(List.of(), List.of(new StepSpec("latencyP95Ms", List.of(
        new ThresholdSpec(Side.ABOVE, 200, Unit.INSTANCES, 2), new ThresholdSpec(Side.ABOVE, 400, Unit.PERCENT, 50),
        new ThresholdSpec(Side.BELOW, 20, Unit.INSTANCES, -1)))));
    Arbitrary<PredictiveSpec> predictive = Arbitraries.integers().between(0, 300)
        .map(h -> PredictiveSpec.of("requestsPerSecond", 80, h, 600).withRamp(h % 2 == 0 ? 0 : 45)).injectNull(0.5);
    Arbitrary<Integer> cooldown = Arbitraries.of(0, 0, 30, 60);
    return Combinators.combine(min, extra, metrics, steps, predictive, behaviors(), cooldown, Arbitraries.of(0, 1))
        .as((lo, more, m, s, p, b, c, schedules) -> new ScalingPolicy(lo, lo + more, m, s, schedules == 0 ? List.of()
            : List.of(new ScalingPolicy.ScheduleSpec("burst", java.util.EnumSet.allOf(java.time.DayOfWeek.class),
                java.time.LocalTime.of(0, 10), java.time.LocalTime.of(0, 30), java.time.ZoneOffset.UTC,
                Math.min(lo + more, lo + 3))), p, b, c, 300, 15));
  }
}
