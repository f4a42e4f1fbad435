package io.mezzo.agent.containerizer.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.core.model.ContainerInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sources of a container's volumes, which runc needs to exist: sandbox directories made, host paths checked. */
class VolumeSourcesTest {
  @TempDir
  Path dir;

  private static int owner(Path p, String what) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:" + what, LinkOption.NOFOLLOW_LINKS);
  }

  @Test
  void relativeVolumesGetTheirSandboxDirectoriesOwnedByTheContainerUser() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "giving a directory away needs root");
    Path sandbox = Files.createDirectories(dir.resolve("sandbox"));
    Path absolute = Files.createDirectories(dir.resolve("host"));
    VolumeSources.prepare(sandbox, List.of(new ContainerInfo.Volume("/scratch", "data/scratch", false),
        new ContainerInfo.Volume("/ro", "./ro", true), new ContainerInfo.Volume("/abs", absolute.toString(), true)),
        65534, 65534);

    for (Path made : List.of(sandbox.resolve("data"), sandbox.resolve("data/scratch"), sandbox.resolve("ro"))) {
      assertThat(made).isDirectory();
      assertThat(owner(made, "uid")).as("%s uid", made).isEqualTo(65534);
      assertThat(owner(made, "gid")).as("%s gid", made).isEqualTo(65534);
    }
    assertThat(owner(absolute, "uid")).as("an absolute host path is the operator's").isZero();
  }

  @Test
  void aMissingAbsoluteHostPathIsRefusedRatherThanMade() {
    Path sandbox = dir.resolve("sandbox");
    Path missing = dir.resolve("no/such/dir");
    assertThatThrownBy(() -> VolumeSources.prepare(sandbox, List.of(new ContainerInfo.Volume("/in", "in", false),
        new ContainerInfo.Volume("/data", missing.toString(), true)), 0, 0))
        .isInstanceOf(IOException.class)
        .hasMessage("container.volumes[1].host_path: " + missing + " does not exist on the agent"
            + " (expected: an existing file or directory)");
    assertThat(missing).doesNotExist();
    assertThat(sandbox.resolve("in")).as("nothing made before every volume is checked").doesNotExist();
  }

  @Test
  void directoriesAlreadyInTheSandboxAreKeptAsTheyAre() throws Exception {
    Path sandbox = Files.createDirectories(dir.resolve("sandbox"));
    Path existing = Files.createDirectories(sandbox.resolve("cache"));
    Files.writeString(existing.resolve("kept"), "x");
    int uid = owner(existing, "uid");

    VolumeSources.prepare(sandbox, List.of(new ContainerInfo.Volume("/cache", "cache", false)), uid, uid);

    assertThat(existing.resolve("kept")).hasContent("x");
  }

  @Test
  void aSymbolicLinkOutOfTheSandboxIsRefusedNamingTheVolume() throws Exception {
    Path sandbox = Files.createDirectories(dir.resolve("sandbox"));
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.createSymbolicLink(sandbox.resolve("escape"), outside);

    assertThatThrownBy(() -> VolumeSources.prepare(sandbox,
        List.of(new ContainerInfo.Volume("/x", "/", true), new ContainerInfo.Volume("/y", "escape/inner", false)), 0, 0))
        .isInstanceOf(IOException.class)
        .hasMessage("container.volumes[1].host_path: escape/inner goes through the symbolic link escape"
            + " (expected: directories inside the sandbox)");
    assertThat(outside.resolve("inner")).doesNotExist();
  }

  @Test
  void aFileWhereTheDirectoryShouldBeIsRefused() throws Exception {
    Path sandbox = Files.createDirectories(dir.resolve("sandbox"));
    Files.writeString(sandbox.resolve("stdout"), "");

    assertThatThrownBy(() -> VolumeSources.prepare(sandbox, List.of(new ContainerInfo.Volume("/out", "stdout", false)), 0, 0))
        .isInstanceOf(IOException.class)
        .hasMessage("container.volumes[0].host_path: stdout: stdout is a file in the sandbox (expected: a directory)");
  }

  @Test
  void aPathLeavingTheSandboxIsRefused() {
    Path sandbox = dir.resolve("sandbox");
    assertThatThrownBy(() -> VolumeSources.prepare(sandbox, List.of(new ContainerInfo.Volume("/up", "a/../../up", false)), 0, 0))
        .isInstanceOf(IOException.class)
        .hasMessage("container.volumes[0].host_path: a/../../up (expected: a path inside the sandbox)");
    assertThat(dir.resolve("up")).doesNotExist();
  }
}
