package io.mezzo.agent.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the store knows about its images: the entries ({@code images/HEX/image.json}), the names
 * ({@code refs.json}: {@code REGISTRY/REPO:TAG} and {@code REGISTRY/REPO@DIGEST} to manifest digest) and,
 * in memory only, who retains each image. Every change is written at once (tmp file + rename).
 *
 * <p>Thread-safe: every method holds this object's monitor; none does network I/O.
 */
final class ImageIndex {
  private final Path imagesDir;
  private final Path tmp;
  private final Path refsFile;
  private final Clock clock;
  private final Map<String, ImageEntry> images = new HashMap<>();
  private final Map<String, String> refs = new TreeMap<>();
  private final Map<String, Set<String>> users = new HashMap<>();

  ImageIndex(Path storeDir, Path tmp, Clock clock) {
    this.imagesDir = storeDir.resolve("images");
    this.tmp = tmp;
    this.refsFile = storeDir.resolve("refs.json");
    this.clock = clock;
  }

  /** Reads every image.json (deleting image directories without one) and refs.json. */
  synchronized void load() throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(imagesDir)) {
      for (Path p : s) {
        Path meta = p.resolve("image.json");
        if (!Files.isRegularFile(meta)) {
          FileTrees.delete(p);
          continue;
        }
        ImageEntry e = ImageEntry.fromJson(ImageEntry.JSON.readTree(meta.toFile()));
        images.put(e.digest(), e);
      }
    }
    if (Files.isRegularFile(refsFile)) {
      ImageEntry.JSON.readTree(refsFile.toFile()).fields().forEachRemaining(f -> {
        if (images.containsKey(f.getValue().asText())) {
          refs.put(f.getKey(), f.getValue().asText());
        }
      });
    }
  }

  Path imageDir(String digest) {
    return imagesDir.resolve(Digests.hex(digest));
  }

  /** The image {@code ref} names (by digest, an index digest pulled before, or name), marked used now; or null. */
  synchronized ImageEntry lookup(ImageReference ref) {
    String digest = ref.digest() != null ? ref.digest() : refs.get(ref.toString());
    if ((digest == null || !images.containsKey(digest)) && ref.digest() != null) {
      digest = refs.get(ref.name() + "@" + ref.digest());
    }
    if (digest == null || !images.containsKey(digest)) {
      return null;
    }
    return touch(digest);
  }

  /**
   * Adds {@code names} to the image in {@code imageDir} (reading its image.json if it is new here),
   * taking each name from the image that had it, and marks it used now.
   */
  synchronized ImageEntry publish(String digest, Set<String> names) throws IOException {
    ImageEntry e = images.get(digest);
    if (e == null) {
      e = ImageEntry.fromJson(ImageEntry.JSON.readTree(imageDir(digest).resolve("image.json").toFile()));
    }
    for (String n : names) {
      String old = refs.put(n, digest);
      if (old != null && !old.equals(digest) && images.containsKey(old)) {
        Set<String> rest = new TreeSet<>(images.get(old).references());
        rest.remove(n);
        replace(images.get(old).withReferences(rest));
      }
    }
    Set<String> all = new TreeSet<>(e.references());
    all.addAll(names);
    ImageEntry published = e.withReferences(all).usedAt(clock.instant());
    replace(published);
    writeRefs();
    return published;
  }

  synchronized void retain(String digest, String user) {
    if (!images.containsKey(digest)) {
      throw new IllegalArgumentException("digest: '" + digest + "' (expected: an image in the store)");
    }
    users.computeIfAbsent(digest, d -> new TreeSet<>()).add(user);
    touch(digest);
  }

  synchronized void release(String digest, String user) {
    Set<String> u = users.get(digest);
    if (u != null && u.remove(user) && u.isEmpty()) {
      users.remove(digest);
    }
    if (images.containsKey(digest)) {
      touch(digest);
    }
  }

  /** Every image, most recently used first. */
  synchronized List<ImageInfo> list() {
    List<ImageInfo> out = new ArrayList<>();
    for (ImageEntry e : images.values()) {
      out.add(new ImageInfo(e.digest(), List.copyOf(new TreeSet<>(e.references())), e.size(), e.lastUsed(),
          List.copyOf(users.getOrDefault(e.digest(), Set.of()))));
    }
    out.sort(Comparator.comparing(ImageInfo::lastUsed).reversed().thenComparing(ImageInfo::digest));
    return out;
  }

  /**
   * The digest {@code digestOrRef} names: a digest, a name ({@link ImageReference#parse}), or a digest
   * prefix of at least 6 characters that only one image has.
   */
  synchronized String resolve(String digestOrRef) {
    if (images.containsKey(digestOrRef)) {
      return digestOrRef;
    }
    String d = null;
    try {
      ImageReference r = ImageReference.parse(digestOrRef);
      d = r.digest() != null && images.containsKey(r.digest()) ? r.digest() : refs.get(r.toString());
    } catch (IllegalArgumentException e) {
      // not a name: maybe a digest prefix
    }
    if (d == null && digestOrRef.length() >= 6) {
      List<String> matches = images.keySet().stream()
          .filter(k -> k.startsWith(digestOrRef) || k.startsWith("sha256:" + digestOrRef)).toList();
      d = matches.size() == 1 ? matches.get(0) : null;
    }
    if (d == null) {
      throw new IllegalArgumentException("image: '" + digestOrRef
          + "' (expected: a digest or name of a stored image; see `mezzo image ls`)");
    }
    return d;
  }

  /** Who retains {@code digest} (empty when nobody). */
  synchronized Set<String> users(String digest) {
    return Set.copyOf(users.getOrDefault(digest, Set.of()));
  }

  /** Drops {@code digest} and its names unless someone retains it; true when dropped. */
  synchronized boolean forgetUnlessRetained(String digest) {
    if (users.containsKey(digest) || !images.containsKey(digest)) {
      return false;
    }
    images.remove(digest);
    refs.values().removeIf(digest::equals);
    writeRefs();
    return true;
  }

  /** Images nobody retains, least recently used first. */
  synchronized List<ImageEntry> unretainedByLastUse() {
    List<ImageEntry> out = new ArrayList<>(images.values());
    out.removeIf(e -> users.containsKey(e.digest()));
    out.sort(Comparator.comparing(ImageEntry::lastUsed).thenComparing(ImageEntry::digest));
    return out;
  }

  synchronized long totalSize() {
    return images.values().stream().mapToLong(ImageEntry::size).sum();
  }

  /** The hex names of the layers ({@code diffIds == true}) or blobs some image lists. */
  synchronized Set<String> live(boolean diffIds) {
    Set<String> out = new HashSet<>();
    for (ImageEntry e : images.values()) {
      (diffIds ? e.diffIds() : e.blobs()).forEach(d -> out.add(Digests.hex(d)));
    }
    return out;
  }

  private ImageEntry touch(String digest) {
    ImageEntry e = images.get(digest).usedAt(clock.instant());
    replace(e);
    return e;
  }

  /** Puts {@code e} in the index and writes its image.json. */
  private void replace(ImageEntry e) {
    images.put(e.digest(), e);
    write(imageDir(e.digest()).resolve("image.json"), e.toJson());
  }

  private void writeRefs() {
    write(refsFile, ImageEntry.JSON.valueToTree(refs));
  }

  private void write(Path target, Object json) {
    try {
      Path t = Files.createTempFile(tmp, "index-", ".json");
      Files.write(t, ImageEntry.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
      Files.move(t, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException ex) {
      throw new UncheckedIOException("images: writing " + target + ": " + ex.getMessage(), ex);
    }
  }
}
