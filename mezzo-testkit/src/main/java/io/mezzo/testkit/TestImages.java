package io.mezzo.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Small Docker/OCI images made during a test: layers written as tars ({@link #layer()}), the busybox
 * layer ({@link #busyboxLayer()}: Debian's static {@code /bin/busybox} with {@code sh}, {@code echo},
 * {@code cat}, {@code ls}, {@code sleep}, {@code httpd} links), an image config with entrypoint, cmd and
 * env, pushed to a {@link LocalRegistry} as a Docker schema2 manifest, an OCI manifest or an OCI index
 * ({@link #push}), or written as an OCI image layout archive for {@code mezzo image import}
 * ({@link #writeOciArchive}), no registry needed. Stateless.
 */
public final class TestImages {
  public static final Path BUSYBOX = Path.of("/bin/busybox");
  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final java.nio.file.attribute.FileTime MTIME = java.nio.file.attribute.FileTime.fromMillis(1_700_000_000_000L);

  private static final List<String> BUSYBOX_ENTRYPOINT = List.of("/bin/sh", "-c");
  private static final List<String> BUSYBOX_CMD = List.of("echo hello");
  private static final List<String> BUSYBOX_ENV = List.of("PATH=/bin", "GREETING=hello");

  private TestImages() {}

  /** How a pushed image's manifest is written. */
  public enum Format { DOCKER, OCI, OCI_INDEX }

  /** What {@link #push} put in the registry. */
  public record Pushed(String reference, String manifestDigest, String indexDigest, String configDigest,
      List<String> layerDigests, List<String> diffIds) {}

  /** A layer tar under construction. */
  public static final class Layer {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

    private Layer() {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    public Layer dir(String name) {
      TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
      e.setMode(040755);
      return put(e, null);
    }

    public Layer file(String name, byte[] content, int mode) {
      TarArchiveEntry e = new TarArchiveEntry(name);
      e.setMode(0100000 | mode);
      e.setSize(content.length);
      return put(e, content);
    }

    public Layer file(String name, String content) {
      return file(name, content.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0644);
    }

    public Layer symlink(String name, String target) {
      TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
      e.setLinkName(target);
      e.setMode(0120777);
      return put(e, null);
    }

    public Layer hardlink(String name, String target) {
      TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
      e.setLinkName(target);
      return put(e, null);
    }

    /** A file owned by {@code uid}:{@code gid} with {@code mode} (setuid and sticky bits included). */
    public Layer ownedFile(String name, String content, int mode, int uid, int gid) {
      byte[] c = content.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      TarArchiveEntry e = new TarArchiveEntry(name);
      e.setMode(0100000 | mode);
      e.setSize(c.length);
      e.setUserId(uid);
      e.setGroupId(gid);
      return put(e, c);
    }

    /** A named pipe (made only when unpacking as root). */
    public Layer fifo(String name) {
      TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_FIFO);
      e.setMode(010644);
      return put(e, null);
    }

    /** The archive's own root directory entry {@code ./} with {@code mode}. */
    public Layer root(int mode) {
      TarArchiveEntry e = new TarArchiveEntry("./");
      e.setMode(040000 | mode);
      return put(e, null);
    }

    /** An entry whose name is written as given (absolute, with {@code ..}): for refusal tests. */
    public Layer rawFile(String name, String content) {
      byte[] c = content.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      TarArchiveEntry e = new TarArchiveEntry(name, true);
      e.setMode(0100644);
      e.setSize(c.length);
      return put(e, c);
    }

    private Layer put(TarArchiveEntry e, byte[] content) {
      e.setModTime(MTIME); // a fixed time: the same entries make the same tar, so layers are shared by digest
      try {
        tar.putArchiveEntry(e);
        if (content != null) {
          tar.write(content);
        }
        tar.closeArchiveEntry();
        return this;
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }

    /** The uncompressed tar. */
    public byte[] tar() {
      try {
        tar.finish();
        tar.close();
        return bytes.toByteArray();
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
  }

  public static Layer layer() {
    return new Layer();
  }

  /** bin/busybox and its applet links, etc/passwd, tmp/: enough for {@code sh -c} and {@code httpd}. */
  public static byte[] busyboxLayer() throws IOException {
    Layer l = layer().dir("bin").file("bin/busybox", Files.readAllBytes(BUSYBOX), 0755);
    for (String applet : List.of("sh", "echo", "cat", "ls", "sleep", "httpd", "env", "id", "pwd", "true", "false", "wget")) {
      l.symlink("bin/" + applet, "busybox");
    }
    return l.dir("etc").file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
        .dir("tmp").dir("root").tar();
  }

  public static byte[] gzip(byte[] tar) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(tar);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * An image made in memory, before it goes anywhere: its config, its layers gzip-compressed (bottom
   * first) and its manifest, each with its digest.
   */
  public record Built(byte[] config, String configDigest, List<byte[]> layerBlobs, List<String> layerDigests,
      List<String> diffIds, byte[] manifest, String manifestDigest, String manifestMediaType) {}

  /**
   * Makes the image of {@code layers} (uncompressed tars, bottom first; stored gzip-compressed), its
   * config carrying {@code entrypoint}, {@code cmd} and {@code env}, with an OCI manifest when
   * {@code oci}, else a Docker schema2 one.
   */
  public static Built build(List<byte[]> layers, List<String> entrypoint, List<String> cmd, List<String> env,
      boolean oci) throws IOException {
    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", "amd64");
    config.put("os", "linux");
    ObjectNode c = config.putObject("config");
    entrypoint.forEach(c.putArray("Entrypoint")::add);
    cmd.forEach(c.putArray("Cmd")::add);
    env.forEach(c.putArray("Env")::add);
    c.put("WorkingDir", "/");
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    ArrayNode ids = rootfs.putArray("diff_ids");
    List<String> diffIds = new ArrayList<>();
    List<String> layerDigests = new ArrayList<>();
    List<byte[]> blobs = new ArrayList<>();
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", oci ? OCI_MANIFEST : DOCKER_MANIFEST);
    ArrayNode ls = JSON.createArrayNode();
    for (byte[] tar : layers) {
      diffIds.add(sha256(tar));
      ids.add(sha256(tar));
      byte[] gz = gzip(tar);
      String d = sha256(gz);
      blobs.add(gz);
      layerDigests.add(d);
      ObjectNode o = ls.addObject();
      o.put("mediaType", oci ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.docker.image.rootfs.diff.tar.gzip");
      o.put("size", gz.length);
      o.put("digest", d);
    }
    byte[] configBytes = JSON.writeValueAsBytes(config);
    String configDigest = sha256(configBytes);
    ObjectNode cd = manifest.putObject("config");
    cd.put("mediaType", oci ? "application/vnd.oci.image.config.v1+json" : "application/vnd.docker.container.image.v1+json");
    cd.put("size", configBytes.length);
    cd.put("digest", configDigest);
    manifest.set("layers", ls);
    byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
    return new Built(configBytes, configDigest, List.copyOf(blobs), List.copyOf(layerDigests), List.copyOf(diffIds),
        manifestBytes, sha256(manifestBytes), oci ? OCI_MANIFEST : DOCKER_MANIFEST);
  }

  /**
   * Pushes an image of {@code layers} (uncompressed tars, bottom first; sent gzip-compressed) to
   * {@code registry} as {@code repository:tag}, its config carrying {@code entrypoint}, {@code cmd} and
   * {@code env}.
   */
  public static Pushed push(LocalRegistry registry, String repository, String tag, List<byte[]> layers,
      List<String> entrypoint, List<String> cmd, List<String> env, Format format) throws IOException {
    Built b = build(layers, entrypoint, cmd, env, format != Format.DOCKER);
    for (byte[] gz : b.layerBlobs()) {
      registry.pushBlob(repository, gz);
    }
    registry.pushBlob(repository, b.config());
    byte[] manifestBytes = b.manifest();
    String manifestDigest = b.manifestDigest();
    String indexDigest = null;
    if (format == Format.OCI_INDEX) {
      registry.putManifest(repository, manifestDigest, OCI_MANIFEST, manifestBytes);
      ObjectNode index = JSON.createObjectNode();
      index.put("schemaVersion", 2);
      index.put("mediaType", OCI_INDEX);
      ArrayNode ms = index.putArray("manifests");
      ObjectNode arm = ms.addObject(); // another platform listed first: the store must pick linux/amd64
      arm.put("mediaType", OCI_MANIFEST);
      arm.put("size", manifestBytes.length);
      arm.put("digest", manifestDigest);
      arm.putObject("platform").put("architecture", "arm64").put("os", "linux");
      ObjectNode amd = ms.addObject();
      amd.put("mediaType", OCI_MANIFEST);
      amd.put("size", manifestBytes.length);
      amd.put("digest", manifestDigest);
      amd.putObject("platform").put("architecture", "amd64").put("os", "linux");
      indexDigest = registry.putManifest(repository, tag, OCI_INDEX, JSON.writeValueAsBytes(index));
    } else {
      registry.putManifest(repository, tag, b.manifestMediaType(), manifestBytes);
    }
    return new Pushed(registry.hostPort() + "/" + repository + ":" + tag, manifestDigest, indexDigest, b.configDigest(),
        b.layerDigests(), b.diffIds());
  }

  /** The busybox image (entrypoint {@code /bin/sh -c}, cmd {@code echo hello}) as {@code repository:tag}. */
  public static Pushed pushBusybox(LocalRegistry registry, String repository, String tag) throws IOException {
    return push(registry, repository, tag, List.of(busyboxLayer()), BUSYBOX_ENTRYPOINT, BUSYBOX_CMD, BUSYBOX_ENV,
        Format.DOCKER);
  }

  /**
   * The busybox image with one more layer holding {@code /marker} (its content {@code marker} and a
   * newline), as {@code repository:tag}: pushing another marker under the same tag changes the image the
   * tag names, for tests of cached and forced pulls.
   */
  public static Pushed pushBusybox(LocalRegistry registry, String repository, String tag, String marker)
      throws IOException {
    return push(registry, repository, tag, List.of(busyboxLayer(), layer().file("marker", marker + "\n").tar()),
        BUSYBOX_ENTRYPOINT, BUSYBOX_CMD, BUSYBOX_ENV, Format.DOCKER);
  }

  /**
   * Writes the busybox image as an OCI image layout archive ({@code oci-layout}, {@code index.json},
   * {@code blobs/sha256/HEX}, an uncompressed tar, as {@code skopeo copy ... oci-archive:FILE:REF} makes)
   * whose one manifest is named {@code refName} (annotations {@code io.containerd.image.name} and
   * {@code org.opencontainers.image.ref.name}). No registry is involved. Returns the image as built.
   */
  public static Built writeOciArchive(Path file, String refName) throws IOException {
    Built b = build(List.of(busyboxLayer()), BUSYBOX_ENTRYPOINT, BUSYBOX_CMD, BUSYBOX_ENV, true);
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", OCI_INDEX);
    ObjectNode m = index.putArray("manifests").addObject();
    m.put("mediaType", OCI_MANIFEST);
    m.put("digest", b.manifestDigest());
    m.put("size", b.manifest().length);
    ObjectNode annotations = m.putObject("annotations");
    annotations.put("io.containerd.image.name", refName);
    annotations.put("org.opencontainers.image.ref.name", refName);
    Layer archive = layer().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
        .file("index.json", JSON.writeValueAsBytes(index), 0644)
        .dir("blobs").dir("blobs/sha256");
    archive.file(blobPath(b.manifestDigest()), b.manifest(), 0644);
    archive.file(blobPath(b.configDigest()), b.config(), 0644);
    for (int i = 0; i < b.layerBlobs().size(); i++) {
      archive.file(blobPath(b.layerDigests().get(i)), b.layerBlobs().get(i), 0644);
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, archive.tar());
    return b;
  }

  private static String blobPath(String digest) {
    return "blobs/sha256/" + digest.substring("sha256:".length());
  }

  public static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The tar inside a gzip blob. */
  public static byte[] gunzip(byte[] gz) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }
}
