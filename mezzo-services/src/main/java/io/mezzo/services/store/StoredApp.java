package io.mezzo.services.store;

import io.mezzo.services.app.AppDefinition;
import java.util.Objects;

/** An app's current definition and the version (ISO-8601 timestamp) it was stored as. */
public record StoredApp(AppDefinition app, String version) {
  public StoredApp {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(version, "version");
  }
}
