package io.mezzo.agent.isolation;

/**
 * One sample of a container's usage, in the field names of Mesos' {@code ResourceStatistics} (the
 * {@code statistics} object of {@code GET /monitor/statistics}). Fields an isolator cannot measure
 * are null and left out of the JSON. Immutable.
 *
 * @param timestamp seconds since the epoch when sampled
 * @param cpusUserTimeSecs cpu time spent in user mode by the whole process tree, cumulative
 * @param cpusSystemTimeSecs cpu time spent in the kernel by the whole process tree, cumulative
 * @param memRssBytes resident anonymous memory of the process tree
 * @param memTotalBytes everything charged to the container, page cache included (cgroups only)
 * @param processes processes in the container
 * @param threads threads in the container
 */
public record Usage(
    double timestamp,
    Double cpusUserTimeSecs,
    Double cpusSystemTimeSecs,
    Double cpusLimit,
    Long memRssBytes,
    Long memTotalBytes,
    Long memLimitBytes,
    Long processes,
    Long threads,
    Long cpusNrPeriods,
    Long cpusNrThrottled,
    Double cpusThrottledTimeSecs) {

  /** This sample with the container's limits filled in. */
  Usage withLimits(Limits limits) {
    return new Usage(timestamp, cpusUserTimeSecs, cpusSystemTimeSecs, limits.cpus(), memRssBytes, memTotalBytes,
        limits.memBytes() > 0 ? limits.memBytes() : null, processes, threads, cpusNrPeriods, cpusNrThrottled,
        cpusThrottledTimeSecs);
  }
}
