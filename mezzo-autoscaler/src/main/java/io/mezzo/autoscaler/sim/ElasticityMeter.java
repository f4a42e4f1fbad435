package io.mezzo.autoscaler.sim;

/**
 * Accumulates demand and supply, one step at a time, into the SPEC elasticity metrics defined in
 * {@link Report}. Mutable; owned by the one {@link Simulation} run that feeds it.
 */
final class ElasticityMeter {
  private long steps;
  private long underSteps;
  private long overSteps;
  private double underRelative;
  private double overRelative;
  private long unstableSteps;
  private int lastDemand;
  private int lastSupply;

  /** Records one step with {@code demand} (>= 1) instances needed and {@code supply} ready. */
  void record(int demand, int supply) {
    if (supply < demand) {
      underSteps++;
      underRelative += (double) (demand - supply) / demand;
    } else if (supply > demand) {
      overSteps++;
      overRelative += (double) (supply - demand) / demand;
    }
    if (steps > 0) {
      int ds = Integer.signum(supply - lastSupply);
      int dd = Integer.signum(demand - lastDemand);
      if (ds != dd) {
        unstableSteps++;
      }
    }
    lastDemand = demand;
    lastSupply = supply;
    steps++;
  }

  long steps() {
    return steps;
  }

  double underAccuracy() {
    return percent(underRelative, steps);
  }

  double overAccuracy() {
    return percent(overRelative, steps);
  }

  double underTimeshare() {
    return percent(underSteps, steps);
  }

  double overTimeshare() {
    return percent(overSteps, steps);
  }

  double instability() {
    return percent(unstableSteps, steps - 1);
  }

  /** The share of steps under-provisioned, 0 to 1. */
  double underFraction() {
    return steps == 0 ? 0 : (double) underSteps / steps;
  }

  private static double percent(double sum, long n) {
    return n <= 0 ? 0 : 100 * sum / n;
  }
}
