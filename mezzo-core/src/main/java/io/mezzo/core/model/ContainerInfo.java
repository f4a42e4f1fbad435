package io.mezzo.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The container a task asks for, read from {@link TaskInfo#container()} (kept there as JSON, so that the
 * Mesos JSON and protobuf mappings carry it unchanged). Two Mesos shapes name an image, and Mezzo runs
 * both on its own OCI runtime: {@code {"type":"MESOS","mesos":{"image":{"type":"DOCKER","docker":{"name":N},
 * "cached":C}}}} (force pull = {@code !cached}) and {@code {"type":"DOCKER","docker":{"image":N,
 * "force_pull_image":F}}}. {@code volumes} are {@code {container_path, host_path, mode: RW|RO}}; a
 * relative {@code host_path} is relative to the sandbox. Field names are read in snake_case and, as
 * protobuf's JSON mapping writes them, camelCase.
 *
 * <p>Immutable; {@link #parse} is pure and its errors name the field, the value and what was expected.
 */
public record ContainerInfo(String type, String image, boolean forcePull, List<Volume> volumes) {

  /** A bind mount of {@code hostPath} (absolute, or relative to the sandbox) at {@code containerPath}. */
  public record Volume(String containerPath, String hostPath, boolean readOnly) {}

  public ContainerInfo {
    volumes = List.copyOf(volumes);
  }

  /**
   * The container of {@code container} (a task's {@code container} field), or empty when it is absent.
   *
   * @throws IllegalArgumentException naming the field when the shape is not one Mezzo runs
   */
  public static Optional<ContainerInfo> parse(JsonNode container) {
    if (container == null || container.isNull() || container.isMissingNode()) {
      return Optional.empty();
    }
    if (!container.isObject()) {
      throw new IllegalArgumentException("container: " + container + " (expected: an object)");
    }
    String type = text(container, "type", "container.type");
    if (type == null) {
      type = "MESOS";
    }
    String image;
    boolean force;
    switch (type) {
      case "MESOS" -> {
        JsonNode img = field(container.path("mesos"), "image");
        if (img.isMissingNode() || img.isNull()) {
          throw new IllegalArgumentException(
              "container.mesos.image: missing (expected: {\"type\":\"DOCKER\",\"docker\":{\"name\":...}})");
        }
        String imageType = text(img, "type", "container.mesos.image.type");
        if (imageType != null && !imageType.equals("DOCKER")) {
          throw new IllegalArgumentException("container.mesos.image.type: '" + imageType + "' (expected: DOCKER)");
        }
        image = text(field(img, "docker"), "name", "container.mesos.image.docker.name");
        JsonNode cached = field(img, "cached");
        force = cached.isBoolean() && !cached.asBoolean();
        if (image == null) {
          throw new IllegalArgumentException("container.mesos.image.docker.name: missing (expected: an image such as busybox:1.36)");
        }
      }
      case "DOCKER" -> {
        JsonNode docker = field(container, "docker");
        image = text(docker, "image", "container.docker.image");
        if (image == null) {
          throw new IllegalArgumentException("container.docker.image: missing (expected: an image such as busybox:1.36)");
        }
        JsonNode fp = field(docker, "force_pull_image", "forcePullImage");
        force = fp.isBoolean() && fp.asBoolean();
      }
      default -> throw new IllegalArgumentException("container.type: '" + type + "' (expected: MESOS or DOCKER)");
    }
    if (image.isBlank() || image.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("container image: '" + image + "' (expected: a name without spaces)");
    }
    List<Volume> volumes = new ArrayList<>();
    JsonNode vs = field(container, "volumes");
    if (!vs.isMissingNode() && !vs.isNull()) {
      if (!vs.isArray()) {
        throw new IllegalArgumentException("container.volumes: " + vs + " (expected: an array)");
      }
      for (int i = 0; i < vs.size(); i++) {
        JsonNode v = vs.get(i);
        String where = "container.volumes[" + i + "]";
        String cp = text(v, "container_path", where + ".container_path", "containerPath");
        String hp = text(v, "host_path", where + ".host_path", "hostPath");
        String mode = text(v, "mode", where + ".mode");
        if (cp == null || !cp.startsWith("/") || cp.contains("..")) {
          throw new IllegalArgumentException(where + ".container_path: " + cp + " (expected: an absolute path without ..)");
        }
        if (hp == null || hp.isBlank() || (!hp.startsWith("/") && hp.contains(".."))) {
          throw new IllegalArgumentException(where + ".host_path: " + hp
              + " (expected: an absolute path, or one inside the sandbox)");
        }
        if (mode != null && !mode.equals("RW") && !mode.equals("RO")) {
          throw new IllegalArgumentException(where + ".mode: '" + mode + "' (expected: RW or RO)");
        }
        volumes.add(new Volume(cp, hp, "RO".equals(mode)));
      }
    }
    return Optional.of(new ContainerInfo(type, image, force, volumes));
  }

  private static JsonNode field(JsonNode node, String... names) {
    for (String n : names) {
      JsonNode v = node.path(n);
      if (!v.isMissingNode()) {
        return v;
      }
    }
    return node.path(names[0]);
  }

  private static String text(JsonNode node, String name, String where, String... aliases) {
    JsonNode v = node.path(name);
    for (int i = 0; v.isMissingNode() && i < aliases.length; i++) {
      v = node.path(aliases[i]);
    }
    if (v.isMissingNode() || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(where + ": " + v + " (expected: a string)");
    }
    return v.asText();
  }
}
