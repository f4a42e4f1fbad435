package io.mezzo.agent.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One stored image as its {@code image.json} holds it: names, run config, layers (diff ids, bottom
 * first), the blobs it uses (manifest, config, compressed layers), unpacked size and last use.
 * Immutable; {@code with...} makes changed copies.
 */
record ImageEntry(String digest, Set<String> references, ImageConfig config, List<String> diffIds, List<String> blobs,
    long size, Instant lastUsed) {
  static final ObjectMapper JSON = new ObjectMapper();

  ImageEntry {
    references = Set.copyOf(new TreeSet<>(references));
    diffIds = List.copyOf(diffIds);
    blobs = List.copyOf(blobs);
  }

  ImageEntry withReferences(Set<String> names) {
    return new ImageEntry(digest, names, config, diffIds, blobs, size, lastUsed);
  }

  ImageEntry usedAt(Instant when) {
    return new ImageEntry(digest, references, config, diffIds, blobs, size, when);
  }

  ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("digest", digest);
    new TreeSet<>(references).forEach(o.putArray("references")::add);
    ObjectNode c = o.putObject("config");
    config.entrypoint().forEach(c.putArray("entrypoint")::add);
    config.cmd().forEach(c.putArray("cmd")::add);
    config.env().forEach(c.putArray("env")::add);
    c.put("user", config.user());
    c.put("working_dir", config.workingDir());
    diffIds.forEach(o.putArray("diff_ids")::add);
    blobs.forEach(o.putArray("blobs")::add);
    o.put("size", size);
    o.put("last_used_ms", lastUsed.toEpochMilli());
    return o;
  }

  static ImageEntry fromJson(JsonNode o) {
    JsonNode c = o.path("config");
    return new ImageEntry(o.path("digest").asText(), new TreeSet<>(strings(o.path("references"))),
        new ImageConfig(strings(c.path("entrypoint")), strings(c.path("cmd")), strings(c.path("env")),
            c.path("user").asText(""), c.path("working_dir").asText("")),
        strings(o.path("diff_ids")), strings(o.path("blobs")), o.path("size").asLong(),
        Instant.ofEpochMilli(o.path("last_used_ms").asLong()));
  }

  private static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    if (a instanceof ArrayNode) {
      a.forEach(n -> out.add(n.asText()));
    }
    return out;
  }
}
