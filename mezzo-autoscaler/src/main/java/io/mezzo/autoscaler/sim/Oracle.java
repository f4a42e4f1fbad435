package io.mezzo.autoscaler.sim;

import io.mezzo.autoscaler.Decision;
import io.mezzo.autoscaler.Observation;
import io.mezzo.autoscaler.Scaler;
import java.util.List;

/**
 * The cheapest instance schedule that meets the SLO at every step, knowing the whole trace, with the same
 * start-up delay as everyone else; run through the same {@link Simulation} so that its {@link Report} is
 * comparable. Pure; a plan is computed once and then only read.
 *
 * <p><b>Plan.</b> Instances are interchangeable, so the demand curve {@code d_t} is cut into levels: level
 * {@code k} is needed at the steps where {@code d_t >= k}, and one instance serves each level. For one
 * level, a gap of {@code g} steps between two needed stretches costs {@code g} steps if the instance is
 * kept and {@code D} steps if it is released and a new one asked for {@code D} steps (the start-up delay,
 * rounded up to whole steps) before the next stretch; so gaps of at most {@code D} steps are bridged and
 * longer ones released, which is the cheapest for that level. The levels' costs add up and each is at its
 * minimum, so the sum is the minimum for the whole curve. The levels the run starts with (the warm start
 * of {@link Simulation.Config#initialInstances}) are ready from step 0.
 *
 * <p><b>Run.</b> The plan's count for each step is applied by a {@link Scaler} evaluated at every step.
 * The simulator's scale-in removes starting instances first; that never cancels a planned start, because
 * a level is released only when demand stays below it for more than {@code D} steps, so no lower level
 * can be starting then (it would be needed within {@code D} steps, so the released level would be too).
 */
public final class Oracle {
  private Oracle() {}

  /** The oracle's report on {@code trace} under {@code config}. */
  public static Report run(Trace trace, Simulation.Config config) {
    int[] plan = plan(trace, config);
    Simulation.Config everyStep = config.withEvaluationInterval(config.step());
    long stepMs = config.step().toMillis();
    Scaler scaler = (Observation o) -> {
      long sinceStart = o.now().toEpochMilli() - config.start().toEpochMilli();
      int i = (int) Math.min(plan.length - 1, sinceStart / stepMs);
      return new Decision(o.now(), o.current(), plan[i], List.of(), null, "oracle plan: " + plan[i]);
    };
    return Simulation.run(trace, everyStep, scaler, false);
  }

  /** The instances to pay for at each step of a run over {@code trace}. */
  static int[] plan(Trace trace, Simulation.Config config) {
    int[] demand = config.demand(trace);
    int n = demand.length;
    int delay = config.startupSteps();
    int initial = config.initialInstances(demand);
    int top = initial;
    for (int d : demand) {
      top = Math.max(top, d);
    }
    int[] change = new int[n + 1];
    for (int level = 1; level <= top; level++) {
      int paidFrom = level <= initial ? 0 : -1;
      int lastNeeded = level <= initial ? 0 : -1;
      boolean held = level <= initial;
      for (int i = 0; i < n; i++) {
        if (demand[i] < level) {
          continue;
        }
        if (held && i - lastNeeded - 1 > delay) {
          change[paidFrom]++;
          change[lastNeeded + 1]--;
          held = false;
        }
        if (!held) {
          paidFrom = Math.max(0, i - delay);
          held = true;
        }
        lastNeeded = i;
      }
      if (held && lastNeeded >= 0) {
        change[paidFrom]++;
        change[lastNeeded + 1]--;
      }
    }
    int[] plan = new int[n];
    int count = 0;
    for (int i = 0; i < n; i++) {
      count += change[i];
      plan[i] = count;
    }
    return plan;
  }
}
