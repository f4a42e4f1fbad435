package io.mezzo.agent;

import io.mezzo.agent.containerizer.oci.DirectoryImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Test images for container tasks, made from Debian's {@code busybox-static}: a rootfs with busybox and
 * its applets, {@code /etc/passwd} with root and nobody, and an {@code image.json}; and the clean-up of
 * what containers leave (runc state, overlay mounts) so that a test's temporary directory can be removed.
 */
final class TestImages {
  static final Path BUSYBOX = Path.of("/bin/busybox");

  private TestImages() {}

  /** Writes image {@code name} into the agent's {@code <workDir>/local-images} with {@code imageJson} as its config. */
  static Path busybox(Path workDir, String name, String imageJson) throws IOException {
    Path dir = DirectoryImages.imageDir(workDir.resolve("local-images"), name);
    Path rootfs = dir.resolve("rootfs");
    Path bin = Files.createDirectories(rootfs.resolve("bin"));
    Files.copy(BUSYBOX, bin.resolve("busybox"));
    bin.resolve("busybox").toFile().setExecutable(true, false);
    String applets = output(BUSYBOX.toString(), "--list");
    for (String applet : applets.split("\n")) {
      if (!applet.isBlank() && !applet.equals("busybox")) {
        Files.createSymbolicLink(bin.resolve(applet.strip()), Path.of("busybox"));
      }
    }
    Files.createDirectories(rootfs.resolve("etc"));
    Files.createDirectories(rootfs.resolve("tmp"));
    Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
    Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
    Files.writeString(rootfs.resolve("image-marker"), "only in the image\n");
    Files.writeString(dir.resolve("image.json"), imageJson);
    return rootfs;
  }

  /** Kills and deletes every container runc keeps under {@code workDir}, and unmounts their root filesystems. */
  static void cleanUp(Path workDir) throws IOException {
    Path root = workDir.resolve("runc");
    if (Files.isDirectory(root)) {
      for (String id : output("runc", "--root", root.toString(), "list", "-q").split("\n")) {
        if (!id.isBlank()) {
          output("runc", "--root", root.toString(), "kill", id.strip(), "KILL");
          output("runc", "--root", root.toString(), "delete", "--force", id.strip());
        }
      }
    }
    Path containers = workDir.resolve("containers");
    if (Files.isDirectory(containers)) {
      try (Stream<Path> bundles = Files.list(containers)) {
        for (Path b : bundles.toList()) {
          output("umount", "-l", b.resolve("rootfs").toString());
        }
      }
    }
  }

  static List<String> runcList(Path workDir) {
    String out = output("runc", "--root", workDir.resolve("runc").toString(), "list", "-q");
    return out.isBlank() ? List.of() : List.of(out.strip().split("\n"));
  }

  /** Runs {@code argv}, returns its standard output (stderr discarded). */
  static String output(String... argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      p.waitFor();
      return out;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
