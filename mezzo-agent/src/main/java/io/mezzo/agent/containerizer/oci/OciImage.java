package io.mezzo.agent.containerizer.oci;

import java.nio.file.Path;
import java.util.List;

/**
 * An image ready to run: its read-only unpacked {@code rootfs} and the parts of its config that the
 * runtime spec uses (each list may be empty; {@code user} and {@code workingDir} may be null). The image
 * store's images map to this; so do test images made from a directory.
 */
public record OciImage(String digest, Path rootfs, List<String> entrypoint, List<String> cmd, List<String> env,
    String user, String workingDir) {

  public OciImage {
    entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
    cmd = cmd == null ? List.of() : List.copyOf(cmd);
    env = env == null ? List.of() : List.copyOf(env);
  }
}
