package io.mezzo.services.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates one app definition in Marathon's JSON shape, filling in Marathon's defaults.
 * Every problem is reported, each under the JSON pointer of its field, in one
 * {@link AppValidationException} (the HTTP layer answers 422 with {@link AppValidationException#toJson()}).
 *
 * <p>Fields Mezzo does not support are refused by name, unless their value is the one that means
 * "nothing" (an empty {@code dependencies}, {@code container: null}, {@code acceptedResourceRoles: ["*"]}
 * ...), since ignoring that cannot change behaviour. The read-only fields a {@code GET} returns
 * ({@code version}, {@code tasksRunning}, ...) are ignored so that an app fetched from Marathon can be
 * posted back. Unknown fields are refused too: ignoring a misspelt field would silently change behaviour.
 *
 * <p>{@code autoscaling}, Mezzo's extension, must be an object (or null: none); what is in it is judged
 * by the {@link AutoscalingValidator} the caller passes (by default any object passes). With a policy,
 * {@code instances} defaults to its {@code minInstances} and must lie within
 * [{@code minInstances}, {@code maxInstances}] or be 0 (an app at 0 is suspended: the autoscaler leaves
 * it alone). Those two bounds are read here as plain integers, {@code minInstances} defaulting to 1 as
 * in the autoscaler; a bound that is not an integer is left to the {@link AutoscalingValidator}.
 *
 * <p>Pure and stateless; thread-safe.
 */
public final class AppValidator {
  private static final Set<String> SUPPORTED = Set.of(
      "id", "cmd", "args", "cpus", "mem", "disk", "instances", "portDefinitions", "ports", "requirePorts",
      "env", "labels", "constraints", "healthChecks", "readinessChecks", "upgradeStrategy",
      "backoffSeconds", "backoffFactor", "maxLaunchDelaySeconds", "killSelection", "unreachableStrategy",
      "taskKillGracePeriodSeconds", "role", "autoscaling", "container");
  /** Server-set fields of Marathon's GET answers. */
  private static final Set<String> READ_ONLY = Set.of(
      "version", "versionInfo", "tasksStaged", "tasksRunning", "tasksHealthy", "tasksUnhealthy",
      "deployments", "tasks", "lastTaskFailure", "taskStats", "readinessCheckResults");
  /** The label that sets how long a removed instance drains before it is killed. */
  public static final String DRAIN_LABEL = "mezzo.drain.seconds";
  private static final Pattern PORT_NAME = Pattern.compile("^[a-z0-9-]+$");
  private static final Set<String> PORT_PROTOCOLS = Set.of("tcp", "udp", "udp,tcp", "tcp,udp");

  private AppValidator() {}

  /** Parses {@code json} and validates it; malformed JSON is reported under path {@code /}. */
  public static AppDefinition parse(String json) {
    JsonNode node;
    try {
      node = MarathonJson.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      Errors errors = new Errors();
      errors.add("/", "Invalid JSON: " + e.getOriginalMessage());
      errors.throwIfAny();
      throw new IllegalStateException("BUG: unreachable");
    }
    return validate(node);
  }

  /**
   * Validates one app object, accepting any {@code autoscaling} object.
   *
   * @throws AppValidationException naming every bad field
   */
  public static AppDefinition validate(JsonNode app) {
    return validate(app, AutoscalingValidator.ANY_OBJECT);
  }

  /**
   * Validates one app object, its {@code autoscaling} policy judged by {@code autoscaling}.
   *
   * @throws AppValidationException naming every bad field
   */
  public static AppDefinition validate(JsonNode app, AutoscalingValidator autoscaling) {
    return validate(app, autoscaling, true);
  }

  /**
   * Reads an app back from the store: as {@link #validate(JsonNode)} but without the rule that ties
   * {@code instances} to the policy's bounds, which a stored app may have left since (a kill with
   * {@code scale} lowers the count below {@code minInstances}); a stored app must always load.
   *
   * @throws AppValidationException naming every bad field
   */
  public static AppDefinition readStored(JsonNode app) {
    return validate(app, AutoscalingValidator.ANY_OBJECT, false);
  }

  private static AppDefinition validate(JsonNode app, AutoscalingValidator autoscalingValidator, boolean bounds) {
    java.util.Objects.requireNonNull(autoscalingValidator, "autoscalingValidator");
    Errors e = new Errors();
    if (app == null || !app.isObject()) {
      e.add("/", "app: " + app + " (expected: a JSON object)");
      e.throwIfAny();
    }
    app.fieldNames().forEachRemaining(name -> checkKnown(name, app.get(name), e));

    String id = null;
    String rawId = e.text(app.get("id"), "/id", null);
    if (rawId == null) {
      e.add("/id", "id: missing (expected: an app id such as /group/app)");
    } else {
      try {
        id = AppId.canonical(rawId);
      } catch (IllegalArgumentException bad) {
        e.add("/id", bad.getMessage());
      }
    }
    String cmd = e.text(app.get("cmd"), "/cmd", null);
    List<String> args = null;
    if (!Errors.absent(app.get("args"))) {
      args = new ArrayList<>();
      List<JsonNode> items = e.array(app.get("args"), "/args");
      for (int i = 0; i < items.size(); i++) {
        String arg = e.text(items.get(i), "/args/" + i, null);
        if (arg == null) {
          e.add("/args/" + i, "args/" + i + ": null (expected: a string)");
        } else {
          args.add(arg);
        }
      }
    }
    if (args != null && args.isEmpty()) {
      e.add("/args", "args: [] (expected: at least the program to run)");
    }
    AppContainer container = AppContainer.read(app.get("container"), e);
    if (cmd == null && args == null && container == null) {
      e.add("/", "AppDefinition must contain one of 'cmd' or 'args' (expected: one, or a container whose image says what to run)");
    } else if (cmd != null && args != null) {
      e.add("/", "AppDefinition must not contain both 'cmd' and 'args' (expected: one of them)");
    } else if (cmd != null && cmd.isBlank()) {
      e.add("/cmd", "cmd: \"\" (expected: a non-empty command)");
    }

    double cpus = e.number(app.get("cpus"), "/cpus", AppDefinition.DEFAULT_CPUS, 0);
    double mem = e.number(app.get("mem"), "/mem", AppDefinition.DEFAULT_MEM, 0);
    double disk = e.number(app.get("disk"), "/disk", 0, 0);
    JsonNode autoscaling = autoscaling(app.get("autoscaling"), autoscalingValidator, e);
    int instances = e.integer(app.get("instances"), "/instances",
        Math.max(1, bound(autoscaling, "minInstances", 1)), 0);
    if (bounds && autoscaling != null && e.isEmpty("/instances")) {
      checkBounds(instances, autoscaling, e);
    }

    List<PortDefinition> ports = ports(app, e);
    if (container != null && !container.portMappings().isEmpty()
        && Errors.absent(app.get("portDefinitions")) && Errors.absent(app.get("ports"))) {
      ports = container.portDefinitions();
    }
    boolean requirePorts = e.bool(app.get("requirePorts"), "/requirePorts", false);
    Map<String, String> env = e.stringMap(app.get("env"), "/env");
    Map<String, String> labels = e.stringMap(app.get("labels"), "/labels");
    String drain = labels.get(DRAIN_LABEL);
    if (drain != null) {
      double seconds = -1;
      try {
        seconds = Double.parseDouble(drain);
      } catch (NumberFormatException notNumber) {
        // reported below
      }
      if (!(seconds >= 0 && seconds <= 3600)) {
        e.add("/labels/" + DRAIN_LABEL, DRAIN_LABEL + ": \"" + drain + "\" (expected: seconds from 0 to 3600)");
      }
    }
    List<Constraint> constraints = ConstraintReader.read(app.get("constraints"), e);
    List<HealthCheck> healthChecks = CheckReader.healthChecks(app.get("healthChecks"), ports.size(), e);
    if (healthChecks.size() > 1 || (app.get("healthChecks") != null && app.get("healthChecks").size() > 1)) {
      e.add("/healthChecks", "healthChecks: " + app.get("healthChecks").size()
          + " health checks (expected: at most 1; the agent runs one health check per task)");
    }
    List<ReadinessCheck> readiness = CheckReader.readinessChecks(app.get("readinessChecks"), ports, e);
    UpgradeStrategy upgrade = upgradeStrategy(app.get("upgradeStrategy"), e);

    double backoffSeconds = e.number(app.get("backoffSeconds"), "/backoffSeconds",
        AppDefinition.DEFAULT_BACKOFF_SECONDS, 0);
    double backoffFactor = e.number(app.get("backoffFactor"), "/backoffFactor",
        AppDefinition.DEFAULT_BACKOFF_FACTOR, 1.0);
    long maxLaunchDelay = e.integer(app.get("maxLaunchDelaySeconds"), "/maxLaunchDelaySeconds",
        AppDefinition.DEFAULT_MAX_LAUNCH_DELAY_SECONDS, 0, Long.MAX_VALUE);
    KillSelection killSelection = KillSelection.YOUNGEST_FIRST;
    String kill = e.text(app.get("killSelection"), "/killSelection", null);
    if (kill != null) {
      try {
        killSelection = KillSelection.valueOf(kill);
      } catch (IllegalArgumentException bad) {
        e.add("/killSelection", "killSelection: \"" + kill + "\" (expected: YOUNGEST_FIRST or OLDEST_FIRST)");
      }
    }
    UnreachableStrategy unreachable = unreachableStrategy(app.get("unreachableStrategy"), e);
    Long grace = Errors.absent(app.get("taskKillGracePeriodSeconds")) ? null
        : e.integer(app.get("taskKillGracePeriodSeconds"), "/taskKillGracePeriodSeconds", 0, 1, Long.MAX_VALUE);
    String role = e.text(app.get("role"), "/role", null);
    if (role != null && (role.isEmpty() || role.startsWith("-") || role.equals(".") || role.equals("..")
        || role.chars().anyMatch(c -> c == '/' || Character.isWhitespace(c)))) {
      e.add("/role", "role: \"" + role + "\" (expected: a Mesos role name, e.g. * or web)");
    }

    e.throwIfAny();
    return new AppDefinition(id, cmd, args, cpus, mem, disk, instances, ports, requirePorts, env, labels,
        constraints, healthChecks, readiness, upgrade, backoffSeconds, backoffFactor, maxLaunchDelay,
        killSelection, unreachable, grace, role, autoscaling, container);
  }

  /** The policy object, or null when absent; a non-object is reported, the rest judged by {@code v}. */
  private static JsonNode autoscaling(JsonNode node, AutoscalingValidator v, Errors e) {
    if (Errors.absent(node)) {
      return null;
    }
    if (!node.isObject()) {
      e.add("/autoscaling", "autoscaling: " + node + " (expected: an object, the app's scaling policy)");
      return null;
    }
    for (AutoscalingValidator.Problem p : v.problems(node)) {
      e.add(p.pointer(), p.message());
    }
    return node;
  }

  /** {@code autoscaling}'s integer {@code field}, or {@code dflt} when there is no policy or no such integer. */
  private static int bound(JsonNode autoscaling, String field, int dflt) {
    if (autoscaling == null) {
      return dflt;
    }
    JsonNode n = autoscaling.get(field);
    return n != null && n.isIntegralNumber() && n.canConvertToInt() ? n.intValue() : dflt;
  }

  private static void checkBounds(int instances, JsonNode autoscaling, Errors e) {
    if (instances == 0) {
      return; // suspended: the autoscaler leaves an app at 0 alone
    }
    int min = bound(autoscaling, "minInstances", 1); // the autoscaler's default
    int max = bound(autoscaling, "maxInstances", Integer.MAX_VALUE);
    if (instances > max) {
      e.add("/instances", "instances: " + instances + " (expected: <= autoscaling.maxInstances " + max + ")");
    } else if (instances < min) {
      e.add("/instances", "instances: " + instances + " (expected: >= autoscaling.minInstances " + min
          + ", or 0 to suspend the app)");
    }
  }

  private static void checkKnown(String name, JsonNode value, Errors e) {
    if (SUPPORTED.contains(name) || READ_ONLY.contains(name) || harmless(name, value)) {
      return;
    }
    boolean marathonField = Set.of("dependencies", "fetch", "uris", "user", "gpus", "residency",
        "secrets", "networks", "acceptedResourceRoles", "executor", "storeUrls", "check", "resourceLimits",
        "tty", "ipAddress", "executorResources", "maxInstances").contains(name);
    e.add("/" + name, name + ": " + (marathonField
        ? "not supported by Mezzo (expected: absent, null or empty)"
        : "unknown field (expected: one of Marathon's app fields that Mezzo supports)"));
  }

  /** Marathon fields whose value here means "nothing", so ignoring them cannot change behaviour. */
  private static boolean harmless(String name, JsonNode v) {
    if (Errors.absent(v)) {
      return true;
    }
    return switch (name) {
      case "dependencies", "fetch", "uris", "storeUrls", "secrets" -> v.isContainerNode() && v.isEmpty();
      case "gpus" -> v.isNumber() && v.doubleValue() == 0;
      case "tty" -> v.isBoolean() && !v.booleanValue();
      case "executor" -> v.isTextual() && (v.textValue().isEmpty() || v.textValue().equals("//cmd"));
      case "acceptedResourceRoles" -> v.isArray() && (v.isEmpty()
          || (v.size() == 1 && "*".equals(v.get(0).asText())));
      case "networks" -> v.isArray() && allHostMode(v);
      default -> false;
    };
  }

  private static boolean allHostMode(JsonNode networks) {
    for (JsonNode n : networks) {
      if (!n.isObject() || !"host".equals(n.path("mode").asText("host")) || n.size() > 1) {
        return false;
      }
    }
    return true;
  }

  private static List<PortDefinition> ports(JsonNode app, Errors e) {
    JsonNode defs = app.get("portDefinitions");
    JsonNode ports = app.get("ports");
    List<PortDefinition> out = new ArrayList<>();
    if (!Errors.absent(defs) && !Errors.absent(ports)) {
      e.add("/", "AppDefinition must not contain both 'ports' and 'portDefinitions' (expected: one of them)");
      return out;
    }
    if (Errors.absent(defs) && Errors.absent(ports)) {
      out.add(PortDefinition.ANY);
      return out;
    }
    if (!Errors.absent(ports)) {
      List<JsonNode> items = e.array(ports, "/ports");
      for (int i = 0; i < items.size(); i++) {
        int port = (int) e.integer(items.get(i), "/ports/" + i, 0, 0, 65535);
        out.add(new PortDefinition(port, "tcp", null, Map.of()));
      }
    } else {
      List<JsonNode> items = e.array(defs, "/portDefinitions");
      for (int i = 0; i < items.size(); i++) {
        String path = "/portDefinitions/" + i;
        JsonNode def = items.get(i);
        if (!def.isObject()) {
          e.add(path, "portDefinitions/" + i + ": " + def + " (expected: an object)");
          continue;
        }
        int port = (int) e.integer(def.get("port"), path + "/port", 0, 0, 65535);
        String protocol = e.text(def.get("protocol"), path + "/protocol", "tcp");
        if (!PORT_PROTOCOLS.contains(protocol)) {
          e.add(path + "/protocol", "protocol: \"" + protocol + "\" (expected: tcp, udp or udp,tcp)");
        }
        String name = e.text(def.get("name"), path + "/name", null);
        if (name != null && !PORT_NAME.matcher(name).matches()) {
          e.add(path + "/name", "name: \"" + name + "\" (expected: to match " + PORT_NAME.pattern() + ")");
        }
        out.add(new PortDefinition(port, protocol, name, e.stringMap(def.get("labels"), path + "/labels")));
      }
    }
    Set<Integer> seen = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < out.size(); i++) {
      PortDefinition p = out.get(i);
      if (p.port() != 0 && !seen.add(p.port())) {
        e.add("/portDefinitions/" + i + "/port", "port: " + p.port() + " (expected: unique among the app's ports)");
      }
      if (p.name() != null && !names.add(p.name())) {
        e.add("/portDefinitions/" + i + "/name", "name: \"" + p.name() + "\" (expected: unique among the app's ports)");
      }
    }
    return out;
  }

  private static UpgradeStrategy upgradeStrategy(JsonNode node, Errors e) {
    if (Errors.absent(node)) {
      return UpgradeStrategy.DEFAULT;
    }
    if (!node.isObject()) {
      e.add("/upgradeStrategy", "upgradeStrategy: " + node + " (expected: an object)");
      return UpgradeStrategy.DEFAULT;
    }
    double min = e.number(node.get("minimumHealthCapacity"), "/upgradeStrategy/minimumHealthCapacity", 1.0, 0);
    double over = e.number(node.get("maximumOverCapacity"), "/upgradeStrategy/maximumOverCapacity", 1.0, 0);
    if (min > 1) {
      e.add("/upgradeStrategy/minimumHealthCapacity", "minimumHealthCapacity: " + min + " (expected: 0 to 1)");
    }
    if (over > 1) {
      e.add("/upgradeStrategy/maximumOverCapacity", "maximumOverCapacity: " + over + " (expected: 0 to 1)");
    }
    return new UpgradeStrategy(min, over);
  }

  private static UnreachableStrategy unreachableStrategy(JsonNode node, Errors e) {
    String path = "/unreachableStrategy";
    if (Errors.absent(node)) {
      return UnreachableStrategy.DEFAULT;
    }
    if (node.isTextual() && node.textValue().toLowerCase(Locale.ROOT).equals("disabled")) {
      return UnreachableStrategy.DISABLED;
    }
    if (!node.isObject()) {
      e.add(path, "unreachableStrategy: " + node + " (expected: \"disabled\" or an object)");
      return UnreachableStrategy.DEFAULT;
    }
    long inactive = e.integer(node.get("inactiveAfterSeconds"), path + "/inactiveAfterSeconds",
        UnreachableStrategy.DEFAULT.inactiveAfterSeconds(), 1, Long.MAX_VALUE);
    long expunge = e.integer(node.get("expungeAfterSeconds"), path + "/expungeAfterSeconds",
        UnreachableStrategy.DEFAULT.expungeAfterSeconds(), 0, Long.MAX_VALUE);
    if (inactive > expunge) {
      e.add(path + "/inactiveAfterSeconds", "inactiveAfterSeconds: " + inactive
          + " (expected: <= expungeAfterSeconds " + expunge + ")");
    }
    return new UnreachableStrategy(true, inactive, expunge);
  }
}
