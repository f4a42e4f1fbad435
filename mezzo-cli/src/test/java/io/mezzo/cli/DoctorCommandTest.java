package io.mezzo.cli;

import static io.mezzo.cli.CliRun.mezzo;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mezzo doctor} on this machine: one line per check, each not OK followed by what to do, exit 0
 * without a FAIL; a held task port is a WARN naming it, a master or ZooKeeper that does not answer a FAIL
 * (exit 1). The judging parts are checked on their own: cgroup layouts from fake hierarchies, the Java
 * version, the clock skew from a Date header, the disk thresholds and the port range flag.
 */
class DoctorCommandTest {
  @TempDir
  Path dir;

  private final FakeMarathon master = ClusterJson.serve(new FakeMarathon());

  @AfterEach
  void stop() {
    master.close();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private CliRun doctor(String ports, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("doctor", "--master", master.address(), "--task-ports", ports,
        "--work-dir", dir.resolve("work").toString()));
    args.addAll(List.of(more));
    return mezzo(args.toArray(String[]::new));
  }

  @Test
  void onThisMachineEveryCheckHasALineAndNothingFails() throws IOException {
    int port = freePort();
    CliRun run = doctor(port + "-" + port);
    assertThat(run.exit()).as(run.toString()).isZero();
    List<String> lines = run.out().lines().filter(l -> l.matches("(OK|WARN|FAIL|SKIP) .*")).toList();
    assertThat(lines).extracting(l -> l.split("\\s+")[1])
        .containsExactly("java", "user", "cgroups", "netns", "runc", "ports", "disk", "master", "clock", "ntp", "zookeeper");
    assertThat(run.out()).contains("OK    java       " + Runtime.version())
        .containsPattern("OK    runc       runc version \\S+, overlayfs")
        .contains("OK    ports      " + port + "-" + port + ": all 1 free")
        .contains("OK    master     " + master.address() + " answers; leader master@127.0.0.1:5050 (Mezzo 0.1.0), 2 active agent(s)")
        .containsPattern("OK    clock      this clock is (ahead of|behind) the master's by \\d+\\.\\d s")
        .contains("SKIP  zookeeper  not checked: pass --zk HOST:PORT");
    // a WARN or FAIL line is followed by what to do
    List<String> all = run.out().lines().toList();
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).startsWith("WARN") || all.get(i).startsWith("FAIL")) {
        assertThat(all.get(i + 1)).as(all.get(i)).matches(" {17}-> .+");
      }
    }
  }

  @Test
  void aHeldTaskPortIsAWarningNamingIt() throws IOException {
    try (ServerSocket held = new ServerSocket()) {
      held.bind(new InetSocketAddress("127.0.0.1", 0));
      int p = held.getLocalPort();
      int next = p + 1 <= 65_535 ? p + 1 : p - 1;
      int first = Math.min(p, next);
      CliRun run = doctor(first + "-" + (first + 1));
      assertThat(run.out()).contains("WARN  ports      " + first + "-" + (first + 1) + ": ").contains("in use: [" + p);
    }
  }

  @Test
  void aMasterOrZooKeeperThatDoesNotAnswerFailsSayingWhatToDo() throws IOException {
    int closed = freePort();
    CliRun run = mezzo("doctor", "--master", "127.0.0.1:" + closed, "--zk", "127.0.0.1:" + closed, "--task-ports",
        freePort() + "", "--work-dir", dir.toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out()).contains("FAIL  master     no master at 127.0.0.1:" + closed + " (connection refused): is `mezzo up` running?")
        .contains("SKIP  clock      no master to compare with")
        .contains("FAIL  zookeeper  cannot reach 127.0.0.1:" + closed)
        .contains("-> is ZooKeeper running there?")
        .endsWith("2 failure(s), " + run.out().lines().filter(l -> l.startsWith("WARN")).count() + " warning(s): fix the FAIL lines first.\n");
  }

  @Test
  void cgroupLayoutsAreToldApart() throws IOException {
    Path v2 = dir.resolve("v2");
    Files.createDirectories(v2);
    Files.writeString(v2.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
    Files.writeString(v2.resolve("cgroup.subtree_control"), "");
    CgroupLayout unified = CgroupLayout.detect(v2);
    assertThat(unified.layout()).isEqualTo("v2");
    assertThat(unified.v2Controllers()).containsExactly("cpuset", "cpu", "io", "memory", "pids");

    Path hybrid = dir.resolve("hybrid");
    for (String c : List.of("memory", "cpu", "pids")) {
      Files.createDirectories(hybrid.resolve(c));
      Files.writeString(hybrid.resolve(c).resolve("cgroup.procs"), "");
    }
    Files.createDirectories(hybrid.resolve("unified"));
    Files.writeString(hybrid.resolve("unified/cgroup.controllers"), "");
    CgroupLayout h = CgroupLayout.detect(hybrid);
    assertThat(h.layout()).isEqualTo("hybrid");
    assertThat(h.v1Controllers()).containsExactly("cpu", "memory", "pids");
    assertThat(h.describe()).startsWith("hybrid: v1 cpu, memory, pids (writable: ").contains("offers no controller");

    Files.delete(hybrid.resolve("unified/cgroup.controllers"));
    assertThat(CgroupLayout.detect(hybrid).layout()).isEqualTo("v1");
    assertThat(CgroupLayout.detect(dir.resolve("nothing")).describe()).isEqualTo("no cgroups mounted");
  }

  @Test
  void aJavaOlderThan17Fails() {
    assertThat(NodeChecks.java(Runtime.Version.parse("11.0.2"), "X", "/j").status()).isEqualTo(Check.Status.FAIL);
    assertThat(NodeChecks.java(Runtime.Version.parse("17.0.1"), "X", "/j").status()).isEqualTo(Check.Status.OK);
  }

  @Test
  void clockSkewIsJudgedFromTheDateHeader() {
    String date = "Fri, 27 Nov 2026 10:00:00 GMT";
    long theirs = java.time.ZonedDateTime.parse(date, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
        .toInstant().toEpochMilli() + 500;
    assertThat(NodeChecks.skew("m", date, theirs - 10, theirs + 10).status()).isEqualTo(Check.Status.OK);
    Check ahead = NodeChecks.skew("m", date, theirs + 9_990, theirs + 10_010);
    assertThat(ahead.status()).isEqualTo(Check.Status.WARN);
    assertThat(ahead.detail()).startsWith("this clock is ahead of the master's by 10.0 s");
    assertThat(NodeChecks.skew("m", date, theirs - 120_010, theirs - 119_990).status()).isEqualTo(Check.Status.FAIL);
    assertThat(NodeChecks.skew("m", null, 0, 1).status()).isEqualTo(Check.Status.WARN);
  }

  @Test
  void diskSpaceUnderAGibFailsAndUnderFiveWarns() {
    Path p = Path.of("/var/lib/mezzo");
    assertThat(NodeChecks.diskSpace(p, p, 512L << 20).status()).isEqualTo(Check.Status.FAIL);
    assertThat(NodeChecks.diskSpace(p, p, 2L << 30).status()).isEqualTo(Check.Status.WARN);
    assertThat(NodeChecks.diskSpace(p, Path.of("/var"), 50L << 30).detail()).isEqualTo("50.0 GiB free at /var (for /var/lib/mezzo)");
  }

  @Test
  void aMalformedPortRangeExits2NamingTheFlag() {
    CliRun run = doctor("31000-30000");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).isEqualTo("mezzo doctor: --task-ports: '31000-30000' (expected: FIRST-LAST or FIRST, within "
        + "1-65535, e.g. 31000-31999)\n");
  }
}
