package io.mezzo.agent.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads an image archive unpacked into a work directory: {@code docker save} ({@code manifest.json}
 * listing a config and layer tars, for which an OCI manifest is written here so the image gets a
 * manifest digest like a pulled one) or an OCI image layout ({@code oci-layout}, {@code index.json},
 * {@code blobs/sha256/}). Stateless; the store verifies every blob it takes.
 */
final class ArchiveImport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ArchiveImport() {}

  /** The manifest to install, its digest, its name if the archive gives one, and where each blob is. */
  record Loaded(byte[] manifest, String manifestDigest, ImageReference reference, Map<String, Path> blobs) {}

  static Loaded load(Path archive, Path work) throws IOException, ImagePullException {
    extract(archive, work);
    String what = archive.toString();
    if (Files.isRegularFile(work.resolve("index.json")) && Files.isRegularFile(work.resolve("oci-layout"))) {
      return oci(work, what);
    }
    if (Files.isRegularFile(work.resolve("manifest.json"))) {
      return dockerSave(work, what);
    }
    throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what
        + ": neither a docker save archive (manifest.json) nor an OCI layout (oci-layout, index.json)");
  }

  private static Loaded oci(Path work, String what) throws IOException, ImagePullException {
    Map<String, Path> blobs = new HashMap<>();
    Path dir = work.resolve("blobs/sha256");
    if (Files.isDirectory(dir)) {
      try (var s = Files.list(dir)) {
        s.forEach(p -> blobs.put("sha256:" + p.getFileName(), p));
      }
    }
    JsonNode index = Manifests.tree(Files.readAllBytes(work.resolve("index.json")), what + " index.json");
    JsonNode ms = index.path("manifests");
    if (!ms.isArray() || ms.isEmpty()) {
      throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ": index.json lists no manifests");
    }
    JsonNode d = ms.get(0);
    ImageReference ref = name(d.path("annotations"));
    String digest = Manifests.descriptor(d, what + " index.json.manifests[0]").digest();
    byte[] body = blob(blobs, digest, what);
    JsonNode root = Manifests.tree(body, what + " " + digest);
    if (Manifests.isIndex(d.path("mediaType").asText(""), root)) {
      digest = Manifests.pickPlatform(root, what + " " + digest);
      body = blob(blobs, digest, what);
    }
    return new Loaded(body, digest, ref, blobs);
  }

  private static ImageReference name(JsonNode annotations) {
    for (String key : new String[] {"io.containerd.image.name", "org.opencontainers.image.ref.name"}) {
      String n = annotations.path(key).asText("");
      if (n.contains("/") || n.contains(".")) {
        try {
          return ImageReference.parse(n);
        } catch (IllegalArgumentException e) {
          // a bare tag or something else: no name
        }
      }
    }
    return null;
  }

  private static byte[] blob(Map<String, Path> blobs, String digest, String what) throws IOException, ImagePullException {
    Path p = blobs.get(digest);
    if (p == null) {
      throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ": no blob " + digest);
    }
    byte[] b = Files.readAllBytes(p);
    if (!Digests.of(b).equals(digest)) {
      throw new ImagePullException(ImagePullException.Kind.DIGEST_MISMATCH, what + ": blob " + digest + " hashes to " + Digests.of(b));
    }
    return b;
  }

  private static Loaded dockerSave(Path work, String what) throws IOException, ImagePullException {
    JsonNode list;
    try {
      list = JSON.readTree(work.resolve("manifest.json").toFile());
    } catch (IOException e) {
      throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ": manifest.json is not JSON", e);
    }
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ": manifest.json lists no image");
    }
    JsonNode entry = list.get(0);
    Map<String, Path> blobs = new HashMap<>();
    Path config = LayerUnpacker.safePath(work, entry.path("Config").asText(""), what);
    if (!Files.isRegularFile(config)) {
      throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ": Config '"
          + entry.path("Config").asText() + "' is not in the archive");
    }
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", RegistryClient.OCI_MANIFEST);
    ObjectNode c = manifest.putObject("config");
    c.put("mediaType", "application/vnd.oci.image.config.v1+json");
    String configDigest = digest(config);
    c.put("digest", configDigest);
    c.put("size", Files.size(config));
    blobs.put(configDigest, config);
    var layers = manifest.putArray("layers");
    for (JsonNode l : entry.path("Layers")) {
      Path p = LayerUnpacker.safePath(work, l.asText(), what);
      if (!Files.isRegularFile(p)) {
        throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ": layer '" + l.asText()
            + "' is not in the archive");
      }
      String d = digest(p);
      blobs.put(d, p);
      ObjectNode o = layers.addObject();
      o.put("mediaType", gzip(p) ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.oci.image.layer.v1.tar");
      o.put("digest", d);
      o.put("size", Files.size(p));
    }
    ImageReference ref = null;
    if (entry.path("RepoTags").isArray() && !entry.path("RepoTags").isEmpty()) {
      try {
        ref = ImageReference.parse(entry.path("RepoTags").get(0).asText());
      } catch (IllegalArgumentException e) {
        ref = null;
      }
    }
    byte[] body = JSON.writeValueAsBytes(manifest);
    return new Loaded(body, Digests.of(body), ref, blobs);
  }

  private static boolean gzip(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      return in.read() == 0x1f && in.read() == 0x8b;
    }
  }

  private static String digest(Path p) throws IOException {
    MessageDigest md = Digests.sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(p), md)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return Digests.of(md);
  }

  /** Unpacks the archive's regular files and directories (no links, no escapes) into {@code work}. */
  private static void extract(Path archive, Path work) throws IOException, ImagePullException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive))) {
      raw.mark(2);
      boolean gz = raw.read() == 0x1f && raw.read() == 0x8b;
      raw.reset();
      TarArchiveInputStream tar = new TarArchiveInputStream(gz ? new GZIPInputStream(raw) : raw);
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        Path p = LayerUnpacker.safePath(work, e.getName(), archive.toString());
        if (e.isDirectory()) {
          Files.createDirectories(p);
        } else if (e.isFile()) {
          Files.createDirectories(p.getParent());
          Files.copy(tar, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } else if (e.isSymbolicLink()) {
          // docker save links identical layers; resolve to the target file inside the archive
          Path target = LayerUnpacker.safePath(work, p.getParent() == null ? e.getLinkName()
              : work.relativize(p.getParent()).resolve(e.getLinkName()).normalize().toString(), archive.toString());
          if (Files.isRegularFile(target)) {
            Files.createDirectories(p.getParent());
            Files.copy(target, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("tar")) {
        throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, archive + ": not a tar archive (" + e.getMessage() + ")", e);
      }
      throw e;
    }
  }
}
