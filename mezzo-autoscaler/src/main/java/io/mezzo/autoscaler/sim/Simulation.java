package io.mezzo.autoscaler.sim;

import io.mezzo.autoscaler.Decision;
import io.mezzo.autoscaler.MetricValue;
import io.mezzo.autoscaler.Observation;
import io.mezzo.autoscaler.Scaler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Replays a {@link Trace} through the {@link InstanceModel} on a virtual clock, calling a {@link Scaler}
 * as the autoscaler would in production, and scores the run ({@link Report}). Pure and single-threaded:
 * no clock reads, no threads; each run owns its state.
 *
 * <p>The clock starts at {@link Config#start()} (the trace's first sample; {@link Instant#EPOCH} unless
 * set, so that scheduled policies can see the trace's real days and hours) and moves in steps of
 * {@link Config#step()} (5 s by default) to the trace's last sample. At each step, in this order:
 * <ol>
 *   <li>starting instances whose start-up delay has passed become ready;</li>
 *   <li>every {@link Config#evaluationInterval()} (15 s by default, from the first interval on) the
 *       scaler is called with the instance count ({@code current}: ready plus starting), the ready count
 *       and the metrics averaged over the steps since its last call, and its decision is applied: a
 *       scale-out adds instances that are paid for from now and ready after the start-up delay; a
 *       scale-in removes instances at once, starting ones first (newest first), then ready ones;</li>
 *   <li>the step's load (the trace interpolated at the step's start) is split evenly over the ready
 *       instances, and the step is scored: demand against ready supply, instances paid for.</li>
 * </ol>
 *
 * <p>Metrics the scaler sees, per ready instance as the agents and the load balancer would report them
 * ({@link MetricValue}): {@code cpu} the utilisation (capped at 1: a saturated instance is busy all the
 * time), {@code requestsPerSecond} the arrival rate, {@code inFlight} requests in the instance by Little's
 * law, each averaged over the window's steps that had ready instances; {@code latencyP95Ms} the p95 at
 * the window's mean per-instance rate. With no ready instance during the whole window, no metric is
 * reported (absent, never zero).
 *
 * <p>Every run starts with {@link Config#initialInstances()} ready, by default (a warm start) the most
 * the load needs during the first start-up delay, so that no run, the oracle included, is judged on a
 * cold start it could not avoid.
 */
public final class Simulation {
  /** The most instances a scaler may ask for; more is taken for a bug in the scaler. */
  public static final int MAX_INSTANCES = 100_000;

  private Simulation() {}

  /**
   * How to run a simulation. Immutable.
   *
   * @param model the instances
   * @param step the virtual clock's step (whole milliseconds, > 0)
   * @param evaluationInterval how often the scaler is called (a multiple of the step)
   * @param initialInstances the ready instances at the start, or -1 for the warm start
   * @param start the virtual time of the trace's first sample
   */
  public record Config(InstanceModel model, Duration step, Duration evaluationInterval, int initialInstances,
      Instant start) {
    public Config {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(step, "step");
      Objects.requireNonNull(evaluationInterval, "evaluationInterval");
      if (step.toMillis() <= 0 || !step.equals(Duration.ofMillis(step.toMillis()))) {
        throw new IllegalArgumentException("step: " + step + " (expected: whole milliseconds > 0)");
      }
      if (evaluationInterval.toMillis() <= 0 || !evaluationInterval.equals(Duration.ofMillis(evaluationInterval.toMillis()))
          || evaluationInterval.toMillis() % step.toMillis() != 0) {
        throw new IllegalArgumentException("evaluationInterval: " + evaluationInterval
            + " (expected: a multiple of the step " + step + ")");
      }
      if (initialInstances < -1) {
        throw new IllegalArgumentException("initialInstances: " + initialInstances + " (expected: >= 0, or -1 for a warm start)");
      }
    }

    /** Steps of 5 s, an evaluation every 15 s, a warm start, the clock starting at the epoch. */
    public static Config of(InstanceModel model) {
      return new Config(model, Duration.ofSeconds(5), Duration.ofSeconds(15), -1, Instant.EPOCH);
    }

    public Config withEvaluationInterval(Duration interval) {
      return new Config(model, step, interval, initialInstances, start);
    }

    public Config withStep(Duration newStep) {
      return new Config(model, newStep, evaluationInterval, initialInstances, start);
    }

    public Config withInitialInstances(int instances) {
      return new Config(model, step, evaluationInterval, instances, start);
    }

    /** This configuration with the clock starting at {@code first} (the time of the trace's first sample). */
    public Config withStart(Instant first) {
      return new Config(model, step, evaluationInterval, initialInstances, first);
    }

    /** The number of steps a run over {@code trace} takes. */
    int steps(Trace trace) {
      long n = (long) Math.floor(trace.durationSeconds() * 1000 / step.toMillis());
      if (n < 1) {
        throw new IllegalArgumentException(trace.name() + ": spans " + trace.durationSeconds()
            + " s (expected: at least one step of " + step.toMillis() + " ms)");
      }
      if (n > Integer.MAX_VALUE - 1) {
        throw new IllegalArgumentException(trace.name() + ": " + n + " steps (expected: < 2^31; use a longer step)");
      }
      return (int) n;
    }

    /** The steps a start-up delay spans, rounded up (an instance asked for at a step is ready that many steps later). */
    int startupSteps() {
      return (int) ((model.startupDelay().toMillis() + step.toMillis() - 1) / step.toMillis());
    }

    /** The demand of each step of a run over {@code trace}. */
    int[] demand(Trace trace) {
      int n = steps(trace);
      int[] demand = new int[n];
      double stepSeconds = step.toMillis() / 1000.0;
      for (int i = 0; i < n; i++) {
        demand[i] = model.demand(trace.rateAt(i * stepSeconds));
      }
      return demand;
    }

    /** The instances a run over a trace with this demand starts with. */
    int initialInstances(int[] demand) {
      if (initialInstances >= 0) {
        return initialInstances;
      }
      int most = 0;
      for (int i = 0; i <= Math.min(startupSteps(), demand.length - 1); i++) {
        most = Math.max(most, demand[i]);
      }
      return most;
    }
  }

  /** Runs {@code scaler} over {@code trace} and scores the run. */
  public static Report run(Trace trace, Config config, Scaler scaler) {
    return run(trace, config, scaler, true);
  }

  /** As {@link #run(Trace, Config, Scaler)}; without {@code metrics}, observations carry none (for the oracle). */
  static Report run(Trace trace, Config config, Scaler scaler, boolean metrics) {
    Objects.requireNonNull(trace, "trace");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(scaler, "scaler");
    InstanceModel model = config.model();
    int[] demand = config.demand(trace);
    int n = demand.length;
    long stepMs = config.step().toMillis();
    double stepSeconds = stepMs / 1000.0;
    long delayMs = model.startupDelay().toMillis();
    int stepsPerEvaluation = (int) (config.evaluationInterval().toMillis() / stepMs);

    ArrayDeque<Long> starting = new ArrayDeque<>();
    int ready = config.initialInstances(demand);
    long paidSteps = 0;
    int actions = 0;
    ElasticityMeter meter = new ElasticityMeter();
    Window window = new Window();

    for (int i = 0; i < n; i++) {
      long now = i * stepMs;
      while (!starting.isEmpty() && starting.peekFirst() <= now) {
        starting.pollFirst();
        ready++;
      }
      if (i > 0 && i % stepsPerEvaluation == 0) {
        int current = ready + starting.size();
        Observation observation = new Observation(config.start().plusMillis(now), current, ready,
            metrics ? window.metrics(model, ready) : Map.of());
        Decision decision = Objects.requireNonNull(scaler.evaluate(observation), "BUG: the scaler returned no decision");
        int desired = decision.desired();
        if (desired > MAX_INSTANCES) {
          throw new IllegalStateException("desired: " + desired + " at " + observation.now() + " (expected: <= "
              + MAX_INSTANCES + ", the most the simulator runs)");
        }
        if (desired != current) {
          actions++;
          for (int k = current; k < desired; k++) {
            starting.addLast(now + delayMs);
          }
          for (int k = desired; k < current; k++) {
            if (!starting.isEmpty()) {
              starting.pollLast();
            } else {
              ready--;
            }
          }
          while (!starting.isEmpty() && starting.peekFirst() <= now) {
            starting.pollFirst();
            ready++;
          }
        }
        window.reset();
      }
      double rate = trace.rateAt(i * stepSeconds);
      meter.record(demand[i], ready);
      paidSteps += ready + starting.size();
      if (metrics && ready > 0) {
        window.add(model, rate / ready);
      }
    }
    double hours = n * stepSeconds / 3600;
    return new Report(meter.underFraction(), paidSteps * stepSeconds / 3600, actions, meter.underAccuracy(),
        meter.overAccuracy(), meter.underTimeshare(), meter.overTimeshare(), meter.instability(), hours);
  }

  /** The per-instance metrics of the steps since the last evaluation. Mutable; owned by one run. */
  private static final class Window {
    private int steps;
    private double cpu;
    private double rps;
    private double inFlight;

    void add(InstanceModel model, double perInstanceRps) {
      steps++;
      cpu += Math.min(1, model.utilisation(perInstanceRps));
      rps += perInstanceRps;
      inFlight += model.inFlight(perInstanceRps);
    }

    Map<String, MetricValue> metrics(InstanceModel model, int ready) {
      if (steps == 0) {
        return Map.of();
      }
      int instances = Math.max(ready, 1);
      Map<String, MetricValue> metrics = new HashMap<>(8);
      metrics.put(MetricValue.CPU, MetricValue.perInstance(cpu / steps, instances));
      metrics.put(MetricValue.REQUESTS_PER_SECOND, MetricValue.perInstance(rps / steps, instances));
      metrics.put(MetricValue.IN_FLIGHT, MetricValue.perInstance(inFlight / steps, instances));
      metrics.put(MetricValue.LATENCY_P95_MS, MetricValue.appWide(model.p95Millis(rps / steps)));
      return metrics;
    }

    void reset() {
      steps = 0;
      cpu = 0;
      rps = 0;
      inFlight = 0;
    }
  }
}
