package io.mezzo.agent.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads manifests, indexes and image configs (OCI and Docker schema2), checking the fields the store
 * relies on; anything else is a {@code malformed manifest}. Pure and stateless.
 */
final class Manifests {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Manifests() {}

  /** A content descriptor: what a manifest says about a blob. */
  record Descriptor(String mediaType, String digest, long size) {}

  /** An image manifest: its config blob and its layers, bottom first. */
  record Manifest(Descriptor config, List<Descriptor> layers) {}

  /** An image config: what to run and the diff ids of its layers, bottom first. */
  record Config(ImageConfig config, List<String> diffIds) {}

  static boolean isIndex(String contentType, JsonNode root) {
    String t = contentType == null || contentType.isEmpty() || contentType.equals("application/json")
        ? root.path("mediaType").asText("") : contentType;
    return t.equals(RegistryClient.OCI_INDEX) || t.equals(RegistryClient.DOCKER_LIST)
        || (t.isEmpty() && root.has("manifests") && !root.has("layers"));
  }

  static JsonNode tree(byte[] body, String what) throws ImagePullException {
    try {
      JsonNode n = JSON.readTree(body);
      if (n == null || !n.isObject()) {
        throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ": not a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ": not JSON ("
          + e.getMessage() + ")", e);
    }
  }

  /** The digest of the linux/amd64 manifest an index lists. */
  static String pickPlatform(JsonNode index, String what) throws ImagePullException {
    JsonNode ms = index.path("manifests");
    if (!ms.isArray() || ms.isEmpty()) {
      throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ": index without manifests");
    }
    JsonNode only = ms.size() == 1 && !ms.get(0).has("platform") ? ms.get(0) : null;
    for (JsonNode m : ms) {
      JsonNode p = m.path("platform");
      if (p.path("os").asText().equals("linux") && p.path("architecture").asText().equals("amd64")) {
        return descriptor(m, what + ".manifests").digest();
      }
    }
    if (only != null) {
      return descriptor(only, what + ".manifests").digest();
    }
    throw new ImagePullException(ImagePullException.Kind.UNKNOWN_IMAGE, what + ": the index has no linux/amd64 manifest");
  }

  static Manifest manifest(JsonNode root, String what) throws ImagePullException {
    if (root.path("schemaVersion").asInt() != 2) {
      throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ": schemaVersion "
          + root.path("schemaVersion") + " (expected: 2)");
    }
    Descriptor config = descriptor(root.path("config"), what + ".config");
    JsonNode ls = root.path("layers");
    if (!ls.isArray()) {
      throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ".layers: "
          + (ls.isMissingNode() ? "missing" : ls.toString()) + " (expected: an array of descriptors)");
    }
    List<Descriptor> layers = new ArrayList<>();
    for (int i = 0; i < ls.size(); i++) {
      Descriptor d = descriptor(ls.get(i), what + ".layers[" + i + "]");
      if (d.mediaType().contains("zstd")) {
        throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ".layers[" + i
            + "].mediaType: " + d.mediaType() + " (expected: a tar or tar+gzip layer; zstd is not supported)");
      }
      layers.add(d);
    }
    return new Manifest(config, layers);
  }

  static Descriptor descriptor(JsonNode d, String what) throws ImagePullException {
    String digest = d.path("digest").asText("");
    if (!ImageReference.DIGEST.matcher(digest).matches()) {
      throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ".digest: '" + digest
          + "' (expected: sha256: and 64 lower-case hex digits)");
    }
    return new Descriptor(d.path("mediaType").asText(""), digest, d.path("size").asLong(-1));
  }

  static Config config(byte[] body, String what) throws ImagePullException {
    JsonNode root = tree(body, what);
    JsonNode ids = root.path("rootfs").path("diff_ids");
    if (!ids.isArray()) {
      throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ".rootfs.diff_ids: missing"
          + " (expected: an array of sha256 digests)");
    }
    List<String> diffIds = new ArrayList<>();
    for (JsonNode id : ids) {
      if (!ImageReference.DIGEST.matcher(id.asText()).matches()) {
        throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ".rootfs.diff_ids: '"
            + id.asText() + "' (expected: sha256: and 64 lower-case hex digits)");
      }
      diffIds.add(id.asText());
    }
    JsonNode c = root.path("config");
    return new Config(new ImageConfig(strings(c.path("Entrypoint")), strings(c.path("Cmd")), strings(c.path("Env")),
        c.path("User").asText(""), c.path("WorkingDir").asText("")), diffIds);
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n.isArray()) {
      n.forEach(s -> out.add(s.asText()));
    } else if (n.isTextual()) {
      out.add(n.asText());
    }
    return out;
  }
}
