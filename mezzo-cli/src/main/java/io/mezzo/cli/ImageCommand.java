package io.mezzo.cli;

import io.mezzo.agent.image.ImageStore;
import java.nio.file.Path;
import java.time.Clock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mezzo image}: an agent's image store ({@code WORK_DIR/images}) acted on directly, for machines
 * that cannot reach a registry ({@code import}) and for looking and cleaning up ({@code ls}, {@code rm},
 * {@code gc}, {@code pull}). The store admits one process at a time (its {@code .lock}), so these commands refuse
 * to run while the agent using that work dir runs: stop the agent first. Only groups its subcommands.
 */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Pull, import, list and remove an agent's images.",
    subcommands = {ImageCommand.Pull.class, ImageCommand.Import.class, ImageCommand.Ls.class, ImageCommand.Remove.class,
        ImageCommand.Gc.class})
final class ImageCommand {

  /** The options every subcommand has: which agent's store, and how to reach registries. */
  static final class StoreOptions {
    @Option(names = "--work-dir", defaultValue = "/tmp/mezzo/agent",
        description = "The agent's work directory; images live in WORK_DIR/images (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Mixin
    ImageOptions image;

    ImageStore open() throws CliFailure {
      try {
        return ImageStore.open(workDir.resolve("images"), image.registryOptions(), Clock.systemUTC());
      } catch (IllegalStateException e) {
        throw new CliFailure("the image store " + workDir.resolve("images")
            + " is in use (its .lock is held): stop the agent that uses --work-dir " + workDir + " first"
            + " (to list a running agent's images: mezzo image ls --agent HOST:PORT)");
      } catch (IllegalArgumentException e) {
        throw new CliFailure(2, e.getMessage());
      }
    }
  }

  /** {@code mezzo image pull REF}: pulls into the store (for testing), printing the digest and the time taken. */
  @Command(name = "pull", mixinStandardHelpOptions = true, description = "Pull an image into the agent's store.")
  static final class Pull extends CliCommand {
    @Mixin
    StoreOptions store;

    @Option(names = "--force", description = "Ask the registry even when the store has the image.")
    boolean force;

    @picocli.CommandLine.Parameters(paramLabel = "REF", description = "[REGISTRY/]REPOSITORY[:TAG][@sha256:HEX]")
    String ref;

    @Override
    int run(java.io.PrintWriter out) throws CliFailure, InterruptedException {
      io.mezzo.agent.image.ImageReference r;
      try {
        r = io.mezzo.agent.image.ImageReference.parse(ref);
      } catch (IllegalArgumentException e) {
        throw new CliFailure(2, e.getMessage());
      }
      try (ImageStore s = store.open()) {
        long start = System.nanoTime();
        io.mezzo.agent.image.Image image = s.pull(r, force).join();
        double ms = (System.nanoTime() - start) / 1e6;
        out.printf("pulled %s in %.1f ms%n  rootfs %s%n", image.reference(), ms, image.rootfs());
        return 0;
      } catch (java.util.concurrent.CompletionException e) {
        throw new CliFailure(e.getCause() == null ? e.toString() : e.getCause().getMessage());
      }
    }
  }

  /** {@code mezzo image import FILE}: loads a {@code docker save} or OCI archive. */
  @Command(name = "import", mixinStandardHelpOptions = true,
      description = "Load a `docker save` archive or an OCI image layout archive into the agent's store.")
  static final class Import extends CliCommand {
    @Mixin
    StoreOptions store;

    @picocli.CommandLine.Parameters(paramLabel = "FILE", description = "The archive (tar, or tar.gz).")
    Path file;

    @Override
    int run(java.io.PrintWriter out) throws CliFailure {
      if (!java.nio.file.Files.isRegularFile(file)) {
        throw new CliFailure(2, "FILE: " + file + " (expected: an existing archive file)");
      }
      try (ImageStore s = store.open()) {
        io.mezzo.agent.image.Image image = s.importArchive(file);
        out.printf("imported %s%n  rootfs %s%n", image.reference(), image.rootfs());
        return 0;
      } catch (io.mezzo.agent.image.ImagePullException | java.io.IOException e) {
        throw new CliFailure(file + ": " + e.getMessage());
      }
    }
  }

  /**
   * {@code mezzo image ls}: a table of DIGEST, NAMES, SIZE, LAST USED; {@code --output json} the list.
   * With {@code --agent HOST:PORT}, the running agent's images from its {@code GET /images}, with the
   * tasks using each (the store itself is the agent's while it runs).
   */
  @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the images in the agent's store.")
  static final class Ls extends CliCommand {
    @Mixin
    StoreOptions store;

    @Mixin
    OutputOption output;

    @Option(names = "--agent", paramLabel = "HOST:PORT",
        description = "Ask this running agent (its GET /images) instead of opening --work-dir's store.")
    String agent;

    @Option(names = "--token-file", paramLabel = "FILE",
        description = "With --agent: file holding your secret (default: $MEZZO_TOKEN, else none).")
    Path tokenFile;

    @Option(names = "--tls-ca", paramLabel = "PEM", description = "With --agent: call it over HTTPS, trusting these CAs.")
    Path tlsCa;

    @Mixin
    ClientCertificateOptions clientCertificate = new ClientCertificateOptions();

