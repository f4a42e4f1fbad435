package io.mezzo.services.launch;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Offer;
import io.mezzo.core.model.OfferId;
import io.mezzo.core.model.Resource;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.services.app.AppDefinition;
import io.mezzo.services.app.AppValidator;
import io.mezzo.services.app.HealthCheck;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** Apps from Marathon JSON, offers from Mesos agent resource text, and a counting uuid supplier. */
final class Fixtures {
  private Fixtures() {}

  /** A validated app; {@code fields} is the JSON object's body after {@code "id"} and {@code "cmd"}. */
  static AppDefinition app(String id, String fields) {
    return AppValidator.parse("{\"id\":\"" + id + "\",\"cmd\":\"sleep 1000\"" + (fields.isEmpty() ? "" : "," + fields)
        + "}");
  }

  /** {@code app} with {@code checks} as its health checks. */
  static AppDefinition withHealthChecks(AppDefinition a, List<HealthCheck> checks) {
    return new AppDefinition(a.id(), a.cmd(), a.args(), a.cpus(), a.mem(), a.disk(), a.instances(), a.portDefinitions(),
        a.requirePorts(), a.env(), a.labels(), a.constraints(), checks, a.readinessChecks(), a.upgradeStrategy(),
        a.backoffSeconds(), a.backoffFactor(), a.maxLaunchDelaySeconds(), a.killSelection(), a.unreachableStrategy(),
        a.taskKillGracePeriodSeconds(), a.role(), a.autoscaling());
  }

  /** An offer of {@code resources} (agent syntax, e.g. {@code cpus:2;mem(eng):512;ports:[31000-31009]}). */
  static Offer offer(String host, String resources) {
    return offer(host, resources, null, null);
  }

  /**
   * An offer as the master sends it: allocated to {@code offerRole} (null: no allocation info), its
   * resources carrying {@code allocationRole} (the MULTI_ROLE shape; null: none).
   */
  static Offer offer(String host, String resources, String offerRole, String allocationRole) {
    return new Offer(OfferId.of("O-" + host), FrameworkId.of("F1"), AgentId.of("agent-" + host), host,
        Resources.parse(resources).toList(allocationRole),
        offerRole == null ? null : new Offer.AllocationInfo(offerRole));
  }

  static Supplier<String> uuids() {
    AtomicInteger n = new AtomicInteger();
    return () -> "u" + n.incrementAndGet();
  }

  static Map<String, String> env(TaskInfo task) {
    Map<String, String> env = new LinkedHashMap<>();
    task.command().environment().variables().forEach(v -> env.put(v.name(), v.value()));
    return env;
  }

  /** The ports a task's resources list, in order: what the agent numbers PORT0..n from. */
  static List<Long> listedPorts(TaskInfo task) {
    return task.resources().stream()
        .filter(r -> r.name().equals("ports"))
        .flatMap(r -> r.ranges().range().stream())
        .flatMap(r -> java.util.stream.LongStream.rangeClosed(r.begin(), r.end()).boxed())
        .toList();
  }

  static Resources resources(List<Resource> wire) {
    return Resources.of(wire);
  }
}
