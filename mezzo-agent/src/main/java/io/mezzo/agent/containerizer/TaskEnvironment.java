package io.mezzo.agent.containerizer;

import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.Resource;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds a task's environment the way Mesos and Marathon do, so that existing apps keep working:
 * {@code PATH} and {@code LANG} from the agent, then {@code MESOS_SANDBOX}, {@code MESOS_TASK_ID},
 * {@code MESOS_FRAMEWORK_ID}, {@code MESOS_AGENT_ID}, {@code HOST}, {@code PORT0..n}, {@code PORT}
 * (= {@code PORT0}), {@code PORTS} (comma-separated), their {@code MEZZO_*} equivalents, then
 * {@code MEZZO_JAVA} and {@code MEZZO_JAR} when the agent's environment has them (see
 * {@link #withMezzoRuntime}: so that a task can run Mezzo's own programs, such as
 * {@code $MEZZO_JAVA -cp $MEZZO_JAR io.mezzo.cli.Main sample-server}), and last the task's own
 * {@code command.environment.variables}, which win over everything before them.
 *
 * <p>Ports are taken in the order the task's {@code ports} resources list their ranges (not sorted),
 * as Marathon assigns {@code PORT0..n}. Pure and stateless (but for the one-argument
 * {@link #withMezzoRuntime}, which reads this JVM's {@code java.home} and {@code java.class.path}).
 */
public final class TaskEnvironment {
  /** Used when the agent itself runs without a {@code PATH}. */
  public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /** No task needs more ports than a host has; this bounds a malformed range such as [0-2^62]. */
  static final int MAX_PORTS = 65536;

  private TaskEnvironment() {}

  /** What a task's environment is made from. */
  public record Context(
      Map<String, String> agentEnv,
      String sandbox,
      String taskId,
      String frameworkId,
      String agentId,
      String host,
      List<Long> ports,
      CommandInfo command) {}

  public static Map<String, String> build(Context c) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", c.agentEnv().getOrDefault("PATH", DEFAULT_PATH));
    String lang = c.agentEnv().get("LANG");
    if (lang != null) {
      env.put("LANG", lang);
    }
    String ports = c.ports().stream().map(String::valueOf).collect(Collectors.joining(","));
    env.put("MESOS_SANDBOX", c.sandbox());
    env.put("MESOS_TASK_ID", c.taskId());
    env.put("MESOS_FRAMEWORK_ID", c.frameworkId());
    env.put("MESOS_AGENT_ID", c.agentId());
    env.put("HOST", c.host());
    for (int i = 0; i < c.ports().size(); i++) {
      env.put("PORT" + i, String.valueOf(c.ports().get(i)));
    }
    if (!c.ports().isEmpty()) {
      env.put("PORT", String.valueOf(c.ports().get(0)));
    }
    env.put("PORTS", ports);
    env.put("MEZZO_SANDBOX", c.sandbox());
    env.put("MEZZO_TASK_ID", c.taskId());
    env.put("MEZZO_FRAMEWORK_ID", c.frameworkId());
    env.put("MEZZO_AGENT_ID", c.agentId());
    env.put("MEZZO_HOST", c.host());
    env.put("MEZZO_PORTS", ports);
    for (String name : List.of("MEZZO_JAVA", "MEZZO_JAR")) {
      String value = c.agentEnv().get(name);
      if (value != null) {
        env.put(name, value);
      }
    }
    CommandInfo command = c.command();
    if (command != null && command.environment() != null && command.environment().variables() != null) {
      for (CommandInfo.Variable v : command.environment().variables()) {
        if (v != null && v.name() != null && !v.name().isEmpty()) {
          env.put(v.name(), v.value() == null ? "" : v.value());
        }
      }
    }
    return env;
  }

  /**
   * {@code agentEnv} plus {@code MEZZO_JAVA} (this JVM's {@code java}) and {@code MEZZO_JAR} (this JVM's
   * class path, absolute: the shaded {@code mezzo.jar} when the agent runs from it), unless
   * {@code agentEnv} sets them already. What an agent hands its tasks.
   */
  public static Map<String, String> withMezzoRuntime(Map<String, String> agentEnv) {
    return withMezzoRuntime(agentEnv, Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        System.getProperty("java.class.path"));
  }

  static Map<String, String> withMezzoRuntime(Map<String, String> agentEnv, String java, String classPath) {
    Map<String, String> env = new LinkedHashMap<>(agentEnv);
    env.putIfAbsent("MEZZO_JAVA", java);
    if (classPath != null && !classPath.isEmpty()) {
      // Tasks run in their sandbox: relative entries (java -jar mezzo.jar) would not resolve there.
      env.putIfAbsent("MEZZO_JAR", Arrays.stream(classPath.split(File.pathSeparator))
          .filter(e -> !e.isEmpty())
          .map(e -> Path.of(e).toAbsolutePath().toString())
          .collect(Collectors.joining(File.pathSeparator)));
    }
    return Map.copyOf(env);
  }

  /** The task's ports in the order its {@code ports} resources list them. */
  public static List<Long> ports(List<Resource> resources) {
    List<Long> out = new ArrayList<>();
    if (resources == null) {
      return out;
    }
    for (Resource r : resources) {
      if (r == null || !"ports".equals(r.name()) || r.ranges() == null || r.ranges().range() == null) {
        continue;
      }
      for (Resource.Range range : r.ranges().range()) {
        for (long p = range.begin(); p <= range.end() && out.size() < MAX_PORTS; p++) {
          out.add(p);
        }
      }
    }
    return out;
  }
}