    @Override
    int run(java.io.PrintWriter out) throws CliFailure, InterruptedException {
      if (agent != null) {
        return fromAgent(out);
      }
      try (ImageStore s = store.open()) {
        return print(out, io.mezzo.core.json.Json.MAPPER.valueToTree(
            s.list().stream().map(io.mezzo.agent.image.ImageInfo::fields).toList()), false);
      }
    }

    private int fromAgent(java.io.PrintWriter out) throws CliFailure, InterruptedException {
      if (!io.mezzo.core.ha.MasterDetector.isHostList(agent) || agent.contains(",")) {
        throw new CliFailure(2, "--agent: '" + agent + "' (expected: HOST:PORT of a running agent, such as 127.0.0.1:5051)");
      }
      io.mezzo.core.http.JsonClient http = new io.mezzo.core.http.JsonClient(java.time.Duration.ofSeconds(2),
          java.time.Duration.ofSeconds(10), MasterOption.caller(tokenFile, tlsCa, clientCertificate));
      io.mezzo.core.http.JsonClient.Reply r;
      try {
        r = http.get(http.uri(agent, "/images")).get();
      } catch (java.util.concurrent.ExecutionException e) {
        Throwable c = e.getCause() == null ? e : e.getCause();
        throw new CliFailure("cannot reach the agent at " + agent + " (" + c.getMessage() + "): is it running?");
      }
      if (r.status() != 200) {
        throw new CliFailure("the agent at " + agent + " answered " + r.status() + " for /images: " + r.body());
      }
      com.fasterxml.jackson.databind.JsonNode images;
      try {
        images = io.mezzo.core.json.Json.MAPPER.readTree(r.body());
      } catch (java.io.IOException e) {
        throw new CliFailure("the agent at " + agent + " answered /images with what is not JSON: " + e.getMessage());
      }
      return print(out, images, true);
    }

    /** The images ({@link io.mezzo.agent.image.ImageInfo#fields}, with {@code tasks} from an agent) as JSON or a table. */
    private int print(java.io.PrintWriter out, com.fasterxml.jackson.databind.JsonNode images, boolean withTasks) {
      if (output.json()) {
        OutputOption.print(out, images);
        return 0;
      }
      Table t = withTasks ? new Table("DIGEST", "NAMES", "SIZE", "LAST USED", "TASKS")
          : new Table("DIGEST", "NAMES", "SIZE", "LAST USED");
      for (com.fasterxml.jackson.databind.JsonNode i : images) {
        java.util.List<String> tags = new java.util.ArrayList<>();
        i.path("references").forEach(n -> {
          if (!n.asText().contains("@")) {
            tags.add(n.asText());
          }
        });
        String digest = i.path("digest").asText();
        java.util.List<String> row = new java.util.ArrayList<>(java.util.List.of(
            digest.length() > 19 ? digest.substring(0, 19) : digest, tags.isEmpty() ? "-" : String.join(",", tags),
            String.format("%.1f MiB", i.path("size_bytes").asLong() / 1048576.0), i.path("last_used").asText()));
        if (withTasks) {
          java.util.List<String> tasks = new java.util.ArrayList<>();
          i.path("tasks").forEach(n -> tasks.add(n.asText()));
          row.add(tasks.isEmpty() ? "-" : String.join(",", tasks));
        }
        t.row(row.toArray(String[]::new));
      }
      t.print(out);
      return 0;
    }
  }

  /** {@code mezzo image rm REF}: removes an image (by name, digest or digest prefix) and what only it used. */
  @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove images from the agent's store.")
  static final class Remove extends CliCommand {
    @Mixin
    StoreOptions store;

    @picocli.CommandLine.Parameters(paramLabel = "REF", arity = "1..*", description = "Names, digests or digest prefixes.")
    java.util.List<String> refs;

    @Override
    int run(java.io.PrintWriter out) throws CliFailure {
      try (ImageStore s = store.open()) {
        for (String r : refs) {
          try {
            s.remove(r);
          } catch (IllegalArgumentException e) {
            throw new CliFailure(e.getMessage());
          }
          out.println("removed " + r);
        }
        return 0;
      }
    }
  }

  /**
   * {@code mezzo image gc}: one collection with {@code --image-gc-max-bytes} and {@code --image-gc-max-age}
   * (at least one required). With the agent stopped no task retains anything, so every image past a
   * threshold goes.
   */
  @Command(name = "gc", mixinStandardHelpOptions = true,
      description = "Remove least recently used images past --image-gc-max-bytes or --image-gc-max-age.")
  static final class Gc extends CliCommand {
    @Mixin
    StoreOptions store;

    @Override
    int run(java.io.PrintWriter out) throws CliFailure {
      if (store.image.gcMaxBytes == null && store.image.gcMaxAge == null) {
        throw new CliFailure(2, "--image-gc-max-bytes, --image-gc-max-age: missing (expected: at least one threshold)");
      }
      try (ImageStore s = store.open()) {
        io.mezzo.agent.image.GcResult r = s.collect();
        r.removedImages().forEach(d -> out.println("removed " + d));
        out.printf("%d image(s), %d layer(s), %d bytes freed%n", r.removedImages().size(), r.removedLayers().size(),
            r.freedBytes());
        return 0;
      }
    }
  }
}
