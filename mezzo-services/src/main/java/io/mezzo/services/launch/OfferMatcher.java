package io.mezzo.services.launch;

import io.mezzo.core.model.Offer;
import io.mezzo.core.model.Resource;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.Roles;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.services.app.AppDefinition;
import io.mezzo.services.placement.AgentView;
import io.mezzo.services.placement.Constraints;
import io.mezzo.services.placement.Decision;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Decides which launches one offer carries for the apps that want instances. Pure: it reads the offer
 * and the wants and returns a {@link Match}; the caller records the launches, sends one ACCEPT with
 * their tasks (or declines the offer when there are none) and shows the unmet reasons in
 * {@code /v2/queue}. Stateless; thread-safe.
 *
 * <p>Wants are served in the order given (the caller's priority: for instance, apps whose deployment
 * waits longest first). For each want, instances are added one at a time while one more fits:
 * <ol>
 *   <li>Role: an offer allocated to a role carries only that role's share (Mesos accounts every task
 *       launched from it to that role), so an app takes an offer only when its {@code role}
 *       ({@code *} when unset) is the offer's {@code allocation_info.role}. An offer without allocation
 *       info is not checked.
 *   <li>Constraints: {@link Constraints#evaluate} against the want's placed agents plus this offer's
 *       agent once per instance already chosen from this offer (so {@code hostname UNIQUE} allows one per
 *       offer, {@code MAX_PER 2} two).
 *   <li>Resources: cpus, mem, disk and one port per port definition from what the earlier launches left,
 *       as {@link ResourcePick} takes them (reservations, fixed and dynamic ports).
 * </ol>
 * When a want gets fewer instances than it asked for, its app's entry in {@link Match#unmetReasons}
 * says why the next one did not fit; a want whose count is met adds nothing there. An app that cannot
 * make a task at all ({@link TaskFactory} refuses it) gets the refusal as its reason, and the other
 * wants are served as usual.
 */
public final class OfferMatcher {
  private OfferMatcher() {}

  /**
   * An app that wants {@code count} more instances of {@code version}.
   *
   * @param placed the agents of the app's instances that count for constraints (the active ones)
   */
  public record Want(AppDefinition app, String version, int count, List<AgentView> placed) {
    public Want {
      Objects.requireNonNull(app, "app");
      Objects.requireNonNull(version, "version");
      if (count < 0) {
        throw new IllegalArgumentException("count: " + count + " (expected: >= 0)");
      }
      placed = List.copyOf(placed);
    }
  }

  /**
   * One instance to launch: its task, ready for a LAUNCH operation on the offer.
   *
   * @param ports the host ports, in the app's {@code portDefinitions} order
   * @param host the offer's hostname
   */
  public record Launch(String appId, String version, String instanceId, TaskInfo task, List<Integer> ports,
      String host) {
    public Launch {
      ports = List.copyOf(ports);
    }
  }

  /**
   * What an offer carries.
   *
   * @param unmetReasons app id to the reasons its wants got fewer instances than asked for, such as
   *     {@code "cpus: 0.5 offered, 1.0 needed"} or a constraint's reason
   */
  public record Match(List<Launch> launches, Map<String, List<String>> unmetReasons) {
    public Match {
      launches = List.copyOf(launches);
      Map<String, List<String>> copy = new LinkedHashMap<>();
      unmetReasons.forEach((k, v) -> copy.put(k, List.copyOf(v)));
      unmetReasons = Collections.unmodifiableMap(copy);
    }
  }

  /**
   * The launches {@code offer} carries for {@code wants}.
   *
   * @param agentAttributes the offer's agent attributes, in text form, for constraints
   * @param uuids a fresh unique suffix per instance id ({@code UUID.randomUUID()::toString} in production)
   * @throws IllegalArgumentException when the offer's resources are malformed
   */
  public static Match match(Offer offer, Map<String, String> agentAttributes, List<Want> wants,
      Supplier<String> uuids) {
    Resources remaining = Resources.of(offer.resources());
    String allocationRole = allocationRole(offer);
    String offerRole = offer.allocationInfo() == null ? null : offer.allocationInfo().role();
    AgentView candidate = new AgentView(offer.hostname(), agentAttributes);
    List<Launch> launches = new ArrayList<>();
    Map<String, List<String>> unmet = new LinkedHashMap<>();
    for (Want want : wants) {
      AppDefinition app = want.app();
      String appRole = app.role() == null ? Roles.DEFAULT : app.role();
      List<String> reasons = new ArrayList<>();
      if (want.count() > 0 && offerRole != null && !offerRole.equals(appRole)) {
        reasons.add("role: offer allocated to '" + offerRole + "' (expected: the app's role '" + appRole + "')");
      }
      List<AgentView> placed = new ArrayList<>(want.placed());
      for (int n = 0; n < want.count() && reasons.isEmpty(); n++) {
        Decision decision = Constraints.evaluate(app.constraints(), candidate, placed);
        if (!decision.accepted()) {
          reasons.addAll(decision.reasons());
          break;
        }
        ResourcePick pick = ResourcePick.take(remaining, app, allocationRole);
        if (!pick.fits()) {
          reasons.addAll(pick.shortfalls());
          break;
        }
        String instanceId = TaskFactory.instanceId(app.id(), uuids);
        TaskInfo task;
        try {
          task = TaskFactory.task(app, want.version(), instanceId, offer.agentId(), pick.wire(), pick.ports(),
              offer.hostname());
        } catch (IllegalArgumentException e) {
          reasons.add(e.getMessage()); // an app the validator let through by mistake must not stop the others
          break;
        }
        launches.add(new Launch(app.id(), want.version(), instanceId, task, pick.ports(), offer.hostname()));
        remaining = remaining.minus(pick.taken());
        placed.add(candidate);
      }
      if (!reasons.isEmpty()) {
        unmet.computeIfAbsent(app.id(), k -> new ArrayList<>()).addAll(reasons);
      }
    }
    return new Match(launches, unmet);
  }

  /** The allocation role the offer's resources carry (MULTI_ROLE frameworks), or null when they carry none. */
  private static String allocationRole(Offer offer) {
    if (offer.resources() != null) {
      for (Resource r : offer.resources()) {
        if (r != null && r.allocationInfo() != null) {
          return r.allocationInfo().role();
        }
      }
    }
    return null;
  }
}
