package io.mezzo.services.launch;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.Resource;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.services.app.AppDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Builds the Mesos {@link TaskInfo} of one instance of an app, as Marathon's task builder shapes it for
 * the command executor. Pure and stateless.
 *
 * <ul>
 *   <li>name: the app id's segments in reverse order joined by {@code .} ({@code /prod/web} gives
 *       {@code web.prod}), Marathon's choice: a valid hostname for service discovery.
 *   <li>task id: the instance id ({@link #instanceId}).
 *   <li>command: {@code cmd} runs under {@code sh -c}; {@code args} run without a shell, with
 *       {@code value} = {@code args[0]} and {@code arguments} = {@code args} (argv[0] first, as Mesos has
 *       it). The environment is {@link MarathonEnv}'s.
 *   <li>labels: the app's labels in key order, then {@code MEZZO_APP_ID} and {@code MEZZO_APP_VERSION}
 *       (which replace app labels of the same name) so that a task seen in {@code /master/state} or
 *       after a failover can be traced to its app version.
 *   <li>container: the app's {@link io.mezzo.services.app.AppContainer} as a Mesos {@code ContainerInfo}
 *       ({@link #container}); its command is {@code cmd} under a shell, or {@code args} given to the
 *       image's entrypoint.
 *   <li>kill policy: {@code taskKillGracePeriodSeconds} when set; otherwise none (the agent's default).
 *   <li>health check: the app's first health check, mapped by {@link HealthCheckMapper}. A Mesos task
 *       carries one; further ones are left out. (Mapping the second to the task's {@code check} would
 *       report results that never kill, which is not what a Marathon health check means; the
 *       validator should refuse more than one.)
 * </ul>
 */
public final class TaskFactory {
  /** Label naming the app an instance belongs to. */
  public static final String APP_ID_LABEL = "MEZZO_APP_ID";
  /** Label naming the app version an instance was launched from. */
  public static final String APP_VERSION_LABEL = "MEZZO_APP_VERSION";

  private TaskFactory() {}

  /**
   * The task of instance {@code instanceId} of {@code app} at {@code version} on {@code agent}.
   *
   * @param resources the task's resources in the wire form, under the offer's reservations
   * @param hostPorts the host ports, in {@code portDefinitions} order
   * @param host the agent's hostname
   * @throws IllegalArgumentException when the app cannot make a task (an empty {@code args}, a health
   *     check {@code portIndex} beyond the host ports): the validator should have refused it
   */
  public static TaskInfo task(AppDefinition app, String version, String instanceId, AgentId agent,
      List<Resource> resources, List<Integer> hostPorts, String host) {
    Map<String, String> env = MarathonEnv.of(app, version, hostPorts);
    List<CommandInfo.Variable> vars = new ArrayList<>(env.size());
    env.forEach((k, v) -> vars.add(new CommandInfo.Variable(k, v)));
    CommandInfo.Environment environment = new CommandInfo.Environment(List.copyOf(vars));
    CommandInfo command;
    if (app.cmd() != null) {
      command = new CommandInfo(app.cmd(), true, null, environment, null);
    } else if (app.container() != null) {
      // Marathon's docker apps: args go to the image's entrypoint; none runs the image's cmd.
      command = new CommandInfo(null, false, app.args(), environment, null);
    } else if (app.args() != null && !app.args().isEmpty()) {
      command = new CommandInfo(app.args().get(0), false, app.args(), environment, null);
    } else {
      throw new IllegalArgumentException(app.id() + ": args: " + app.args()
          + " (expected: cmd, or args naming at least the program to run)");
    }

    Map<String, String> labels = new TreeMap<>(app.labels());
    labels.remove(APP_ID_LABEL);
    labels.remove(APP_VERSION_LABEL);
    List<TaskInfo.Label> list = new ArrayList<>();
    labels.forEach((k, v) -> list.add(new TaskInfo.Label(k, v)));
    list.add(new TaskInfo.Label(APP_ID_LABEL, app.id()));
    list.add(new TaskInfo.Label(APP_VERSION_LABEL, version));

    TaskInfo.KillPolicy kill = app.taskKillGracePeriodSeconds() == null ? null
        : new TaskInfo.KillPolicy(new TaskInfo.DurationInfo(app.taskKillGracePeriodSeconds() * 1_000_000_000L));
    io.mezzo.core.model.HealthCheck health = app.healthChecks().isEmpty() ? null
        : HealthCheckMapper.toMesos(app.healthChecks().get(0), hostPorts);
    return new TaskInfo(taskName(app.id()), TaskId.of(instanceId), agent, List.copyOf(resources), command,
        null, container(app.container()), new TaskInfo.Labels(List.copyOf(list)), kill, health, null);
  }

  /**
   * The Mesos {@code ContainerInfo} (JSON) of an app's container, or null: type DOCKER gives
   * {@code docker.image} and {@code force_pull_image}; type MESOS gives {@code mesos.image} of type DOCKER
   * ({@code cached} = not {@code forcePullImage}); volumes keep their paths and mode. No network is set:
   * the agent runs containers on the host's network.
   */
  static com.fasterxml.jackson.databind.JsonNode container(io.mezzo.services.app.AppContainer c) {
    if (c == null) {
      return null;
    }
    var f = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
    var out = f.objectNode();
    out.put("type", c.type());
    if (c.type().equals("MESOS")) {
      var image = out.putObject("mesos").putObject("image");
      image.put("type", "DOCKER");
      image.putObject("docker").put("name", c.docker().image());
      image.put("cached", !c.docker().forcePullImage());
    } else {
      var docker = out.putObject("docker");
      docker.put("image", c.docker().image());
      docker.put("force_pull_image", c.docker().forcePullImage());
    }
    if (!c.volumes().isEmpty()) {
      var volumes = out.putArray("volumes");
      for (var v : c.volumes()) {
        var o = volumes.addObject();
        o.put("container_path", v.containerPath());
        o.put("host_path", v.hostPath());
        o.put("mode", v.mode() == null ? "RW" : v.mode());
      }
    }
    return out;
  }

  /** Marathon's task name for an app: {@code web.prod} for {@code /prod/web}. */
  public static String taskName(String appId) {
    String[] segments = segments(appId);
    StringBuilder sb = new StringBuilder();
    for (int i = segments.length - 1; i >= 0; i--) {
      sb.append(segments[i]);
      if (i > 0) {
        sb.append('.');
      }
    }
    return sb.toString();
  }

  /**
   * A fresh instance id, Marathon style: the app id's segments joined by {@code _}, a dot and a UUID
   * ({@code prod_web.6f1c...} for {@code /prod/web}).
   */
  public static String instanceId(String appId, Supplier<String> uuid) {
    return String.join("_", segments(appId)) + "." + uuid.get();
  }

  /** The path segments of an app id ({@code [prod, web]} for {@code /prod/web}). */
  private static String[] segments(String appId) {
    String trimmed = appId.startsWith("/") ? appId.substring(1) : appId;
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException("appId: '" + appId + "' (expected: an absolute app id such as /prod/web)");
    }
    return trimmed.split("/");
  }
}
