package io.mezzo.autoscaler;

/**
 * One metric of an app as gathered for an evaluation. {@code value} is per instance for the metrics
 * scaled per instance, averaged over the {@code instances} ready instances that reported it
 * ({@link #CPU} and {@link #MEMORY}: utilisation of the allocation, 0.0 to 1.0 and beyond when over;
 * {@link #REQUESTS_PER_SECOND} and {@link #IN_FLIGHT}: per instance, from the load balancer), and for
 * the app as a whole otherwise ({@link #LATENCY_P95_MS} from the load balancer; an external value such
 * as a queue length). Immutable.
 *
 * @param value the measured value
 * @param instances how many instances reported it (0 for app-wide metrics)
 */
public record MetricValue(double value, int instances) {
  /** Cpu utilisation per instance: usage over the cpus allocated. */
  public static final String CPU = "cpu";
  /** Memory utilisation per instance: resident set over the memory allocated. */
  public static final String MEMORY = "memory";
  /** Requests per second per instance, from the load balancer. */
  public static final String REQUESTS_PER_SECOND = "requestsPerSecond";
  /** Requests in flight per instance, from the load balancer. */
  public static final String IN_FLIGHT = "inFlight";
  /** The app's p95 latency in milliseconds, from the load balancer. */
  public static final String LATENCY_P95_MS = "latencyP95Ms";

  public MetricValue {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("value: " + value + " (expected: a finite number)");
    }
    if (instances < 0) {
      throw new IllegalArgumentException("instances: " + instances + " (expected: >= 0)");
    }
  }

  /** A per-instance average over {@code instances} instances. */
  public static MetricValue perInstance(double value, int instances) {
    return new MetricValue(value, instances);
  }

  /** An app-wide value. */
  public static MetricValue appWide(double value) {
    return new MetricValue(value, 0);
  }
}
