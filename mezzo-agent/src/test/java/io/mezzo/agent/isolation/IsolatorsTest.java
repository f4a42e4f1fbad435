package io.mezzo.agent.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Choosing an isolator, and the cgroups v2 isolator's control files, against a directory laid out as
 * a unified hierarchy (this machine's controllers are bound to v1, so the kernel's own v2 files cannot
 * be used here).
 */
class IsolatorsTest {
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC);

  @TempDir
  Path root;

  @Test
  void autoPrefersAUsableUnifiedHierarchy() throws Exception {
    Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
    Files.writeString(root.resolve("cgroup.subtree_control"), "");

    Isolators.Selection s = Isolators.select(config("auto"), CLOCK);

    assertThat(s.isolator().name()).isEqualTo("cgroups/v2");
    assertThat(s.reason()).contains(root.toString());
  }

  @Test
  void autoFallsBackToPosixAndSaysWhy() {
    Isolators.Selection s = Isolators.select(config("auto"), CLOCK);

    assertThat(s.isolator().name()).isEqualTo("posix");
    assertThat(s.reason()).contains("no cgroups v2 hierarchy at " + root).contains("no cgroups v1 'memory' hierarchy");
  }

  @Test
  void cgroupsModeRefusesToStartWithoutThem() {
    assertThatThrownBy(() -> Isolators.select(config("cgroups/v2"), CLOCK))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("isolation: 'cgroups/v2' cannot be used here: no cgroups v2 hierarchy at " + root);
  }

  @Test
  void unknownModeIsRefusedNamingTheChoices() {
    assertThatThrownBy(() -> config("docker"))
        .hasMessage("isolation: 'docker' (expected: one of auto, cgroups, cgroups/v2, cgroups/v1, posix)");
  }

  @Test
  void mesosIsolationSpellingsAreAccepted() {
    assertThat(config("cgroups/cpu,cgroups/mem").mode()).isEqualTo("cgroups");
    assertThat(config("posix/cpu,posix/mem").mode()).isEqualTo("posix");
  }

  @Test
  void cgroupsV2WritesLimitsAndReadsUsageAndOomKills() throws Exception {
    CgroupsV2Isolator v2 = new CgroupsV2Isolator(root, "mezzo", CLOCK);
    Limits limits = new Limits(1.5, 64L << 20, true);

    assertThat(v2.prepare("c1", limits)).containsExactly(root.resolve("mezzo/c1/cgroup.procs"));

    Path dir = root.resolve("mezzo/c1");
    assertThat(Files.readString(root.resolve("cgroup.subtree_control"))).isEqualTo("+cpu +memory +pids");
    assertThat(Files.readString(dir.resolve("memory.max"))).isEqualTo(Long.toString(64L << 20));
    assertThat(Files.readString(dir.resolve("cpu.weight"))).isEqualTo("59"); // 1536 shares
    assertThat(Files.readString(dir.resolve("cpu.max"))).isEqualTo("150000 100000");

    Files.writeString(dir.resolve("cpu.stat"), "usage_usec 3500000\nuser_usec 3000000\nsystem_usec 500000\n"
        + "nr_periods 10\nnr_throttled 4\nthrottled_usec 250000\n");
    Files.writeString(dir.resolve("memory.stat"), "anon 1048576\nfile 4096\n");
    Files.writeString(dir.resolve("memory.current"), "2097152\n");
    Files.writeString(dir.resolve("cgroup.procs"), "10\n11\n");
    Usage u = v2.usage("c1", 10, limits).orElseThrow();
    assertThat(u).isEqualTo(new Usage(1_700_000_000.0, 3.0, 0.5, 1.5, 1048576L, 2097152L, 64L << 20, 2L, 0L,
        10L, 4L, 0.25));

    Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\n");
    assertThat(v2.limitation("c1", 10, limits)).isEmpty();
    Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\n");
    Files.writeString(dir.resolve("memory.peak"), Long.toString(64L << 20));
    assertThat(v2.limitation("c1", 10, limits)).contains(
        "Memory limit exceeded: the task used more than its limit of 64.0 MiB (peak 64.0 MiB) and was killed");
  }

  @Test
  void sharesBecomeWeightsAsTheKernelConvertsThem() {
    assertThat(CgroupsV2Isolator.weight(2)).isEqualTo(1);
    assertThat(CgroupsV2Isolator.weight(1024)).isEqualTo(39);
    assertThat(CgroupsV2Isolator.weight(262_144)).isEqualTo(10_000);
  }

  @Test
  void procStatLinesWithParenthesesInTheCommandAreParsed() {
    String line = "4242 (we (ird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 30 0 0 20 0 3 0 123 1000000 512 "
        + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0";

    assertThat(ProcTree.parse(line)).contains(new ProcTree.Stat(4242, 1, 4242, 250, 30, 3, 512));
  }

  private IsolationConfig config(String mode) {
    return new IsolationConfig(mode, 0, false, root, "mezzo", IsolationConfig.DEFAULT_MONITOR_INTERVAL);
  }
}
