package io.mezzo.agent.containerizer.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.ContainerInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The OCI spec a task gets from its image and its command: argv, env, user, cwd, mounts, limits. */
class OciSpecTest {
  static final OciImage IMAGE = new OciImage("sha256:x", Path.of("/images/x"), List.of("/entry"), List.of("serve", "--x"),
      List.of("PATH=/image/bin", "FROM_IMAGE=1", "SHARED=image"), "app", "/srv");

  static OciSpec.Input input(OciImage image, CommandInfo command) {
    return new OciSpec.Input(image, command, Map.of("PATH", "/agent/bin", "SHARED", "task", "PORT0", "31000",
        "MESOS_SANDBOX", "/host/sandbox"), 1000, 100, "/run/rootfs", "/host/sandbox",
        List.of(new ContainerInfo.Volume("/data", "/var/data", true), new ContainerInfo.Volume("/cache", "cache", false)),
        "node1", "/mezzo/run-1", 64L << 20, 512, 50_000, 100_000, 4096);
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void shellCommandRunsUnderBinShAndIgnoresEntrypointAndCmd() {
    JsonNode spec = OciSpec.build(input(IMAGE, CommandInfo.shell("echo hi")));
    assertThat(strings(spec.at("/process/args"))).containsExactly("/bin/sh", "-c", "echo hi");
  }

  @Test
  void argvCommandReplacesEntrypointAndCmdWithItsValueAndArguments() {
    CommandInfo c = new CommandInfo("/bin/echo", false, List.of("echo", "a", "b"), null, null);
    assertThat(strings(OciSpec.build(input(IMAGE, c)).at("/process/args"))).containsExactly("/bin/echo", "a", "b");
  }

  @Test
  void argumentsWithoutValueOverrideTheImageCmdAfterItsEntrypoint() {
    CommandInfo c = new CommandInfo(null, false, List.of("--port", "80"), null, null);
    assertThat(strings(OciSpec.build(input(IMAGE, c)).at("/process/args"))).containsExactly("/entry", "--port", "80");
    assertThat(strings(OciSpec.build(input(IMAGE, null)).at("/process/args"))).containsExactly("/entry", "serve", "--x");
  }

  @Test
  void imageWithNothingToRunAndNoCommandIsRefusedNamingTheCommand() {
    OciImage bare = new OciImage("d", Path.of("/r"), List.of(), List.of(), List.of(), null, null);
    assertThatThrownBy(() -> OciSpec.build(input(bare, null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("command: missing");
  }

  @Test
  void envIsImageThenTaskWithTheImagePathAndTheSandboxInsideTheContainer() {
    List<String> env = strings(OciSpec.build(input(IMAGE, CommandInfo.shell("x"))).at("/process/env"));
    assertThat(env).contains("PATH=/image/bin", "FROM_IMAGE=1", "SHARED=task", "PORT0=31000",
        "MESOS_SANDBOX=/mnt/mesos/sandbox", "MEZZO_SANDBOX=/mnt/mesos/sandbox");
    assertThat(env).noneMatch(e -> e.equals("PATH=/agent/bin") || e.contains("/host/sandbox"));
  }

  @Test
  void taskThatSetsPathItselfWins() {
    CommandInfo c = new CommandInfo("x", true, null,
        new CommandInfo.Environment(List.of(new CommandInfo.Variable("PATH", "/agent/bin"))), null);
    assertThat(strings(OciSpec.build(input(IMAGE, c)).at("/process/env"))).contains("PATH=/agent/bin");
  }

  @Test
  void userCwdAndProcessSafetyFollowTheImage() {
    JsonNode spec = OciSpec.build(input(IMAGE, CommandInfo.shell("x")));
    assertThat(spec.at("/process/user/uid").asLong()).isEqualTo(1000);
    assertThat(spec.at("/process/user/gid").asLong()).isEqualTo(100);
    assertThat(spec.at("/process/cwd").asText()).isEqualTo("/srv");
    assertThat(spec.at("/process/terminal").asBoolean()).isFalse();
    assertThat(spec.at("/process/noNewPrivileges").asBoolean()).isTrue();
    assertThat(spec.at("/process/rlimits/0/type").asText()).isEqualTo("RLIMIT_NOFILE");
    assertThat(spec.at("/process/rlimits/0/hard").asLong()).isEqualTo(4096);
    OciImage noWd = new OciImage("d", Path.of("/r"), List.of(), List.of("x"), List.of(), null, null);
    assertThat(OciSpec.build(input(noWd, null)).at("/process/cwd").asText()).isEqualTo("/mnt/mesos/sandbox");
  }

  @Test
  void sandboxAndVolumesAreBindMountedAndHostPathsRelativeToTheSandbox() {
    JsonNode mounts = OciSpec.build(input(IMAGE, CommandInfo.shell("x"))).at("/mounts");
    List<String> lines = new ArrayList<>();
    mounts.forEach(m -> lines.add(m.get("destination").asText() + " " + m.get("type").asText() + " "
        + m.get("source").asText() + " " + strings(m.path("options"))));
    assertThat(lines).contains("/mnt/mesos/sandbox bind /host/sandbox [rbind, rw]",
        "/data bind /var/data [rbind, ro]", "/cache bind /host/sandbox/cache [rbind, rw]");
    assertThat(lines).anyMatch(l -> l.startsWith("/proc proc")).anyMatch(l -> l.startsWith("/dev tmpfs"))
        .anyMatch(l -> l.startsWith("/sys sysfs"));
  }

  @Test
  void namespacesAreIsolatedButTheNetworkIsTheHosts() {
    JsonNode spec = OciSpec.build(input(IMAGE, CommandInfo.shell("x")));
    List<String> types = new ArrayList<>();
    spec.at("/linux/namespaces").forEach(n -> types.add(n.get("type").asText()));
    assertThat(types).containsExactlyInAnyOrder("pid", "mount", "ipc", "uts");
    assertThat(spec.at("/hostname").asText()).isEqualTo("node1");
  }

  @Test
  void cgroupLimitsAndPathAreTheTasks() {
    JsonNode spec = OciSpec.build(input(IMAGE, CommandInfo.shell("x")));
    assertThat(spec.at("/linux/cgroupsPath").asText()).isEqualTo("/mezzo/run-1");
    assertThat(spec.at("/linux/resources/memory/limit").asLong()).isEqualTo(64L << 20);
    assertThat(spec.at("/linux/resources/cpu/shares").asLong()).isEqualTo(512);
    assertThat(spec.at("/linux/resources/cpu/quota").asLong()).isEqualTo(50_000);
    assertThat(spec.at("/root/path").asText()).isEqualTo("/run/rootfs");
  }
}
