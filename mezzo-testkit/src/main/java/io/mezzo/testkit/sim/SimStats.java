package io.mezzo.testkit.sim;

import org.HdrHistogram.Histogram;

/**
 * What a {@link Simulation} has seen, summed over its shards: since it started, or (from
 * {@link #since}) over a window. Counts are of events the simulated agents and frameworks saw on the
 * wire; {@code tasksRunning} counts first TASK_RUNNING updates, each also recorded in
 * {@code acceptToRunningMicros} (from the framework sending ACCEPT to it hearing TASK_RUNNING).
 * Immutable by convention: do not change the histogram.
 *
 * @param elapsedNanos how long the counts cover
 * @param agentsSubscribed agents subscribed now (a gauge)
 * @param frameworksSubscribed frameworks subscribed now (a gauge)
 * @param agentSubscriptions SUBSCRIBED events agents received (resubscriptions included)
 * @param offers offers frameworks received
 * @param tasksAccepted tasks frameworks asked to launch in ACCEPT calls
 * @param tasksRunning tasks frameworks heard TASK_RUNNING for
 * @param tasksFinished tasks frameworks heard TASK_FINISHED for
 * @param tasksFailed tasks frameworks heard another terminal state for
 * @param statusUpdatesSent UPDATE calls agents sent, retries included
 * @param statusUpdateRetries UPDATE calls sent again for want of an acknowledgement
 * @param heartbeatsSent HEARTBEAT calls agents sent
 * @param callErrors calls answered with an error status or lost with their connection
 * @param callBacklog calls queued or in flight now (a gauge)
 * @param lastError the latest error seen, or null
 * @param acceptToRunningMicros ACCEPT to TASK_RUNNING latencies
 */
public record SimStats(
    long elapsedNanos,
    int agentsSubscribed,
    int frameworksSubscribed,
    long agentSubscriptions,
    long offers,
    long tasksAccepted,
    long tasksRunning,
    long tasksFinished,
    long tasksFailed,
    long statusUpdatesSent,
    long statusUpdateRetries,
    long heartbeatsSent,
    long callErrors,
    int callBacklog,
    String lastError,
    Histogram acceptToRunningMicros) {

  static SimStats of(long elapsedNanos, Counters c) {
    return new SimStats(elapsedNanos, c.agentsSubscribed, c.frameworksSubscribed, c.agentSubscriptions, c.offers,
        c.tasksAccepted, c.tasksRunning, c.tasksFinished, c.tasksFailed, c.statusUpdatesSent, c.statusUpdateRetries,
        c.heartbeatsSent, c.callErrors, c.callBacklog, c.lastError, c.acceptToRunningMicros);
  }

  /** The window from {@code earlier} to this snapshot: counts subtracted, gauges as now. */
  public SimStats since(SimStats earlier) {
    Histogram window = acceptToRunningMicros.copy();
    window.subtract(earlier.acceptToRunningMicros);
    return new SimStats(elapsedNanos - earlier.elapsedNanos, agentsSubscribed, frameworksSubscribed,
        agentSubscriptions - earlier.agentSubscriptions, offers - earlier.offers,
        tasksAccepted - earlier.tasksAccepted, tasksRunning - earlier.tasksRunning,
        tasksFinished - earlier.tasksFinished, tasksFailed - earlier.tasksFailed,
        statusUpdatesSent - earlier.statusUpdatesSent, statusUpdateRetries - earlier.statusUpdateRetries,
        heartbeatsSent - earlier.heartbeatsSent, callErrors - earlier.callErrors, callBacklog, lastError, window);
  }

  /** {@code count} per second over {@link #elapsedNanos}. */
  public double perSecond(long count) {
    return elapsedNanos <= 0 ? 0 : count * 1e9 / elapsedNanos;
  }

  /** The ACCEPT to TASK_RUNNING latency at {@code percentile} (0..100) in milliseconds; NaN when none. */
  public double acceptToRunningMs(double percentile) {
    return acceptToRunningMicros.getTotalCount() == 0 ? Double.NaN
        : acceptToRunningMicros.getValueAtPercentile(percentile) / 1000.0;
  }
}
