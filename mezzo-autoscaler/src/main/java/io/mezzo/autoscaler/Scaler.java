package io.mezzo.autoscaler;

/**
 * Decides one app's instance count from an {@link Observation}. A scaler belongs to one app and is
 * called by one thread (the autoscaler's loop in production, the simulator's in replays) with times
 * that never go back; it may keep history (recommendations for stabilization windows, past metric
 * values for forecasts) but reads no clock and does no I/O, so that a replay on a virtual clock runs
 * exactly the code production runs.
 */
public interface Scaler {
  /** The decision for {@code observation}: the instance count to have, and why. */
  Decision evaluate(Observation observation);
}
