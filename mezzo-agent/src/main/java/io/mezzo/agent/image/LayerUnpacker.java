package io.mezzo.agent.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks one layer (a tar, gzip-compressed or not) into an empty directory, safely, and computes its
 * diff id (the sha256 of the uncompressed tar) on the way. Refused as {@code unsafe layer}: absolute
 * names, {@code ..} components, writing through a symbolic link the layer made, and hard links to
 * anything but a regular file unpacked earlier from the same layer. Device nodes and fifos are made
 * only when running as root (skipped otherwise); modes are kept, owners only as root. Whiteout files
 * ({@code .wh.NAME}, {@code .wh..wh..opq}) are kept as plain files for {@link RootfsMerger}. Stateless;
 * one call per layer.
 */
final class LayerUnpacker {
  static final boolean ROOT = runningAsRoot();

  private LayerUnpacker() {}

  private static boolean runningAsRoot() {
    try {
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /** The layer's diff id and the bytes of its regular files. */
  record Unpacked(String diffId, long bytes) {}

  static Unpacked unpack(InputStream raw, Path dest, String what) throws IOException, ImagePullException {
    BufferedInputStream in = new BufferedInputStream(raw, 64 * 1024);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    InputStream plain = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in, 64 * 1024) : in;
    if (b0 == 0x28 && b1 == 0xb5) {
      throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ": a zstd layer (expected: tar or tar+gzip)");
    }
    Files.setAttribute(dest, "unix:mode", 0755); // a root directory "./" in the tar overrides it below
    MessageDigest md = Digests.sha256();
    DigestInputStream digesting = new DigestInputStream(plain, md);
    List<Path> dirs = new ArrayList<>();
    List<TarArchiveEntry> dirEntries = new ArrayList<>();
    long bytes = 0;
    TarArchiveInputStream tar = new TarArchiveInputStream(digesting);
    for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
      Path p = safePath(dest, e.getName(), what);
      if (p.equals(dest)) {
        if (e.isDirectory()) { // "./": the mode and owner of the image's root directory
          dirs.add(p);
          dirEntries.add(e);
        }
        continue;
      }
      if (e.isDirectory()) {
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.delete(p);
        }
        Files.createDirectories(p);
        dirs.add(p);
        dirEntries.add(e);
        continue;
      }
      Files.createDirectories(p.getParent());
      replace(p);
      if (e.isSymbolicLink()) {
        Files.createSymbolicLink(p, Path.of(e.getLinkName()));
        owner(p, e);
      } else if (e.isLink()) {
        Path target = safePath(dest, e.getLinkName(), what);
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
          throw new ImagePullException(ImagePullException.Kind.UNSAFE_LAYER, what + ": hard link " + e.getName()
              + " -> " + e.getLinkName() + " (expected: a regular file earlier in the same layer)");
        }
        Files.createLink(p, target);
      } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
        if (ROOT) {
          mknod(p, e);
        }
      } else if (e.isFile()) {
        bytes += Files.copy(tar, p);
        owner(p, e); // before the mode: chown clears setuid and setgid
        mode(p, e);
        Files.setLastModifiedTime(p, FileTime.from(e.getModTime().toInstant()));
      }
    }
    digesting.transferTo(java.io.OutputStream.nullOutputStream()); // the tar's end padding counts in the diff id
    for (int i = dirs.size() - 1; i >= 0; i--) {
      if (!Files.isDirectory(dirs.get(i), LinkOption.NOFOLLOW_LINKS)) {
        continue; // replaced by a later entry
      }
      owner(dirs.get(i), dirEntries.get(i));
      mode(dirs.get(i), dirEntries.get(i));
    }
    return new Unpacked(Digests.of(md), bytes);
  }

  /**
   * {@code name} resolved under {@code root}, refusing absolute names, {@code ..} and any parent that
   * is a symbolic link (which would let a later entry write outside the layer).
   */
  static Path safePath(Path root, String name, String what) throws ImagePullException {
    String n = name;
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    if (n.isEmpty() || n.equals(".") || n.equals("./")) {
      return root;
    }
    if (n.startsWith("/")) {
      throw new ImagePullException(ImagePullException.Kind.UNSAFE_LAYER, what + ": entry '" + name
          + "' is an absolute path (expected: a path relative to the layer's root)");
    }
    for (String c : n.split("/")) {
      if (c.equals("..")) {
        throw new ImagePullException(ImagePullException.Kind.UNSAFE_LAYER, what + ": entry '" + name
            + "' climbs out with .. (expected: a path inside the layer)");
      }
    }
    Path p = root.resolve(n).normalize();
    if (!p.startsWith(root)) {
      throw new ImagePullException(ImagePullException.Kind.UNSAFE_LAYER, what + ": entry '" + name + "' resolves outside the layer");
    }
    for (Path a = p.getParent(); a != null && !a.equals(root); a = a.getParent()) {
      if (Files.isSymbolicLink(a)) {
        throw new ImagePullException(ImagePullException.Kind.UNSAFE_LAYER, what + ": entry '" + name
            + "' goes through the symbolic link " + root.relativize(a) + " (expected: real directories)");
      }
    }
    return p;
  }

  private static void replace(Path p) throws IOException {
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      FileTrees.delete(p);
    } else {
      Files.deleteIfExists(p);
    }
  }

  private static void mode(Path p, TarArchiveEntry e) throws IOException {
    Files.setAttribute(p, "unix:mode", e.getMode() & 07777, LinkOption.NOFOLLOW_LINKS);
  }

  private static void owner(Path p, TarArchiveEntry e) throws IOException {
    if (ROOT) {
      Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
    }
  }

  private static void mknod(Path p, TarArchiveEntry e) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("mknod", "-m", Integer.toOctalString(e.getMode() & 07777), p.toString()));
    if (e.isFIFO()) {
      cmd.add("p");
    } else {
      cmd.addAll(List.of(e.isCharacterDevice() ? "c" : "b", Integer.toString(e.getDevMajor()),
          Integer.toString(e.getDevMinor())));
    }
    try {
      Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(proc.getInputStream().readAllBytes());
      if (proc.waitFor() != 0) {
        throw new IOException(String.join(" ", cmd) + ": " + out.strip());
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted making " + p, ie);
    } catch (FileAlreadyExistsException ignored) {
      // replaced above
    }
  }
}
