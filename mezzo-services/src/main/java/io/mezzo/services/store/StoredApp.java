package io.mezzo.services.store;

import io.mezzo.services.app.AppDefinition;
import java.util.Objects;

/**
 * An app's current definition, the version (ISO-8601 timestamp) it was stored as, and the version of
 * its last configuration change (Marathon's {@code versionInfo.lastConfigChangeAt}): instances launched
 * from that version are current; a scale makes a new version but keeps the config version.
 */
public record StoredApp(AppDefinition app, String version, String configVersion) {
  public StoredApp {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(configVersion, "configVersion");
  }

  public StoredApp(AppDefinition app, String version) {
    this(app, version, version);
  }
}
