package io.mezzo.services.launch;

import io.mezzo.services.app.AppDefinition;
import io.mezzo.services.app.PortDefinition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The environment Marathon gives its tasks, after Marathon's "Task Environment Variables" docs, minus
 * what the Mezzo agent already sets with the same values. Pure and stateless.
 *
 * <p>Set here, in this order: {@code MARATHON_APP_ID}, {@code MARATHON_APP_VERSION},
 * {@code MARATHON_APP_RESOURCE_CPUS/MEM/DISK} (the app's values, Java's {@code double} text such as
 * {@code 1.0}, as Marathon prints them), {@code MARATHON_APP_LABELS} (the label names, space-separated)
 * and {@code MARATHON_APP_LABEL_<NAME>} per label, then {@code PORT_<port>} for each non-zero
 * (service) port and {@code PORT_<NAME>} for each named port, both holding the host port; last the
 * app's own {@code env}, which wins over every variable before it (Marathon's precedence too).
 * Label names are sanitized as Marathon does: each run of characters other than
 * {@code [a-zA-Z0-9_]} becomes {@code _}, then upper-cased; labels whose key has 493 or more characters
 * or whose value has 512 or more are left out; names that sanitize alike keep the value of the last
 * key in key order. Port names are upper-cased only ({@code http-api} gives {@code PORT_HTTP-API}, as
 * in Marathon).
 *
 * <p>Not set here, because the agent sets them (see the agent's {@code TaskEnvironment}) and a second
 * copy could only disagree: {@code MESOS_TASK_ID} (the task id), {@code HOST} (the agent's hostname,
 * the offer's), {@code PORT0..n}, {@code PORT} and {@code PORTS} (from the task's {@code ports}
 * resources, in the order they are listed, which {@link ResourcePick} makes the port order). Marathon's
 * {@code PORT_<hostport>} for a dynamic port and {@code MARATHON_APP_DOCKER_IMAGE} are not set: the
 * first names a value its reader must already know, the second has no meaning without images.
 */
final class MarathonEnv {
  static final int MAX_VALUE_LENGTH = 512;
  static final String LABEL_PREFIX = "MARATHON_APP_LABEL_";
  static final int MAX_KEY_LENGTH = MAX_VALUE_LENGTH - LABEL_PREFIX.length();

  private MarathonEnv() {}

  /** The variables for one instance of {@code app} whose host ports are {@code hostPorts}. */
  static Map<String, String> of(AppDefinition app, String version, List<Integer> hostPorts) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("MARATHON_APP_ID", app.id());
    env.put("MARATHON_APP_VERSION", version);
    env.put("MARATHON_APP_RESOURCE_CPUS", String.valueOf(app.cpus()));
    env.put("MARATHON_APP_RESOURCE_MEM", String.valueOf(app.mem()));
    env.put("MARATHON_APP_RESOURCE_DISK", String.valueOf(app.disk()));
    Map<String, String> labels = new TreeMap<>();
    new TreeMap<>(app.labels()).forEach((key, value) -> {
      if (key.length() < MAX_KEY_LENGTH && value.length() < MAX_VALUE_LENGTH) {
        labels.put(sanitize(key), value);
      }
    });
    env.put("MARATHON_APP_LABELS", String.join(" ", labels.keySet()));
    labels.forEach((name, value) -> env.put(LABEL_PREFIX + name, value));
    List<PortDefinition> defs = app.portDefinitions();
    for (int i = 0; i < defs.size() && i < hostPorts.size(); i++) {
      if (defs.get(i).port() != 0) {
        env.put("PORT_" + defs.get(i).port(), String.valueOf(hostPorts.get(i)));
      }
    }
    for (int i = 0; i < defs.size() && i < hostPorts.size(); i++) {
      if (defs.get(i).name() != null) {
        env.put("PORT_" + defs.get(i).name().toUpperCase(java.util.Locale.ROOT), String.valueOf(hostPorts.get(i)));
      }
    }
    new TreeMap<>(app.env()).forEach((name, value) -> {
      env.remove(name); // the app's value wins, and is listed where the app's variables are
      env.put(name, value);
    });
    return env;
  }

  static String sanitize(String labelKey) {
    return labelKey.replaceAll("[^a-zA-Z0-9_]+", "_").toUpperCase(java.util.Locale.ROOT);
  }
}
