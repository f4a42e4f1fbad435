package io.mezzo.agent.containerizer.oci;

import io.mezzo.core.model.ContainerInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Readies the sources of a container's volumes before runc runs, which refuses a bind mount whose
 * source is missing with nothing better than an exit status. A relative {@code host_path} is a
 * directory of the sandbox (Mesos's "sandbox path"): each missing directory on the way is made and given
 * to the container's user ({@code uid}:{@code gid}), so that a non-root image can write into an
 * {@code RW} volume; directories already there are left as they are; a path that would leave the
 * sandbox (a symbolic link on the way, {@code ..}) is refused. An absolute {@code host_path} is the
 * operator's: never made, only required to exist (a file or a directory), as Mesos's {@code host_path}
 * volumes are. Stateless; called on the agent loop before the container starts.
 */
public final class VolumeSources {
  private VolumeSources() {}

  /**
   * Makes the sandbox directory of every relative volume in {@code volumes} under {@code sandbox} and
   * checks that every absolute one exists.
   *
   * @throws IOException naming the volume when its source is missing, cannot be made or would leave the sandbox
   */
  public static void prepare(Path sandbox, List<ContainerInfo.Volume> volumes, long uid, long gid) throws IOException {
    Path root = sandbox.toAbsolutePath().normalize();
    List<Path> relative = new ArrayList<>();
    for (int i = 0; i < volumes.size(); i++) { // every volume checked before anything is made
      String hostPath = volumes.get(i).hostPath();
      String where = "container.volumes[" + i + "].host_path";
      if (hostPath.startsWith("/")) {
        if (!Files.exists(Path.of(hostPath))) {
          throw new IOException(where + ": " + hostPath + " does not exist on the agent"
              + " (expected: an existing file or directory)");
        }
        relative.add(null);
        continue;
      }
      Path rel = Path.of(hostPath).normalize();
      if (rel.toString().isEmpty() || rel.startsWith("..") || rel.isAbsolute()) {
        throw new IOException(where + ": " + hostPath + " (expected: a path inside the sandbox)");
      }
      relative.add(rel);
    }
    for (int i = 0; i < volumes.size(); i++) {
      if (relative.get(i) != null) {
        makeDirectories(root, relative.get(i), "container.volumes[" + i + "].host_path: " + volumes.get(i).hostPath(),
            uid, gid);
      }
    }
  }

  private static void makeDirectories(Path root, Path rel, String what, long uid, long gid) throws IOException {
    Path dir = root;
    for (Path part : rel) {
      dir = dir.resolve(part);
      if (Files.isSymbolicLink(dir)) {
        throw new IOException(what + " goes through the symbolic link " + root.relativize(dir)
            + " (expected: directories inside the sandbox)");
      }
      if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          throw new IOException(what + ": " + root.relativize(dir) + " is a file in the sandbox (expected: a directory)");
        }
        continue;
      }
      try {
        Files.createDirectory(dir);
        Files.setAttribute(dir, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(dir, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        throw new IOException(what + ": cannot make " + dir + " for " + uid + ":" + gid + ": " + e, e);
      }
    }
  }
}
