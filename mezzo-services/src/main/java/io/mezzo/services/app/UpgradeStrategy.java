package io.mezzo.services.app;

/**
 * How a deployment replaces instances: keep at least {@code minimumHealthCapacity * instances}
 * healthy and run at most {@code (1 + maximumOverCapacity) * instances} at once. Both in [0, 1];
 * Marathon's default is 1 and 1.
 */
public record UpgradeStrategy(double minimumHealthCapacity, double maximumOverCapacity) {
  public static final UpgradeStrategy DEFAULT = new UpgradeStrategy(1.0, 1.0);
}
