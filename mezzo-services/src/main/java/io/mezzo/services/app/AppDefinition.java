package io.mezzo.services.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A validated app definition in Marathon's shape, every default filled in. Built only by
 * {@link AppValidator} (which enforces the rules) or by code that already holds a valid one;
 * serialized with {@link MarathonJson#MAPPER} it is the body Marathon clients expect from
 * {@code GET /v2/apps/{id}} (minus the run-time fields the API adds).
 *
 * <p>Invariants: {@code id} is an absolute path ({@link AppId}); at most one of {@code cmd} and
 * {@code args} is set (exactly one without a container); collections are immutable. {@code taskKillGracePeriodSeconds} and {@code role}
 * are null when not given (the scheduler's defaults apply). {@code autoscaling} is the app's scaling
 * policy, a JSON object kept as given (the autoscaler reads it; see {@link AutoscalingValidator}) or
 * null; it is copied in and out, so the record stays immutable. Changing it, like changing
 * {@code instances}, replaces no instance ({@link #sameTasksAs}). {@code container} is the image the app
 * runs in ({@link AppContainer}), or null for a command on the host; with one, {@code cmd} and
 * {@code args} may both be absent (the image says what to run).
 */
public record AppDefinition(
    String id,
    String cmd,
    List<String> args,
    double cpus,
    double mem,
    double disk,
    int instances,
    List<PortDefinition> portDefinitions,
    boolean requirePorts,
    Map<String, String> env,
    Map<String, String> labels,
    List<Constraint> constraints,
    List<HealthCheck> healthChecks,
    List<ReadinessCheck> readinessChecks,
    UpgradeStrategy upgradeStrategy,
    double backoffSeconds,
    double backoffFactor,
    long maxLaunchDelaySeconds,
    KillSelection killSelection,
    UnreachableStrategy unreachableStrategy,
    Long taskKillGracePeriodSeconds,
    String role,
    JsonNode autoscaling,
    AppContainer container) {

  /** An app without a container (a command run on the host). */
  public AppDefinition(String id, String cmd, List<String> args, double cpus, double mem, double disk, int instances,
      List<PortDefinition> portDefinitions, boolean requirePorts, Map<String, String> env, Map<String, String> labels,
      List<Constraint> constraints, List<HealthCheck> healthChecks, List<ReadinessCheck> readinessChecks,
      UpgradeStrategy upgradeStrategy, double backoffSeconds, double backoffFactor, long maxLaunchDelaySeconds,
      KillSelection killSelection, UnreachableStrategy unreachableStrategy, Long taskKillGracePeriodSeconds,
      String role, JsonNode autoscaling) {
    this(id, cmd, args, cpus, mem, disk, instances, portDefinitions, requirePorts, env, labels, constraints,
        healthChecks, readinessChecks, upgradeStrategy, backoffSeconds, backoffFactor, maxLaunchDelaySeconds,
        killSelection, unreachableStrategy, taskKillGracePeriodSeconds, role, autoscaling, null);
  }

  public static final double DEFAULT_CPUS = 1.0;
  public static final double DEFAULT_MEM = 128.0;
  public static final double DEFAULT_BACKOFF_SECONDS = 1.0;
  public static final double DEFAULT_BACKOFF_FACTOR = 1.15;
  public static final long DEFAULT_MAX_LAUNCH_DELAY_SECONDS = 3600; // Marathon's BackoffStrategy: 1 hour

  public AppDefinition {
    Objects.requireNonNull(id, "id");
    args = args == null ? null : List.copyOf(args);
    portDefinitions = List.copyOf(portDefinitions);
    env = Map.copyOf(env);
    labels = Map.copyOf(labels);
    constraints = List.copyOf(constraints);
    healthChecks = List.copyOf(healthChecks);
    readinessChecks = List.copyOf(readinessChecks);
    Objects.requireNonNull(upgradeStrategy, "upgradeStrategy");
    Objects.requireNonNull(killSelection, "killSelection");
    Objects.requireNonNull(unreachableStrategy, "unreachableStrategy");
    if (autoscaling != null && !autoscaling.isObject()) {
      throw new IllegalArgumentException("autoscaling: " + autoscaling + " (expected: a JSON object or null)");
    }
    autoscaling = autoscaling == null ? null : autoscaling.deepCopy();
  }

  /** The scaling policy (a copy: the record is immutable), or null when the app is not autoscaled. */
  @Override
  public JsonNode autoscaling() {
    return autoscaling == null ? null : autoscaling.deepCopy();
  }

  /**
   * Whether {@code other}'s instances would be the same as this app's: the two differ at most in
   * {@code instances} and {@code autoscaling}, which say how many instances run, not what they run.
   */
  public boolean sameTasksAs(AppDefinition other) {
    return withInstances(other.instances).withAutoscaling(other.autoscaling).equals(other);
  }

  /** A copy with another scaling policy (null: none). */
  public AppDefinition withAutoscaling(JsonNode policy) {
    return new AppDefinition(id, cmd, args, cpus, mem, disk, instances, portDefinitions, requirePorts, env,
        labels, constraints, healthChecks, readinessChecks, upgradeStrategy, backoffSeconds,
        backoffFactor, maxLaunchDelaySeconds, killSelection, unreachableStrategy,
        taskKillGracePeriodSeconds, role, policy, container);
  }

  /** A copy with other {@code args} (for tests of what validation normally prevents). */
  public AppDefinition withArgs(List<String> newArgs) {
    return new AppDefinition(id, cmd, newArgs, cpus, mem, disk, instances, portDefinitions, requirePorts, env,
        labels, constraints, healthChecks, readinessChecks, upgradeStrategy, backoffSeconds,
        backoffFactor, maxLaunchDelaySeconds, killSelection, unreachableStrategy,
        taskKillGracePeriodSeconds, role, autoscaling, container);
  }

  /** A copy with another instance count (scaling keeps everything else). */
  public AppDefinition withInstances(int count) {
    return new AppDefinition(id, cmd, args, cpus, mem, disk, count, portDefinitions, requirePorts, env,
        labels, constraints, healthChecks, readinessChecks, upgradeStrategy, backoffSeconds,
        backoffFactor, maxLaunchDelaySeconds, killSelection, unreachableStrategy,
        taskKillGracePeriodSeconds, role, autoscaling, container);
  }
}
