package io.mezzo.agent.image;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an image's one root directory from its unpacked layers, bottom first, applying whiteouts:
 * {@code .wh.NAME} removes NAME of the layers below, {@code .wh..wh..opq} empties its directory of
 * what the layers below put there. Regular files are hard links to the layer's files (the layers are
 * shared and never written), so a rootfs costs directory entries, not data; symbolic links are made
 * anew; directories take the mode and owner of the topmost layer that has them. Stateless; one call
 * per image, into a fresh directory.
 */
final class RootfsMerger {
  static final String WHITEOUT = ".wh.";
  static final String OPAQUE = ".wh..wh..opq";

  private RootfsMerger() {}

  static void merge(List<Path> layers, Path target) throws IOException {
    Files.createDirectories(target);
    Map<Path, Path> dirs = new LinkedHashMap<>();
    dirs.put(target, null);
    for (Path layer : layers) {
      apply(layer, target, dirs);
      dirs.put(target, layer);
    }
    List<Map.Entry<Path, Path>> order = new ArrayList<>(dirs.entrySet());
    for (int i = order.size() - 1; i >= 0; i--) {
      Path source = order.get(i).getValue();
      if (source != null) {
        copyAttributes(source, order.get(i).getKey());
      }
    }
  }

  private static void apply(Path layerDir, Path target, Map<Path, Path> dirs) throws IOException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(layerDir)) {
      s.forEach(children::add);
    }
    children.sort(null);
    for (Path c : children) { // whiteouts first: they act on the layers below only
      String name = c.getFileName().toString();
      if (name.equals(OPAQUE)) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(target)) {
          for (Path old : s) {
            FileTrees.delete(old);
          }
        }
      }
    }
    for (Path c : children) {
      String name = c.getFileName().toString();
      if (name.startsWith(WHITEOUT) && !name.equals(OPAQUE)) {
        FileTrees.delete(target.resolve(name.substring(WHITEOUT.length())));
      }
    }
    for (Path c : children) {
      String name = c.getFileName().toString();
      if (name.startsWith(WHITEOUT)) {
        continue;
      }
      Path t = target.resolve(name);
      if (Files.isDirectory(c, LinkOption.NOFOLLOW_LINKS)) {
        if (Files.exists(t, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS)) {
          Files.delete(t);
        }
        if (!Files.exists(t, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(t);
        }
        dirs.remove(t);
        dirs.put(t, c);
        apply(c, t, dirs);
      } else {
        FileTrees.delete(t);
        if (Files.isSymbolicLink(c)) {
          Files.createSymbolicLink(t, Files.readSymbolicLink(c));
          if (LayerUnpacker.ROOT) {
            Files.setAttribute(t, "unix:uid", Files.getAttribute(c, "unix:uid", LinkOption.NOFOLLOW_LINKS), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(t, "unix:gid", Files.getAttribute(c, "unix:gid", LinkOption.NOFOLLOW_LINKS), LinkOption.NOFOLLOW_LINKS);
          }
        } else if (Files.isRegularFile(c, LinkOption.NOFOLLOW_LINKS)) {
          try {
            Files.createLink(t, c);
          } catch (IOException | UnsupportedOperationException e) {
            Files.copy(c, t, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
          }
        } else { // device node or fifo (made only as root): cp -a keeps its kind and numbers
          copySpecial(c, t);
        }
      }
    }
  }

  private static void copyAttributes(Path from, Path to) throws IOException {
    if (!Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
      return; // whited out by a later layer
    }
    if (LayerUnpacker.ROOT) { // owner before mode: chown clears setgid
      Files.setAttribute(to, "unix:uid", Files.getAttribute(from, "unix:uid"));
      Files.setAttribute(to, "unix:gid", Files.getAttribute(from, "unix:gid"));
    }
    Files.setAttribute(to, "unix:mode", (Integer) Files.getAttribute(from, "unix:mode") & 07777);
  }

  private static void copySpecial(Path from, Path to) throws IOException {
    try {
      Process p = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IOException("cp -a " + from + " " + to + ": " + out.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted copying " + from, e);
    }
  }
}
