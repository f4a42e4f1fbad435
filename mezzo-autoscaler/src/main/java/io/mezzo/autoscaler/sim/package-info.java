/**
 * The trace simulator (issue 7, item 4): replays a request-rate {@link io.mezzo.autoscaler.sim.Trace}
 * through a queueing model of instances ({@link io.mezzo.autoscaler.sim.InstanceModel}) on a virtual
 * clock, calling any {@link io.mezzo.autoscaler.Scaler} as production would, and scores the run
 * ({@link io.mezzo.autoscaler.sim.Report}: SLO-violation time, instance-hours, scaling actions and the
 * SPEC Research Group elasticity metrics). {@link io.mezzo.autoscaler.sim.Oracle} is the cheapest
 * schedule that meets the SLO knowing the future; {@link io.mezzo.autoscaler.sim.Comparison} runs several
 * scalers and the oracle on one trace and renders the table and JSON the CLI prints.
 *
 * <p>Everything here is pure and single-threaded: no clock reads, no threads, no I/O but reading and
 * writing trace files when asked.
 */
package io.mezzo.autoscaler.sim;
