package io.mezzo.agent.containerizer.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.agent.containerizer.TaskEnvironment;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.ContainerInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates a task's OCI runtime spec ({@code config.json}) from its image and its task. Pure: the
 * same {@link Input} always gives the same spec; the caller resolves users and paths and writes the file.
 *
 * <p>Process: the task's command overrides the image as Mesos does: a shell command runs as
 * {@code /bin/sh -c VALUE} (entrypoint and cmd ignored); a non-shell command with a value runs
 * {@code VALUE ARGUMENTS[1..]}; a command without a value runs the image's entrypoint followed by the
 * task's arguments, or the image's cmd when it gives none (no entrypoint: the arguments, or the cmd).
 * Environment: the image's, then the task's ({@link TaskEnvironment}, whose {@code PATH} gives way to the
 * image's unless the task's command sets it), with {@code MESOS_SANDBOX} and {@code MEZZO_SANDBOX} set to
 * {@link #SANDBOX} where the sandbox is bind-mounted. Working directory: the image's, else the sandbox.
 *
 * <p>Isolation: pid, mount, ipc and uts namespaces; the host's network (so {@code PORT0..n} work
 * unchanged); the mounts, masked and read-only paths of {@code runc spec}'s default; the host's
 * {@code /etc/hosts} and {@code /etc/resolv.conf} read-only; Docker's default capabilities; no new
 * privileges; {@code RLIMIT_NOFILE} as given (the agent's own: raising it needs a privilege runc drops); memory, cpu shares and CFS quota in {@code cgroupsPath}.
 */
public final class OciSpec {
  /** Where the sandbox is mounted inside every container, as in Mesos. */
  public static final String SANDBOX = "/mnt/mesos/sandbox";

  /** Docker's default capability set, so that images behave as they do under Docker. */
  static final List<String> CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
      "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private OciSpec() {}

  /**
   * What a spec is made from. {@code command} may be null (the image's entrypoint and cmd run);
   * {@code taskEnv} is the task's environment built for the host; {@code memBytes}, {@code cpuShares} and
   * {@code cfsQuotaUs} are 0 when not limited.
   */
  public record Input(OciImage image, CommandInfo command, Map<String, String> taskEnv, long uid, long gid,
      String rootfs, String sandbox, List<ContainerInfo.Volume> volumes, String hostname, String cgroupsPath,
      long memBytes, long cpuShares, long cfsQuotaUs, long cfsPeriodUs, long nofile) {}

  /** The spec for {@code in}. @throws IllegalArgumentException when there is nothing to run */
  public static ObjectNode build(Input in) {
    ObjectNode spec = F.objectNode();
    spec.put("ociVersion", "1.0.2");
    ObjectNode process = spec.putObject("process");
    process.put("terminal", false);
    ObjectNode user = process.putObject("user");
    user.put("uid", in.uid());
    user.put("gid", in.gid());
    strings(process.putArray("args"), argv(in.image(), in.command()));
    List<String> env = new ArrayList<>();
    env(in.image(), in.command(), in.taskEnv()).forEach((k, v) -> env.add(k + "=" + v));
    strings(process.putArray("env"), env);
    String wd = in.image().workingDir();
    process.put("cwd", wd == null || wd.isBlank() ? SANDBOX : wd);
    ObjectNode caps = process.putObject("capabilities");
    for (String set : List.of("bounding", "effective", "permitted")) {
      strings(caps.putArray(set), CAPABILITIES);
    }
    ObjectNode nofile = process.putArray("rlimits").addObject();
    nofile.put("type", "RLIMIT_NOFILE");
    nofile.put("hard", in.nofile());
    nofile.put("soft", in.nofile());
    process.put("noNewPrivileges", true);

    ObjectNode root = spec.putObject("root");
    root.put("path", in.rootfs());
    root.put("readonly", false);
    spec.put("hostname", in.hostname());

    ArrayNode mounts = spec.putArray("mounts");
    mount(mounts, "/proc", "proc", "proc");
    mount(mounts, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
    mount(mounts, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5");
    mount(mounts, "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k");
    mount(mounts, "/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
    mount(mounts, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro");
    mount(mounts, "/etc/hosts", "bind", "/etc/hosts", "rbind", "ro");
    mount(mounts, "/etc/resolv.conf", "bind", "/etc/resolv.conf", "rbind", "ro");
    mount(mounts, SANDBOX, "bind", in.sandbox(), "rbind", "rw");
    for (ContainerInfo.Volume v : in.volumes()) {
      String host = v.hostPath().startsWith("/") ? v.hostPath() : in.sandbox() + "/" + v.hostPath();
      mount(mounts, v.containerPath(), "bind", host, "rbind", v.readOnly() ? "ro" : "rw");
    }

    ObjectNode linux = spec.putObject("linux");
    ArrayNode ns = linux.putArray("namespaces");
    for (String t : List.of("pid", "mount", "ipc", "uts")) {
      ns.addObject().put("type", t);
    }
    linux.put("cgroupsPath", in.cgroupsPath());
    ObjectNode resources = linux.putObject("resources");
    ObjectNode deny = resources.putArray("devices").addObject();
    deny.put("allow", false);
    deny.put("access", "rwm");
    if (in.memBytes() > 0) {
      ObjectNode memory = resources.putObject("memory");
      memory.put("limit", in.memBytes());
    }
    if (in.cpuShares() > 0 || in.cfsQuotaUs() > 0) {
      ObjectNode cpu = resources.putObject("cpu");
      if (in.cpuShares() > 0) {
        cpu.put("shares", in.cpuShares());
      }
      if (in.cfsQuotaUs() > 0) {
        cpu.put("quota", in.cfsQuotaUs());
        cpu.put("period", in.cfsPeriodUs());
      }
    }
    strings(linux.putArray("maskedPaths"), List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
        "/proc/scsi"));
    strings(linux.putArray("readonlyPaths"), List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
        "/proc/sysrq-trigger"));
    return spec;
  }

  /** The container's argv (see the class comment). @throws IllegalArgumentException if it is empty */
  static List<String> argv(OciImage image, CommandInfo command) {
    List<String> argv = new ArrayList<>();
    boolean hasValue = command != null && command.value() != null && !command.value().isBlank();
    List<String> args = command == null || command.arguments() == null ? List.of() : command.arguments();
    if (hasValue && command.isShell()) {
      argv.addAll(List.of("/bin/sh", "-c", command.value()));
    } else if (hasValue) {
      argv.add(command.value());
      if (args.size() > 1) {
        argv.addAll(args.subList(1, args.size()));
      }
    } else {
      argv.addAll(image.entrypoint());
      argv.addAll(args.isEmpty() ? image.cmd() : args);
    }
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("command: missing, and the image has no entrypoint or cmd "
          + "(expected: a command, arguments, or an image that says what to run)");
    }
    return argv;
  }

  /** The container's environment (see the class comment). */
  static Map<String, String> env(OciImage image, CommandInfo command, Map<String, String> taskEnv) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", TaskEnvironment.DEFAULT_PATH);
    for (String kv : image.env()) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        env.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    boolean taskSetsPath = command != null && command.environment() != null
        && command.environment().variables() != null
        && command.environment().variables().stream().anyMatch(v -> v != null && "PATH".equals(v.name()));
    taskEnv.forEach((k, v) -> {
      if (!k.equals("PATH") || taskSetsPath) {
        env.put(k, v);
      }
    });
    env.put("MESOS_SANDBOX", SANDBOX);
    env.put("MEZZO_SANDBOX", SANDBOX);
    return env;
  }

  private static void mount(ArrayNode mounts, String destination, String type, String source, String... options) {
    ObjectNode m = mounts.addObject();
    m.put("destination", destination);
    m.put("type", type);
    m.put("source", source);
    if (options.length > 0) {
      strings(m.putArray("options"), List.of(options));
    }
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }

  /** For tests and logs: the string at {@code pointer} in {@code spec}. */
  static String at(JsonNode spec, String pointer) {
    return spec.at(pointer).asText();
  }
}
