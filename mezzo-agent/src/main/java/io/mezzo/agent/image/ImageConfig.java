package io.mezzo.agent.image;

import java.util.List;

/**
 * What an image's config says about running it ({@code config} of the OCI/Docker image config): the
 * runtime merges it with the task (a task command overrides {@link #cmd()}, as Mesos does). Lists are
 * never null (empty when the image gives none); {@code user} and {@code workingDir} are empty strings
 * when unset.
 */
public record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String user, String workingDir) {
  public ImageConfig {
    entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
    cmd = cmd == null ? List.of() : List.copyOf(cmd);
    env = env == null ? List.of() : List.copyOf(env);
    user = user == null ? "" : user;
    workingDir = workingDir == null ? "" : workingDir;
  }
}
