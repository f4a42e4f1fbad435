package io.mezzo.agent.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's image store: pulls images from registries (or imports archives), verifies every blob,
 * caches content by digest and keeps one read-only root directory per image. Layout under {@code dir}
 * (the agent's {@code WORK_DIR/images}):
 * <pre>
 *   .lock                        held while a store is open: one process (the agent, or the CLI) at a time
 *   blobs/sha256/HEX             manifests, configs and compressed layers, verified
 *   layers/HEX/                  a layer unpacked once, by diff id, shared by every image that has it
 *   images/HEX/image.json        an image (HEX = manifest digest): its names, config, layers, last use
 *   images/HEX/rootfs/           its layers merged (whiteouts applied); files hard-linked to layers/
 *   refs.json                    REGISTRY/REPO:TAG -> manifest digest
 *   tmp/                         work in progress; emptied at open
 * </pre>
 * Everything becomes visible by one atomic rename (blob, layer directory, image directory) so a crash
 * mid-pull leaves nothing half made: the next open empties {@code tmp/}.
 *
 * <p>Threads: pulls run on the store's own pool (3 threads); pulls of the same name share one future,
 * layers and blobs are made under a per-digest lock. The in-memory index (images, names, retains) is
 * guarded by this object's monitor; file work happens outside it.
 */
public final class ImageStore implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ImageStore.class);

  /** An image as the index holds it (image.json). */
  private record Entry(String digest, Set<String> references, ImageConfig config, List<String> diffIds,
      List<String> blobs, long size, Instant lastUsed) {}

  /** Where blobs come from: a registry or an unpacked archive. Verifies what it writes. */
  private interface BlobSource {
    void fetch(String digest, Path target) throws ImagePullException, IOException, InterruptedException;
  }

  private final Path dir;
  private final Path tmp;
  private final RegistryOptions options;
  private final Clock clock;
  private final RegistryClient registry;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ExecutorService pool;
  private final Map<String, CompletableFuture<Image>> inFlight = new ConcurrentHashMap<>();
  private final Map<String, Object> digestLocks = new ConcurrentHashMap<>();
  // guarded by this
  private final Map<String, Entry> images = new HashMap<>();
  private final Map<String, String> refs = new TreeMap<>();
  private final Map<String, Set<String>> users = new HashMap<>();

  private ImageStore(Path dir, RegistryOptions options, Clock clock, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.tmp = dir.resolve("tmp");
    this.options = options;
    this.clock = clock;
    this.registry = new RegistryClient(options, clock);
    this.lockChannel = lockChannel;
    this.lock = lock;
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(3, r -> {
      Thread t = new Thread(r, "image-pull-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Opens (creating) the store in {@code dir}, taking its lock file and emptying {@code tmp/}.
   *
   * @throws IllegalStateException when another store (the agent, another CLI) has it open
   * @throws java.io.UncheckedIOException when the directory cannot be read or made
   */
  public static ImageStore open(Path dir, RegistryOptions options, Clock clock) {
    Path d = dir.toAbsolutePath().normalize();
    try {
      for (String sub : List.of("blobs/sha256", "layers", "images", "tmp")) {
        Files.createDirectories(d.resolve(sub));
      }
      FileChannel ch = FileChannel.open(d.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        l = null;
      }
      if (l == null) {
        ch.close();
        throw new IllegalStateException("images: " + d + " is open in another store (its .lock is held;"
            + " expected: the agent using this work dir stopped before using `mezzo image` on it)");
      }
      ImageStore s = new ImageStore(d, options, clock, ch, l);
      s.load();
      return s;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("images: cannot open " + d + ": " + e.getMessage(), e);
    }
  }

  private void load() throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(tmp)) {
      for (Path p : s) {
        FileTrees.delete(p);
      }
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.resolve("images"))) {
      for (Path p : s) {
        Path meta = p.resolve("image.json");
        if (!Files.isRegularFile(meta)) {
          FileTrees.delete(p);
          continue;
        }
        Entry e = read(JSON.readTree(meta.toFile()));
        images.put(e.digest(), e);
      }
    }
    Path r = dir.resolve("refs.json");
    if (Files.isRegularFile(r)) {
      JSON.readTree(r.toFile()).fields().forEachRemaining(f -> {
        if (images.containsKey(f.getValue().asText())) {
          refs.put(f.getKey(), f.getValue().asText());
        }
      });
    }
  }

  /**
   * The image {@code ref} names, from the store when it has it (unless {@code forcePull}), else from its
   * registry. Concurrent pulls of one name share one pull. Fails with an {@link ImagePullException}
   * (inside a {@link CompletionException}) whose reason says which of unknown image, unreachable registry,
   * digest mismatch, malformed manifest, auth refused or unsafe layer.
   */
  public CompletableFuture<Image> pull(ImageReference ref, boolean forcePull) {
    String key = ref + (forcePull ? " force" : "");
    CompletableFuture<Image> mine = new CompletableFuture<>();
    CompletableFuture<Image> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      return running;
    }
    pool.execute(() -> {
      try {
        mine.complete(doPull(ref, forcePull));
      } catch (Throwable t) {
        mine.completeExceptionally(t);
      } finally {
        inFlight.remove(key, mine);
      }
    });
    return mine;
  }

  private Image doPull(ImageReference ref, boolean force) throws Exception {
    if (!force) {
      Image cached = cached(ref);
      if (cached != null) {
        return cached;
      }
    }
    RegistryClient.Fetched top = registry.manifest(ref, ref.manifestReference());
    RegistryClient.Fetched m = top;
    JsonNode root = Manifests.tree(top.body(), ref + " manifest");
    if (Manifests.isIndex(top.mediaType(), root)) {
      String chosen = Manifests.pickPlatform(root, ref + " index");
      m = registry.manifest(ref, chosen);
      root = Manifests.tree(m.body(), ref + "@" + chosen + " manifest");
      if (Manifests.isIndex(m.mediaType(), root)) {
        throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, ref + "@" + chosen
            + ": an index inside an index (expected: an image manifest)");
      }
    }
    Set<String> names = new LinkedHashSet<>();
    if (ref.tag() != null) {
      names.add(new ImageReference(ref.registry(), ref.repository(), ref.tag(), null).toString());
    }
    names.add(ref.name() + "@" + m.digest());
    RegistryClient.Fetched manifest = m;
    return install(manifest.body(), manifest.digest(), root, ref, names,
        (digest, target) -> registry.blob(ref, digest, tmp, target));
  }

  private synchronized Image cached(ImageReference ref) {
    String digest = ref.digest() != null ? ref.digest() : refs.get(ref.toString());
    Entry e = digest == null ? null : images.get(digest);
    if (e == null && ref.digest() != null) {
      digest = refs.get(ref.name() + "@" + ref.digest()); // an index digest pulled before
      e = digest == null ? null : images.get(digest);
    }
    if (e == null) {
      return null;
    }
    touch(e.digest());
    return image(images.get(e.digest()), ref);
  }

  /** Makes the image from its manifest: blobs, layers, rootfs; then publishes it. */
  private Image install(byte[] manifestBytes, String manifestDigest, JsonNode manifestRoot, ImageReference ref,
      Set<String> names, BlobSource source) throws Exception {
    String what = ref.name() + "@" + manifestDigest;
    Manifests.Manifest m = Manifests.manifest(manifestRoot, what);
    writeBlob(manifestDigest, manifestBytes);
    Path configBlob = blobPath(m.config().digest());
    ensureBlob(m.config().digest(), configBlob, source);
    Manifests.Config config = Manifests.config(Files.readAllBytes(configBlob), what + " config");
    if (config.diffIds().size() != m.layers().size()) {
      throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ": " + m.layers().size()
          + " layers but " + config.diffIds().size() + " diff ids in the config (expected: as many)");
    }
    List<String> blobs = new ArrayList<>(List.of(manifestDigest, m.config().digest()));
    long size = 0;
    List<Path> layerDirs = new ArrayList<>();
    for (int i = 0; i < m.layers().size(); i++) {
      String diffId = config.diffIds().get(i);
      Manifests.Descriptor layer = m.layers().get(i);
      blobs.add(layer.digest());
      size += ensureLayer(diffId, layer.digest(), source, what + " layer " + layer.digest());
      layerDirs.add(layerPath(diffId));
    }
    synchronized (lockFor(manifestDigest)) {
      Path imageDir = dir.resolve("images").resolve(Digests.hex(manifestDigest));
      if (!Files.isDirectory(imageDir)) {
        Path work = Files.createTempDirectory(tmp, "image-");
        RootfsMerger.merge(layerDirs, work.resolve("rootfs"));
        Entry e = new Entry(manifestDigest, names, config.config(), config.diffIds(), blobs, size, clock.instant());
        Files.write(work.resolve("image.json"), JSON.writeValueAsBytes(write(e)));
        Files.move(work, imageDir, StandardCopyOption.ATOMIC_MOVE);
      }
      return publish(manifestDigest, names, imageDir, ref);
    }
  }

  private synchronized Image publish(String digest, Set<String> names, Path imageDir, ImageReference ref) throws IOException {
    Entry e = images.get(digest);
    if (e == null) {
      e = read(JSON.readTree(imageDir.resolve("image.json").toFile()));
    }
    Set<String> all = new TreeSet<>(e.references());
    all.addAll(names);
    for (String n : names) {
      String old = refs.put(n, digest);
      if (old != null && !old.equals(digest) && images.containsKey(old)) {
        Entry o = images.get(old);
        Set<String> rest = new TreeSet<>(o.references());
        rest.remove(n);
        replace(new Entry(o.digest(), rest, o.config(), o.diffIds(), o.blobs(), o.size(), o.lastUsed()));
      }
    }
    replace(new Entry(digest, all, e.config(), e.diffIds(), e.blobs(), e.size(), clock.instant()));
    writeRefs();
    return image(images.get(digest), ref);
  }

  private Image image(Entry e, ImageReference ref) {
    ImageReference pinned = ref.digest() != null && ref.digest().equals(e.digest()) ? ref : ref.withDigest(e.digest());
    return new Image(e.digest(), pinned, e.config(), dir.resolve("images").resolve(Digests.hex(e.digest())).resolve("rootfs"));
  }

  private long ensureLayer(String diffId, String blobDigest, BlobSource source, String what) throws Exception {
    Path target = layerPath(diffId);
    Path sizeFile = dir.resolve("layers").resolve(Digests.hex(diffId) + ".size");
    synchronized (lockFor(diffId)) {
      if (Files.isDirectory(target) && Files.isRegularFile(sizeFile)) {
        return Long.parseLong(Files.readString(sizeFile).trim());
      }
      Path blob = blobPath(blobDigest);
      ensureBlob(blobDigest, blob, source);
      Path work = Files.createTempDirectory(tmp, "layer-");
      LayerUnpacker.Unpacked u;
      try (InputStream in = Files.newInputStream(blob)) {
        u = LayerUnpacker.unpack(in, work, what);
      } catch (ImagePullException | IOException e) {
        FileTrees.delete(work);
        if (e instanceof ImagePullException) {
          throw e;
        }
        throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, what + ": not a readable tar ("
            + e.getMessage() + ")", e);
      }
      if (!u.diffId().equals(diffId)) {
        FileTrees.delete(work);
        throw new ImagePullException(ImagePullException.Kind.DIGEST_MISMATCH, what + ": unpacked content hashes to "
            + u.diffId() + " (expected: the config's diff id " + diffId + ")");
      }
      FileTrees.delete(target);
      Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
      Path sizeTmp = Files.createTempFile(tmp, "size-", "");
      Files.writeString(sizeTmp, Long.toString(u.bytes()));
      Files.move(sizeTmp, sizeFile, StandardCopyOption.ATOMIC_MOVE);
      return u.bytes();
    }
  }

  private void ensureBlob(String digest, Path target, BlobSource source) throws Exception {
    synchronized (lockFor(digest)) {
      if (!Files.isRegularFile(target)) {
        source.fetch(digest, target);
      }
    }
  }

  private void writeBlob(String digest, byte[] bytes) throws IOException, ImagePullException {
    Path target = blobPath(digest);
    if (!Files.isRegularFile(target)) {
      Digests.copyVerified(new java.io.ByteArrayInputStream(bytes), digest, tmp, target, "manifest " + digest);
    }
  }

  private Object lockFor(String digest) {
    return digestLocks.computeIfAbsent(digest, d -> new Object());
  }

  private Path blobPath(String digest) {
    return dir.resolve("blobs/sha256").resolve(Digests.hex(digest));
  }

  private Path layerPath(String diffId) {
    return dir.resolve("layers").resolve(Digests.hex(diffId));
  }

  /** Marks {@code digest} used by {@code user} (a task id): {@link #collect()} and {@link #remove} keep it. */
  public synchronized void retain(String digest, String user) {
    if (!images.containsKey(digest)) {
      throw new IllegalArgumentException("digest: '" + digest + "' (expected: an image in the store)");
    }
    users.computeIfAbsent(digest, d -> new TreeSet<>()).add(user);
    touch(digest);
  }

  /** {@code user} no longer uses {@code digest}; its last use becomes now. */
  public synchronized void release(String digest, String user) {
    Set<String> u = users.get(digest);
    if (u != null && u.remove(user) && u.isEmpty()) {
      users.remove(digest);
    }
    if (images.containsKey(digest)) {
      touch(digest);
    }
  }

  /** Every stored image, most recently used first. */
  public synchronized List<ImageInfo> list() {
    List<ImageInfo> out = new ArrayList<>();
    for (Entry e : images.values()) {
      out.add(new ImageInfo(e.digest(), List.copyOf(e.references()), e.size(), e.lastUsed(),
          List.copyOf(users.getOrDefault(e.digest(), Set.of()))));
    }
    out.sort(Comparator.comparing(ImageInfo::lastUsed).reversed().thenComparing(ImageInfo::digest));
    return out;
  }

  /**
   * Removes the image {@code digestOrRef} names (a manifest digest, or a name such as
   * {@code 127.0.0.1:5000/x:1} read as {@link ImageReference#parse} does), then its layers and blobs
   * that no other image uses.
   *
   * @throws IllegalArgumentException when no image has that name
   * @throws IllegalStateException when a task retains it
   */
  public void remove(String digestOrRef) {
    String digest;
    synchronized (this) {
      digest = resolve(digestOrRef);
      Set<String> u = users.get(digest);
      if (u != null && !u.isEmpty()) {
        throw new IllegalStateException("image: " + digestOrRef + " is in use by " + u + " (expected: an image no task uses)");
      }
    }
    try {
      drop(digest);
      prune();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("images: removing " + digest + ": " + e.getMessage(), e);
    }
  }

  private String resolve(String digestOrRef) {
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
    if (d == null) {
      List<String> matches = images.keySet().stream()
          .filter(k -> k.startsWith(digestOrRef) || k.startsWith("sha256:" + digestOrRef)).toList();
      if (matches.size() == 1 && digestOrRef.length() >= 6) {
        d = matches.get(0);
      }
    }
    if (d == null) {
      throw new IllegalArgumentException("image: '" + digestOrRef + "' (expected: a digest or name of a stored image; see `mezzo image ls`)");
    }
    return d;
  }

  private void drop(String digest) throws IOException {
    synchronized (this) {
      images.remove(digest);
      refs.values().removeIf(digest::equals);
      writeRefs();
    }
    synchronized (lockFor(digest)) {
      FileTrees.deleteAtomically(dir.resolve("images").resolve(Digests.hex(digest)), tmp);
    }
  }

  /** Deletes layers and blobs that no stored image lists. */
  private void prune() throws IOException {
    Set<String> liveLayers = new HashSet<>();
    Set<String> liveBlobs = new HashSet<>();
    synchronized (this) {
      for (Entry e : images.values()) {
        e.diffIds().forEach(id -> liveLayers.add(Digests.hex(id)));
        e.blobs().forEach(b -> liveBlobs.add(Digests.hex(b)));
      }
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.resolve("layers"))) {
      for (Path p : s) {
        String hex = p.getFileName().toString().replace(".size", "");
        if (!liveLayers.contains(hex) && !inFlightUses()) {
          synchronized (lockFor("sha256:" + hex)) {
            FileTrees.delete(p);
          }
        }
      }
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.resolve("blobs/sha256"))) {
      for (Path p : s) {
        if (!liveBlobs.contains(p.getFileName().toString()) && !inFlightUses()) {
          synchronized (lockFor("sha256:" + p.getFileName())) {
            Files.deleteIfExists(p);
          }
        }
      }
    }
  }

  /** A pull in progress may be about to use a layer no image lists yet: pruning waits for a quiet moment. */
  private boolean inFlightUses() {
    return !inFlight.isEmpty();
  }

  /**
   * Removes images no task retains: those unused for longer than {@link RegistryOptions#gcMaxAge()}, then
   * the least recently used while the images take more than {@link RegistryOptions#gcMaxBytes()}; then
   * layers and blobs no remaining image uses.
   */
  public GcResult collect() {
    List<String> removed = new ArrayList<>();
    long freed = 0;
    List<Entry> candidates;
    long total;
    synchronized (this) {
      candidates = new ArrayList<>(images.values());
      candidates.removeIf(e -> users.containsKey(e.digest()));
      candidates.sort(Comparator.comparing(Entry::lastUsed));
      total = images.values().stream().mapToLong(Entry::size).sum();
    }
    Instant now = clock.instant();
    Set<String> layersBefore = layerNames();
    try {
      for (Entry e : candidates) {
        boolean old = options.gcMaxAge() != null && e.lastUsed().plus(options.gcMaxAge()).isBefore(now);
        boolean over = total > options.gcMaxBytes();
        if (!old && !over) {
          continue;
        }
        synchronized (this) {
          if (users.containsKey(e.digest()) || !images.containsKey(e.digest())) {
            continue; // retained meanwhile
          }
        }
        drop(e.digest());
        removed.add(e.digest());
        freed += e.size();
        total -= e.size();
      }
      prune();
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException("images: collecting: " + ex.getMessage(), ex);
    }
    Set<String> gone = new TreeSet<>(layersBefore);
    gone.removeAll(layerNames());
    List<String> removedLayers = gone.stream().map(h -> "sha256:" + h).toList();
    if (!removed.isEmpty()) {
      LOG.info("image gc removed {} image(s), {} layer(s), {} bytes", removed.size(), removedLayers.size(), freed);
    }
    return new GcResult(removed, removedLayers, freed);
  }

  private Set<String> layerNames() {
    Set<String> out = new TreeSet<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.resolve("layers"))) {
      s.forEach(p -> {
        if (Files.isDirectory(p)) {
          out.add(p.getFileName().toString());
        }
      });
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }

  /**
   * Loads a {@code docker save} archive ({@code manifest.json}) or an OCI image layout archive
   * ({@code oci-layout}, {@code index.json}), verifying every blob as a pull does. Its names come from
   * {@code RepoTags}, or from the OCI annotations {@code io.containerd.image.name} or
   * {@code org.opencontainers.image.ref.name} when that is a full name.
   *
   * @throws ImagePullException when the archive is not one of those or its content does not verify
   */
  public Image importArchive(Path archive) throws ImagePullException, IOException {
    Path work = Files.createTempDirectory(tmp, "import-");
    try {
      ArchiveImport.Loaded l = ArchiveImport.load(archive, work);
      ImageReference ref = l.reference() != null ? l.reference()
          : new ImageReference("localhost", "imported/" + Digests.hex(l.manifestDigest()).substring(0, 12), null, l.manifestDigest());
      Set<String> names = new LinkedHashSet<>();
      if (l.reference() != null) {
        names.add(l.reference().toString());
      }
      names.add(ref.name() + "@" + l.manifestDigest());
      return install(l.manifest(), l.manifestDigest(), Manifests.tree(l.manifest(), archive + " manifest"), ref, names,
          (digest, target) -> {
            Path file = l.blobs().get(digest);
            if (file == null) {
              throw new ImagePullException(ImagePullException.Kind.MALFORMED_MANIFEST, archive + ": no blob " + digest);
            }
            try (InputStream in = Files.newInputStream(file)) {
              Digests.copyVerified(in, digest, tmp, target, archive + " blob " + digest);
            }
          });
    } catch (ImagePullException | IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("importing " + archive + ": " + e, e);
    } finally {
      FileTrees.delete(work);
    }
  }

  private void touch(String digest) {
    Entry e = images.get(digest);
    replace(new Entry(e.digest(), e.references(), e.config(), e.diffIds(), e.blobs(), e.size(), clock.instant()));
  }

  /** Puts {@code e} in the index and writes its image.json (tmp + rename). Caller holds this. */
  private void replace(Entry e) {
    images.put(e.digest(), e);
    Path imageDir = dir.resolve("images").resolve(Digests.hex(e.digest()));
    try {
      Path t = Files.createTempFile(tmp, "image-json-", "");
      Files.write(t, JSON.writeValueAsBytes(write(e)));
      Files.move(t, imageDir.resolve("image.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException("images: writing " + imageDir + "/image.json: " + ex.getMessage(), ex);
    }
  }

  private void writeRefs() {
    try {
      Path t = Files.createTempFile(tmp, "refs-", "");
      Files.write(t, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(refs));
      Files.move(t, dir.resolve("refs.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException("images: writing refs.json: " + ex.getMessage(), ex);
    }
  }

  private static ObjectNode write(Entry e) {
    ObjectNode o = JSON.createObjectNode();
    o.put("digest", e.digest());
    e.references().forEach(o.putArray("references")::add);
    ObjectNode c = o.putObject("config");
    e.config().entrypoint().forEach(c.putArray("entrypoint")::add);
    e.config().cmd().forEach(c.putArray("cmd")::add);
    e.config().env().forEach(c.putArray("env")::add);
    c.put("user", e.config().user());
    c.put("working_dir", e.config().workingDir());
    e.diffIds().forEach(o.putArray("diff_ids")::add);
    e.blobs().forEach(o.putArray("blobs")::add);
    o.put("size", e.size());
    o.put("last_used_ms", e.lastUsed().toEpochMilli());
    return o;
  }

  private static Entry read(JsonNode o) {
    JsonNode c = o.path("config");
    return new Entry(o.path("digest").asText(), new TreeSet<>(strings(o.path("references"))),
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

  /** Stops the pull threads (pulls in progress fail) and gives the lock file back. */
  @Override
  public void close() {
    pool.shutdownNow();
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      LOG.warn("images: releasing {}/.lock: {}", dir, e.toString());
    }
  }
}
