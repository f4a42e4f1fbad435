package io.mezzo.agent.containerizer.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.CommandInfo;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs containers with runc. A container is named {@code mezzo-<run id>} (its sandbox's run directory
 * name), and has a bundle in {@code <work>/containers/<name>}: {@code config.json} ({@link OciSpec}) and
 * its root filesystem {@code rootfs}, an overlayfs whose lower layer is the image's read-only rootfs and
 * whose upper and work layers sit beside it; where the kernel refuses the mount, a copy of the image.
 *
 * <p>The container runs in the foreground ({@link #runCommand}: {@code runc run}) under the agent's
 * task supervisor, so that stdout and stderr go straight to the sandbox files, the supervisor records
 * the exit status, and a restarted agent re-adopts it as it does any task. runc keeps its state under
 * {@code <work>/runc}; its own log goes to the sandbox's {@code runc.log}. A container's init runs in a
 * session of its own, so signals go through {@code runc kill} ({@link #kill}).
 *
 * <p>Stateless apart from the files; methods block for the runc or mount call they make (milliseconds)
 * and are called on the agent loop.
 */
public final class OciRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(OciRuntime.class);

  private final String runc;
  private final Path root;
  private final Path containers;
  private final ImageSource images;

  public OciRuntime(String runc, Path workDir, ImageSource images) {
    this.runc = runc;
    this.root = workDir.resolve("runc");
    this.containers = workDir.resolve("containers");
    this.images = images;
  }

  /**
   * The runtime of an agent working in {@code workDir} when runc is installed, with images from
   * {@code images}; empty otherwise (container tasks are then refused).
   */
  public static Optional<OciRuntime> detect(Path workDir, java.util.function.Supplier<ImageSource> images) {
    String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin") + ":/usr/sbin:/sbin";
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, "runc");
      if (Files.isExecutable(p)) {
        return Optional.of(new OciRuntime(p.toString(), workDir, images.get()));
      }
    }
    return Optional.empty();
  }

  /** The images the runtime runs. */
  public CompletableFuture<OciImage> pull(String image, boolean forcePull) {
    return images.pull(image, forcePull);
  }

  /** The name of the container of the run whose sandbox is {@code sandbox}. */
  public static String containerId(Path sandbox) {
    return "mezzo-" + sandbox.getFileName();
  }

  /** The container's bundle directory. */
  public Path bundle(String id) {
    return containers.resolve(id);
  }

  /** {@code uid} and {@code gid} of the image's {@code user} ({@code name|uid[:group|gid]}), root when unset. */
  public record Ids(long uid, long gid) {}

  /** Resolves {@code user} against the image's {@code /etc/passwd} and {@code /etc/group}. */
  public static Ids ids(Path rootfs, String user) throws IOException {
    if (user == null || user.isBlank()) {
      return new Ids(0, 0);
    }
    String[] parts = user.split(":", 2);
    List<String[]> passwd = table(rootfs.resolve("etc/passwd"));
    long uid = -1;
    long gid = -1;
    for (String[] e : passwd) {
      if (e.length > 3 && (e[0].equals(parts[0]) || e[2].equals(parts[0]))) {
        uid = Long.parseLong(e[2]);
        gid = Long.parseLong(e[3]);
        break;
      }
    }
    if (uid < 0 && parts[0].matches("\\d+")) {
      uid = Long.parseLong(parts[0]);
      gid = uid;
    }
    if (uid < 0) {
      throw new IOException("user: '" + user + "' (expected: a user of the image's /etc/passwd, or a number)");
    }
    if (parts.length == 2) {
      gid = -1;
      for (String[] e : table(rootfs.resolve("etc/group"))) {
        if (e.length > 2 && (e[0].equals(parts[1]) || e[2].equals(parts[1]))) {
          gid = Long.parseLong(e[2]);
        }
      }
      if (gid < 0 && parts[1].matches("\\d+")) {
        gid = Long.parseLong(parts[1]);
      }
      if (gid < 0) {
        throw new IOException("user: '" + user + "' (expected: a group of the image's /etc/group, or a number)");
      }
    }
    return new Ids(uid, gid);
  }

  private static List<String[]> table(Path file) throws IOException {
    List<String[]> out = new ArrayList<>();
    if (Files.isRegularFile(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        out.add(line.split(":", -1));
      }
    }
    return out;
  }

  /**
   * Makes the container's bundle: its root filesystem on top of {@code imageRootfs} and the
   * {@code config.json} that {@code spec} gives for it ({@code spec} gets the rootfs path). Returns the bundle.
   */
  public Path prepare(String id, OciImage image, java.util.function.Function<String, JsonNode> spec)
      throws IOException {
    Path imageRootfs = image.rootfs();
    Path bundle = bundle(id);
    Path rootfs = bundle.resolve("rootfs");
    Path upper = bundle.resolve("upper");
    Path work = bundle.resolve("work");
    for (Path d : List.of(rootfs, upper, work)) {
      Files.createDirectories(d);
    }
    Files.createDirectories(root);
    String options = "lowerdir=" + imageRootfs.toAbsolutePath() + ",upperdir=" + upper + ",workdir=" + work;
    Result mount = run(List.of("mount", "-t", "overlay", "overlay", "-o", options, rootfs.toString()));
    if (mount.code != 0) {
      LOG.info("container {}: overlayfs refused ({}); copying the image instead", id, mount.output.strip());
      Result copy = run(List.of("cp", "-a", imageRootfs.toAbsolutePath() + "/.", rootfs.toString()));
      if (copy.code != 0) {
        throw new IOException("cannot copy the image's rootfs " + imageRootfs + ": " + copy.output.strip());
      }
    }
    Files.write(bundle.resolve("config.json"), Json.write(spec.apply(rootfs.toString())));
    Files.writeString(bundle.resolve("image"), image.digest());
    images.retain(image.digest(), id);
    return bundle;
  }

  /** What the task supervisor runs: {@code runc run} of the container in the foreground. */
  public CommandInfo runCommand(String id, Path sandbox) {
    List<String> argv = List.of(runc, "--root", root.toString(), "--log", sandbox.resolve("runc.log").toString(),
        "run", "--bundle", bundle(id).toString(), id);
    return new CommandInfo(runc, false, argv, null, null);
  }

  /** What runs a command inside the container (COMMAND health checks): {@code runc exec}. */
  public List<String> execPrefix(String id) {
    return List.of(runc, "--root", root.toString(), "exec", id);
  }

  /** Sends {@code signal} (TERM, KILL, ...) to the container's init; false if runc could not. */
  public boolean kill(String id, String signal) {
    Result r = run(List.of(runc, "--root", root.toString(), "kill", id, signal));
    if (r.code != 0) {
      LOG.debug("runc kill {} {}: {}", id, signal, r.output.strip());
    }
    return r.code == 0;
  }

  /**
   * SIGKILLs the container after {@code graceMillis} from a helper process of its own, for the agent's
   * shutdown (its loop stops before the grace period ends).
   */
  public void killLater(String id, long graceMillis) {
    try {
      new ProcessBuilder("setsid", "sh", "-c", "sleep " + Math.max(0, graceMillis) / 1000.0 + "; exec \"$@\"",
          "mezzo-kill", runc, "--root", root.toString(), "kill", id, "KILL")
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
    } catch (IOException e) {
      LOG.warn("container {}: cannot schedule its SIGKILL: {}", id, e.getMessage());
    }
  }

  /** The digest of the image the container runs, from its bundle. */
  Optional<String> imageOf(String id) {
    try {
      return Optional.of(Files.readString(bundle(id).resolve("image")).strip());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** A container that kept running while the agent was down uses its image again (recovery). */
  public void readopt(String id) {
    imageOf(id).ifPresent(digest -> images.retain(digest, id));
  }

  /** Closes the image source when it holds resources (the store's lock). */
  public void close() {
    if (images instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("cannot close the image store: {}", e.toString());
      }
    }
  }

  /** runc's status of the container ({@code running}, {@code stopped}, ...), or empty if runc has none. */
  public Optional<String> state(String id) {
    Result r = run(List.of(runc, "--root", root.toString(), "state", id));
    if (r.code != 0) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(Json.MAPPER.readTree(r.output).path("status").asText(null));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** After the container's run ended: removes what is left of it in runc, its rootfs mount and its bundle. */
  public void cleanup(String id) {
    run(List.of(runc, "--root", root.toString(), "delete", "--force", id));
    Path bundle = bundle(id);
    imageOf(id).ifPresent(digest -> images.release(digest, id));
    Path rootfs = bundle.resolve("rootfs");
    if (Files.isDirectory(rootfs)) {
      run(List.of("umount", "-l", rootfs.toString()));
    }
    try (Stream<Path> walk = Files.walk(bundle)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | java.io.UncheckedIOException e) {
      LOG.debug("container {}: cannot remove its bundle: {}", id, e.toString());
    }
  }

  private record Result(int code, String output) {}

  private static Result run(List<String> argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, argv.get(0) + " timed out");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }
}
