package io.mezzo.services.deploy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One deployment: the change of one app from {@code fromVersion} (null when the app is new) to
 * {@code toVersion}, carried out by the scheduler as a rolling replacement or a scale. Marathon shows
 * it as one step whose single action is {@code action}. Immutable; stored before the API answers.
 *
 * @param id a UUID
 * @param appId the affected app
 * @param action StartApplication, ScaleApplication, RestartApplication or StopApplication
 * @param fromVersion the version running before, or null
 * @param toVersion the version being deployed (for StopApplication: the last version)
 * @param startedAt when it was created
 * @param forcedFrom the id of the deployment this one replaced with {@code force=true}, or null
 */
public record Deployment(
    String id,
    String appId,
    Action action,
    String fromVersion,
    String toVersion,
    Instant startedAt,
    String forcedFrom) {

  /** Marathon's deployment action names. */
  public enum Action {
    StartApplication,
    ScaleApplication,
    RestartApplication,
    StopApplication
  }

  public Deployment {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(toVersion, "toVersion");
  }

  /** The affected apps, as Marathon lists them. */
  public List<String> affectedApps() {
    return List.of(appId);
  }
}
