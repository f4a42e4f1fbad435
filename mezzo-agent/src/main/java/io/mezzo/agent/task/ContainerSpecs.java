package io.mezzo.agent.task;

import io.mezzo.agent.containerizer.oci.OciImage;
import io.mezzo.agent.containerizer.oci.OciRuntime;
import io.mezzo.agent.containerizer.oci.OciSpec;
import io.mezzo.agent.isolation.Limits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link Task} about to start into its container's bundle: the {@link OciSpec.Input} from the
 * task, its image and its isolation, once its volumes' sources are ready ({@link
 * io.mezzo.agent.containerizer.oci.VolumeSources}). The container's {@code cgroupsPath} is the task's own
 * cgroup (the one the isolator made and the supervisor joins), so that its limits, usage statistics and OOM
 * accounting are the task's, as for process tasks; without cgroup isolation runc makes one under
 * {@code /mezzo-oci} with the task's limits.
 *
 * <p>Who the container runs as ({@link #user}): where the agent chooses task users (root, with
 * {@code --switch-user}), a user named by the task's command wins (root only with
 * {@code --allow-root-tasks}, as for process tasks); else the image's {@code User} when it is not root
 * (or is root and root tasks are allowed); else the task's user (the framework's, or {@code --task-user}),
 * so that an image that says nothing, or says root, never runs as root unless configured. Where the
 * agent does not choose users, the image's user. The sandbox is then owned by that user, so the
 * container can write it. Stateless; called on the agent loop.
 */
final class ContainerSpecs {
  private ContainerSpecs() {}

  static Path prepare(OciRuntime oci, Task task, OciImage image, Map<String, String> env, List<Path> cgroups,
      String hostname, io.mezzo.agent.user.TaskUsers users) throws IOException {
    boolean commandUser = task.info.command() != null && task.info.command().user() != null
        && !task.info.command().user().isBlank();
    OciRuntime.Ids ids = user(OciRuntime.ids(image.rootfs(), image.user()), task.runAs == null ? null : task.runAs.account(),
        commandUser, users != null && users.enforces(), users != null && users.allowsRoot());
    own(task.sandbox, ids);
    io.mezzo.agent.containerizer.oci.VolumeSources.prepare(task.sandbox, task.container.volumes(), ids.uid(), ids.gid());
    Limits limits = task.limits;
    if (limits == null) {
      double mem = task.resources.scalar("mem");
      limits = new Limits(task.resources.scalar("cpus"), mem > 0 ? (long) (mem * 1024 * 1024) : 0, false);
    }
    Limits l = limits;
    String cgroupsPath = cgroupsPath(cgroups).orElse("/mezzo-oci/" + task.ociId);
    return oci.prepare(task.ociId, image, rootfs -> OciSpec.build(new OciSpec.Input(image, task.info.command(),
        env, ids.uid(), ids.gid(), rootfs, task.sandbox.toString(), task.container.volumes(), hostname, cgroupsPath,
        l.memBytes(), l.cpus() > 0 ? l.shares() : 0, l.hardCpu() ? l.cfsQuotaUs() : 0, Limits.CFS_PERIOD_US, openFilesLimit())));
  }

  /**
   * Who the container runs as (see the class comment): {@code image} the image's user, {@code task} the
   * account the agent chose for the task (null when it chooses none), {@code commandUser} whether the
   * task's command named its user, {@code enforced} whether the agent chooses users.
   */
  static OciRuntime.Ids user(OciRuntime.Ids image, io.mezzo.agent.user.Account task, boolean commandUser,
      boolean enforced, boolean allowRoot) {
    if (!enforced || task == null) {
      return image;
    }
    if (commandUser || (image.uid() == 0 && !allowRoot)) {
      return new OciRuntime.Ids(task.uid(), task.gid());
    }
    return image;
  }

  /** Makes {@code ids} the owner of the sandbox and its output files, when it is not already. */
  private static void own(Path sandbox, OciRuntime.Ids ids) throws IOException {
    if (((Number) java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() != 0) {
      return; // only root can give files away (and only root runs runc)
    }
    for (Path p : List.of(sandbox.resolve("stdout"), sandbox.resolve("stderr"), sandbox)) {
      if (!java.nio.file.Files.exists(p)) {
        java.nio.file.Files.createFile(p);
      }
      if (((Number) java.nio.file.Files.getAttribute(p, "unix:uid")).longValue() != ids.uid()
          || ((Number) java.nio.file.Files.getAttribute(p, "unix:gid")).longValue() != ids.gid()) {
        java.nio.file.Files.setAttribute(p, "unix:uid", (int) ids.uid());
        java.nio.file.Files.setAttribute(p, "unix:gid", (int) ids.gid());
      }
    }
  }

  /**
   * The cgroup path (relative to each hierarchy's root) of the task's cgroup, from the
   * {@code cgroup.procs} files its supervisor joins: the part after the {@code memory} hierarchy (v1),
   * or after the unified hierarchy's mount (v2).
   */
  static java.util.Optional<String> cgroupsPath(List<Path> cgroupProcs) {
    for (Path p : cgroupProcs) {
      for (int i = 0; i < p.getNameCount() - 2; i++) {
        String name = p.getName(i).toString();
        if (name.equals("memory") || name.equals("unified")) {
          return java.util.Optional.of("/" + p.subpath(i + 1, p.getNameCount() - 1));
        }
      }
    }
    return java.util.Optional.empty();
  }

  /** This process's hard {@code RLIMIT_NOFILE} (from {@code /proc/self/limits}), or 1024 if unknown. */
  static long openFilesLimit() {
    try {
      for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String[] f = line.substring("Max open files".length()).trim().split("\\s+");
          return f[1].equals("unlimited") ? 1048576 : Long.parseLong(f[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return 1024;
  }
}
