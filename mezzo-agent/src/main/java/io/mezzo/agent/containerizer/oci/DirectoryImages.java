package io.mezzo.agent.containerizer.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Images already unpacked in a directory, for machines without an image store and for tests: image
 * {@code NAME} is {@code <dir>/<NAME with '/' and ':' as '_'>/rootfs}, with its config (all optional) in
 * {@code image.json} beside it: {@code {"entrypoint":[..],"cmd":[..],"env":["K=V"],"user":"..",
 * "working_dir":".."}}. Its digest is its name. Stateless; pulls are synchronous reads.
 */
public final class DirectoryImages implements ImageSource {
  private final Path dir;

  public DirectoryImages(Path dir) {
    this.dir = dir;
  }

  /** The directory image {@code name} lives in. */
  public static Path imageDir(Path dir, String name) {
    return dir.resolve(name.replace('/', '_').replace(':', '_'));
  }

  @Override
  public CompletableFuture<OciImage> pull(String image, boolean forcePull) {
    Path d = imageDir(dir, image);
    if (!Files.isDirectory(d.resolve("rootfs"))) {
      return CompletableFuture.failedFuture(new IOException("image '" + image + "': not found (expected: "
          + d.resolve("rootfs") + " to exist)"));
    }
    try {
      JsonNode c = Files.exists(d.resolve("image.json"))
          ? Json.MAPPER.readTree(d.resolve("image.json").toFile()) : Json.MAPPER.createObjectNode();
      return CompletableFuture.completedFuture(new OciImage(image, d.resolve("rootfs"), list(c.path("entrypoint")),
          list(c.path("cmd")), list(c.path("env")), c.path("user").asText(null), c.path("working_dir").asText(null)));
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(new IOException("image '" + image + "': malformed "
          + d.resolve("image.json") + ": " + e.getMessage(), e));
    }
  }

  private static List<String> list(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.forEach(e -> out.add(e.asText()));
    return out;
  }
}
