package io.mezzo.agent.image;

import java.time.Duration;

/**
 * How a running agent uses its image store ({@code WORK_DIR/images}): how it reaches registries and
 * the thresholds of its GC ({@link RegistryOptions}, the same options {@code mezzo image} takes), and
 * how often it collects ({@link ImageCollector}). Immutable, validated when built.
 *
 * @param registry insecure registries, credentials, timeout and the GC thresholds
 * @param gcInterval how often the agent runs {@link ImageStore#collect()} ({@code --image-gc-interval});
 *     {@link Duration#ZERO} for never
 */
public record AgentImageConfig(RegistryOptions registry, Duration gcInterval) {
  /** One minute. */
  public static final Duration DEFAULT_GC_INTERVAL = Duration.ofMinutes(1);

  public AgentImageConfig {
    if (registry == null) {
      throw new IllegalArgumentException("registry: missing (expected: RegistryOptions, e.g. RegistryOptions.defaults())");
    }
    if (gcInterval == null || gcInterval.isNegative()) {
      throw new IllegalArgumentException("gcInterval: " + gcInterval + " (expected: >= 0, 0 for never)");
    }
  }

  /** {@link RegistryOptions#defaults()} (no GC thresholds), collected every {@link #DEFAULT_GC_INTERVAL}. */
  public static AgentImageConfig defaults() {
    return new AgentImageConfig(RegistryOptions.defaults(), DEFAULT_GC_INTERVAL);
  }

  /** Whether the agent collects at all: an interval, and at least one threshold to collect by. */
  public boolean collects() {
    return !gcInterval.isZero() && (registry.gcMaxAge() != null || registry.gcMaxBytes() != Long.MAX_VALUE);
  }
}
