package io.mezzo.services.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An app's {@code container} in Marathon's shape: {@code type} DOCKER or MESOS (both run the image on the
 * agent's OCI runtime), {@code docker.image} and {@code docker.forcePullImage}, {@code volumes} (bind
 * mounts: {@code hostPath} absolute or relative to the sandbox, {@code mode} RW or RO) and
 * {@code portMappings}. Containers share the host's network, so a port mapping is a host port: its
 * {@code containerPort} must be 0 or its {@code hostPort}, and an app without {@code portDefinitions}
 * gets one port definition per mapping ({@code PORT0..n} as for any app). Immutable; {@link #read} is pure.
 */
public record AppContainer(String type, Docker docker, List<Volume> volumes, List<PortMapping> portMappings) {

  /** {@code docker}: the image, and whether to pull it again on every launch. */
  public record Docker(String image, boolean forcePullImage, String network) {}

  /** A bind mount. */
  public record Volume(String containerPath, String hostPath, String mode) {}

  /** A port of the container, which is a host port (host networking). */
  public record PortMapping(int containerPort, int hostPort, String protocol, String name) {}

  public AppContainer {
    volumes = List.copyOf(volumes);
    portMappings = List.copyOf(portMappings);
  }

  private static final Set<String> FIELDS = Set.of("type", "docker", "volumes", "portMappings");
  private static final Set<String> DOCKER_FIELDS = Set.of("image", "forcePullImage", "network", "privileged",
      "parameters", "portMappings");

  /** The container of {@code node} (null when absent), each problem added to {@code e} under its field. */
  static AppContainer read(JsonNode node, Errors e) {
    if (Errors.absent(node)) {
      return null;
    }
    if (!node.isObject()) {
      e.add("/container", "container: " + node + " (expected: an object with docker.image)");
      return null;
    }
    node.fieldNames().forEachRemaining(f -> {
      if (!FIELDS.contains(f)) {
        e.add("/container/" + f, "container." + f + ": not supported by Mezzo (expected: one of " + FIELDS + ")");
      }
    });
    String type = e.text(node.get("type"), "/container/type", "DOCKER");
    if (type != null && !type.equals("DOCKER") && !type.equals("MESOS")) {
      e.add("/container/type", "container.type: \"" + type + "\" (expected: DOCKER or MESOS)");
    }
    JsonNode d = node.get("docker");
    String image = null;
    boolean force = false;
    String network = null;
    List<PortMapping> mappings = new ArrayList<>();
    if (Errors.absent(d) || !d.isObject()) {
      e.add("/container/docker", "container.docker: " + d + " (expected: an object with image)");
    } else {
      d.fieldNames().forEachRemaining(f -> {
        if (!DOCKER_FIELDS.contains(f)) {
          e.add("/container/docker/" + f, "container.docker." + f + ": not supported by Mezzo (expected: one of "
              + DOCKER_FIELDS + ")");
        }
      });
      image = e.text(d.get("image"), "/container/docker/image", null);
      if (image == null || image.isBlank() || image.chars().anyMatch(Character::isWhitespace)) {
        e.add("/container/docker/image", "container.docker.image: " + (image == null ? "missing" : "\"" + image + "\"")
            + " (expected: an image such as registry:5000/team/web:1.2)");
      }
      force = e.bool(d.get("forcePullImage"), "/container/docker/forcePullImage", false);
      network = e.text(d.get("network"), "/container/docker/network", null);
      if (network != null && !network.equals("HOST")) {
        e.add("/container/docker/network", "container.docker.network: \"" + network
            + "\" (expected: HOST; Mezzo's containers share the host's network)");
      }
      if (e.bool(d.get("privileged"), "/container/docker/privileged", false)) {
        e.add("/container/docker/privileged", "container.docker.privileged: true (expected: false)");
      }
      JsonNode params = d.get("parameters");
      if (!Errors.absent(params) && !(params.isArray() && params.isEmpty())) {
        e.add("/container/docker/parameters", "container.docker.parameters: not supported by Mezzo (expected: absent or [])");
      }
      mappings.addAll(portMappings(d.get("portMappings"), "/container/docker/portMappings", e));
    }
    List<Volume> volumes = new ArrayList<>();
    List<JsonNode> vs = e.array(node.get("volumes"), "/container/volumes");
    for (int i = 0; i < vs.size(); i++) {
      String p = "/container/volumes/" + i;
      JsonNode v = vs.get(i);
      String cp = e.text(v.get("containerPath"), p + "/containerPath", null);
      String hp = e.text(v.get("hostPath"), p + "/hostPath", null);
      String mode = e.text(v.get("mode"), p + "/mode", "RW");
      if (!Errors.absent(v.get("persistent")) || !Errors.absent(v.get("external"))) {
        e.add(p, "container.volumes/" + i + ": persistent and external volumes are not supported by Mezzo"
            + " (expected: containerPath, hostPath, mode)");
      }
      if (cp == null || !cp.startsWith("/") || cp.contains("..")) {
        e.add(p + "/containerPath", "container.volumes/" + i + "/containerPath: " + cp
            + " (expected: an absolute path without ..)");
      }
      if (hp == null || hp.isBlank() || (!hp.startsWith("/") && hp.contains(".."))) {
        e.add(p + "/hostPath", "container.volumes/" + i + "/hostPath: " + hp
            + " (expected: an absolute path, or a path inside the sandbox)");
      }
      if (mode != null && !mode.equals("RW") && !mode.equals("RO")) {
        e.add(p + "/mode", "container.volumes/" + i + "/mode: \"" + mode + "\" (expected: RW or RO)");
      }
      volumes.add(new Volume(cp, hp, mode));
    }
    mappings.addAll(portMappings(node.get("portMappings"), "/container/portMappings", e));
    return new AppContainer(type, new Docker(image, force, network), volumes, mappings);
  }

  private static List<PortMapping> portMappings(JsonNode node, String path, Errors e) {
    List<PortMapping> out = new ArrayList<>();
    List<JsonNode> items = e.array(node, path);
    for (int i = 0; i < items.size(); i++) {
      JsonNode m = items.get(i);
      String p = path + "/" + i;
      int host = e.integer(m.get("hostPort"), p + "/hostPort", 0, 0);
      int container = e.integer(m.get("containerPort"), p + "/containerPort", 0, 0);
      if (container != 0 && container != host) {
        e.add(p + "/containerPort", "containerPort: " + container + " (expected: 0 or the hostPort " + host
            + "; containers share the host's network, so they listen on their PORT" + i + ")");
      }
      out.add(new PortMapping(container, host, e.text(m.get("protocol"), p + "/protocol", "tcp"),
          e.text(m.get("name"), p + "/name", null)));
    }
    return out;
  }

  /** The port definitions of an app that gives none: one per mapping, its host port (0: any). */
  List<PortDefinition> portDefinitions() {
    List<PortDefinition> out = new ArrayList<>();
    portMappings.forEach(m -> out.add(new PortDefinition(m.hostPort(), m.protocol(), m.name(), java.util.Map.of())));
    return out;
  }
}
