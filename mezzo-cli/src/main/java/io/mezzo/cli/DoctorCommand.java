package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mezzo doctor}: checks this node for running Mezzo and prints one line per check,
 * {@code OK}/{@code WARN}/{@code FAIL}/{@code SKIP}, each line not OK followed by what to do
 * ({@link NodeChecks}): Java, the user and task user, cgroups, {@code ip netns}, runc for container
 * tasks, the task port range,
 * the work dir's disk, the master (reachable, its leader), the clock against the master's and NTP, and
 * ZooKeeper when {@code --zk} is given. Exits 0 when nothing FAILed, else 1; {@code --output json}
 * prints {@code {"ok": ..., "checks": [...]}}.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
    description = "Check this node for running Mezzo (cgroups, ports, ZooKeeper, master, clock) and say what to fix.")
final class DoctorCommand extends CliCommand {
  @Mixin
  MasterOption masterOption;

  @Mixin
  OutputOption output;

  @Option(names = "--zk", paramLabel = "HOST:PORT[,...]", description = "Check these ZooKeeper servers (ruok, stat).")
  String zk;

  @Option(names = "--task-ports", defaultValue = "31000-31999", paramLabel = "FIRST[-LAST]",
      description = "The task port range to find free (FIRST alone: 1000 ports; default: ${DEFAULT-VALUE}).")
  String taskPorts;

  @Option(names = "--work-dir", defaultValue = "/tmp/mezzo", description = "Where the agent or master keeps its work dir "
      + "(default: ${DEFAULT-VALUE}).")
  Path workDir;

  @Option(names = "--task-user", defaultValue = "nobody",
      description = "The agent's --task-user, which must exist (default: ${DEFAULT-VALUE}).")
  String taskUser;

  @Option(names = "--cgroup-root", defaultValue = "/sys/fs/cgroup", hidden = true)
  Path cgroupRoot;

  @Override
  int run(PrintWriter out) throws CliFailure, InterruptedException {
    int[] ports = NodeChecks.portRange(taskPorts);
    List<Check> checks = new ArrayList<>();
    checks.add(NodeChecks.java(Runtime.version(), System.getProperty("java.vendor"), System.getProperty("java.home")));
    checks.add(NodeChecks.user(taskUser));
    checks.add(NodeChecks.cgroups(cgroupRoot));
    checks.add(NodeChecks.netns());
    checks.add(NodeChecks.containers(isRoot(), readOrNull(Path.of("/proc/filesystems"))));
    checks.add(NodeChecks.ports(ports[0], ports[1]));
    checks.add(NodeChecks.disk(workDir));
    String leader = master(checks);
    checks.add(leader == null ? Check.skip("clock", "no master to compare with") : NodeChecks.clock(leader, masterOption.caller()));
    checks.add(NodeChecks.ntp());
    checks.add(zk == null ? Check.skip("zookeeper", "not checked: pass --zk HOST:PORT (the masters' --zk)")
        : NodeChecks.zookeeper(zk));
    boolean ok = checks.stream().noneMatch(c -> c.status() == Check.Status.FAIL);
    if (output.json()) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("ok", ok);
      doc.put("checks", checks);
      OutputOption.print(out, doc);
      return ok ? 0 : 1;
    }
    for (Check c : checks) {
      out.printf("%-4s  %-9s  %s%n", c.status(), c.name(), c.detail());
      if (c.advice() != null) {
        out.printf("%-4s  %-9s  -> %s%n", "", "", c.advice());
      }
    }
    long warnings = checks.stream().filter(c -> c.status() == Check.Status.WARN).count();
    long failures = checks.stream().filter(c -> c.status() == Check.Status.FAIL).count();
    out.println();
    out.println(failures == 0 ? "No failures" + (warnings == 0 ? "." : ", " + warnings + " warning(s).")
        : failures + " failure(s), " + warnings + " warning(s): fix the FAIL lines first.");
    return ok ? 0 : 1;
  }

  /** Adds the master check; returns the leading master's HOST:PORT when it answered, else null. */
  private String master(List<Check> checks) throws InterruptedException {
    String hostPort;
    try {
      hostPort = masterOption.hostPort();
      MarathonClient client = new MarathonClient(hostPort, masterOption.caller(), ServiceCommand.REQUEST_TIMEOUT);
      JsonNode state = client.check(client.get("/master/state", null), "GET", "/master/state", null).body();
      checks.add(Check.ok("master", hostPort + " answers; leader " + state.path("leader").asText("?") + " (Mezzo "
          + state.path("mezzo_version").asText("?") + "), " + state.path("activated_slaves").asInt() + " active agent(s), "
          + state.path("frameworks").size() + " framework(s)"));
      return hostPort;
    } catch (CliFailure e) {
      checks.add(Check.fail("master", e.getMessage(), null)); // the message says what to do
      return null;
    }
  }

  private static boolean isRoot() {
    try {
      return ((Number) java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  private static String readOrNull(Path file) {
    try {
      return java.nio.file.Files.readString(file);
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
