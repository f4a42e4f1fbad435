package io.mezzo.testkit.sim;

import org.HdrHistogram.Histogram;

/**
 * What one shard has seen so far: counts, gauges, the last error, and the ACCEPT to TASK_RUNNING
 * latencies (microseconds). Mutable; owned by the shard's event loop, which hands out copies.
 */
final class Counters {
  int agentsSubscribed;
  int frameworksSubscribed;
  long agentSubscriptions;
  long offers;
  long tasksAccepted;
  long tasksRunning;
  long tasksFinished;
  long tasksFailed;
  long statusUpdatesSent;
  long statusUpdateRetries;
  long heartbeatsSent;
  long callErrors;
  int callBacklog;
  String lastError;
  long lastErrorNanos;
  final Histogram acceptToRunningMicros;

  Counters() {
    this.acceptToRunningMicros = new Histogram(3);
  }

  void error(String message) {
    lastError = message;
    lastErrorNanos = System.nanoTime();
  }

  Counters copy() {
    Counters c = new Counters();
    c.add(this);
    return c;
  }

  /** Adds {@code other}'s counts, gauges and latencies to these; the later error wins. */
  void add(Counters other) {
    agentsSubscribed += other.agentsSubscribed;
    frameworksSubscribed += other.frameworksSubscribed;
    agentSubscriptions += other.agentSubscriptions;
    offers += other.offers;
    tasksAccepted += other.tasksAccepted;
    tasksRunning += other.tasksRunning;
    tasksFinished += other.tasksFinished;
    tasksFailed += other.tasksFailed;
    statusUpdatesSent += other.statusUpdatesSent;
    statusUpdateRetries += other.statusUpdateRetries;
    heartbeatsSent += other.heartbeatsSent;
    callErrors += other.callErrors;
    callBacklog += other.callBacklog;
    if (other.lastError != null && (lastError == null || other.lastErrorNanos - lastErrorNanos > 0)) {
      lastError = other.lastError;
      lastErrorNanos = other.lastErrorNanos;
    }
    acceptToRunningMicros.add(other.acceptToRunningMicros);
  }
}
