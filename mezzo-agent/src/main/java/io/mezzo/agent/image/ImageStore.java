package io.mezzo.agent.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;

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
 * layers and blobs are made under a per-digest lock. The index of images, names and retains
 * ({@link ImageIndex}) guards itself with its own monitor; file and network work happens outside it.
 * A pull for a holder ({@link #pull(ImageReference, boolean, String)}) is retained inside the pull's
 * shared hold on the content lock, so a collection on another thread (the agent's
 * {@link ImageCollector}) never removes an image between its pull and its use.
 */
public final class ImageStore implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ImageStore.class);

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
  /** Pulls and imports hold it shared; removal and GC exclusively, so they never delete what a pull uses. */
  private final ReentrantReadWriteLock contentLock = new ReentrantReadWriteLock();
  private final ImageIndex index;
  /** Holders to retain a pull's image for, by pull key, until that pull retains them. Guarded by itself. */
  private final Map<String, Set<String>> waiting = new java.util.HashMap<>();
  /** Holders a pull retained, with the image's digest, until their caller takes them. Guarded by {@link #waiting}. */
  private final Map<String, String> retainedFor = new java.util.HashMap<>();

  private ImageStore(Path dir, RegistryOptions options, Clock clock, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.tmp = dir.resolve("tmp");
    this.options = options;
    this.clock = clock;
    this.registry = new RegistryClient(options, clock);
    this.index = new ImageIndex(dir, tmp, clock);
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
    index.load();
  }

  /**
   * The image {@code ref} names, from the store when it has it (unless {@code forcePull}), else from its
   * registry. Concurrent pulls of one name share one pull. Fails with an {@link ImagePullException}
   * (inside a {@link CompletionException}) whose reason says which of unknown image, unreachable registry,
   * digest mismatch, malformed manifest, auth refused, unsafe layer or storage (the store's own disk).
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
        mine.complete(doPull(ref, forcePull, key));
      } catch (IOException | java.io.UncheckedIOException e) { // the store's disk, not the image
        mine.completeExceptionally(new ImagePullException(ImagePullException.Kind.STORAGE, ref + ": " + e, e));
      } catch (Throwable t) {
        mine.completeExceptionally(t);
      } finally {
        inFlight.remove(key, mine);
      }
    });
    return mine;
  }

  /**
   * As {@link #pull(ImageReference, boolean)}, and the image comes back already {@link #retain retained}
   * by {@code holder}, retained inside the pull's hold on the store: no collection can remove it between
   * the pull and the caller's use of it (a collection waiting for the pull would otherwise take the store
   * as soon as the pull lets go). The caller releases it with {@link #release}. A caller that joined a
   * pull too late to be retained by it is retained after it, under the content lock (pulling again, by
   * manifest digest, should a collection have removed the image in between).
   */
  public CompletableFuture<Image> pull(ImageReference ref, boolean forcePull, String holder) {
    String key = ref + (forcePull ? " force" : "");
    CompletableFuture<Image> shared;
    synchronized (waiting) {
      waiting.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(holder);
      shared = pull(ref, forcePull);
    }
    return shared.handleAsync((first, error) -> {
      String retained;
      synchronized (waiting) {
        Set<String> w = waiting.get(key);
        if (w != null && w.remove(holder) && w.isEmpty()) {
          waiting.remove(key);
        }
        retained = retainedFor.remove(holder);
      }
      if (retained != null && (error != null || !retained.equals(first.digest()))) {
        index.release(retained, holder); // retained by a later pull of the same name: not this image
      } else if (retained != null) {
        return first;
      }
      if (error != null) {
        throw error instanceof CompletionException c ? c : new CompletionException(error);
      }
      return retainAfter(ref, first, holder);
    }, pool);
  }

  /** Retains {@code first}'s image for {@code holder} under the content lock, pulling it again if it is gone. */
  private Image retainAfter(ImageReference ref, Image first, String holder) {
    contentLock.readLock().lock();
    try {
      Image img = pullShared(first.reference(), false); // the store's copy, unless collected meanwhile
      index.retain(img.digest(), holder);
      return img;
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new CompletionException(new ImagePullException(ImagePullException.Kind.STORAGE, ref + ": " + e, e));
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new CompletionException(e);
    } finally {
      contentLock.readLock().unlock();
    }
  }

  /** Retains {@code img} for the holders waiting on the pull {@code key}; inside that pull's content lock. */
  private void retainWaiting(String key, Image img) {
    synchronized (waiting) {
      Set<String> w = waiting.remove(key);
      if (w != null) {
        for (String h : w) {
          index.retain(img.digest(), h);
          retainedFor.put(h, img.digest());
        }
      }
    }
  }

  private Image doPull(ImageReference ref, boolean force, String key) throws Exception {
    contentLock.readLock().lock();
    try {
      Image img = pullShared(ref, force);
      retainWaiting(key, img);
      return img;
    } finally {
      contentLock.readLock().unlock();
    }
  }

  private Image pullShared(ImageReference ref, boolean force) throws Exception {
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
    if (ref.digest() != null) {
      names.add(ref.name() + "@" + ref.digest()); // an index digest: found in the store next time
    }
    RegistryClient.Fetched manifest = m;
    return install(manifest.body(), manifest.digest(), root, ref, names,
        (digest, target) -> registry.blob(ref, digest, tmp, target));
  }

  private Image cached(ImageReference ref) {
    ImageEntry e = index.lookup(ref);
    return e == null ? null : image(e, ref);
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
      Path imageDir = index.imageDir(manifestDigest);
      if (!Files.isDirectory(imageDir)) {
        Path work = Files.createTempDirectory(tmp, "image-");
        Files.setAttribute(work, "unix:mode", 0755);
        RootfsMerger.merge(layerDirs, work.resolve("rootfs"));
        ImageEntry e = new ImageEntry(manifestDigest, names, config.config(), config.diffIds(), blobs, size, clock.instant());
        Files.write(work.resolve("image.json"), JSON.writeValueAsBytes(e.toJson()));
        Files.move(work, imageDir, StandardCopyOption.ATOMIC_MOVE);
      }
      return image(index.publish(manifestDigest, names), ref);
    }
  }

  private Image image(ImageEntry e, ImageReference ref) {
    ImageReference pinned = ref.digest() != null && ref.digest().equals(e.digest()) ? ref : ref.withDigest(e.digest());
    return new Image(e.digest(), pinned, e.config(), index.imageDir(e.digest()).resolve("rootfs"));
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
  public void retain(String digest, String user) {
    index.retain(digest, user);
  }

  /** {@code user} no longer uses {@code digest}; its last use becomes now. */
  public void release(String digest, String user) {
    index.release(digest, user);
  }

  /** Every stored image, most recently used first. */
  public List<ImageInfo> list() {
    return index.list();
  }

  /**
   * Removes the image {@code digestOrRef} names (a manifest digest, or a name such as
   * {@code 127.0.0.1:5000/x:1} read as {@link ImageReference#parse} does), then its layers and blobs
   * that no other image uses. Waits for pulls and imports in progress.
   *
   * @throws IllegalArgumentException when no image has that name
   * @throws IllegalStateException when a task retains it
   */
  public void remove(String digestOrRef) {
    String digest = index.resolve(digestOrRef);
    contentLock.writeLock().lock();
    try {
      if (!drop(digest)) {
        throw new IllegalStateException("image: " + digestOrRef + " is in use by " + index.users(digest)
            + " (expected: an image no task uses)");
      }
      prune();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("images: removing " + digest + ": " + e.getMessage(), e);
    } finally {
      contentLock.writeLock().unlock();
    }
  }

  /** Forgets {@code digest} and deletes its directory, unless a task retains it; true when dropped. */
  private boolean drop(String digest) throws IOException {
    if (!index.forgetUnlessRetained(digest)) {
      return false;
    }
    synchronized (lockFor(digest)) {
      FileTrees.deleteAtomically(index.imageDir(digest), tmp);
    }
    return true;
  }

  /** Deletes layers and blobs that no stored image lists. Caller holds the content lock exclusively. */
  private void prune() throws IOException {
    Set<String> liveLayers = index.live(true);
    Set<String> liveBlobs = index.live(false);
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.resolve("layers"))) {
      for (Path p : s) {
        String hex = p.getFileName().toString().replace(".size", "");
        if (!liveLayers.contains(hex)) {
          synchronized (lockFor("sha256:" + hex)) {
            FileTrees.delete(p);
          }
        }
      }
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.resolve("blobs/sha256"))) {
      for (Path p : s) {
        if (!liveBlobs.contains(p.getFileName().toString())) {
          synchronized (lockFor("sha256:" + p.getFileName())) {
            Files.deleteIfExists(p);
          }
        }
      }
    }
  }

  /**
   * Removes images no task retains: those unused for longer than {@link RegistryOptions#gcMaxAge()}, then
   * the least recently used while the images take more than {@link RegistryOptions#gcMaxBytes()}; then
   * layers and blobs no remaining image uses. Waits for pulls and imports in progress (they hold the
   * content lock shared). A caller that pulled an image should {@link #retain} it at once: until then a
   * collection may remove it ({@code retain} then throws, and a new pull brings it back).
   */
  public GcResult collect() {
    contentLock.writeLock().lock();
    try {
      return collectExclusive();
    } finally {
      contentLock.writeLock().unlock();
    }
  }

  private GcResult collectExclusive() {
    List<String> removed = new ArrayList<>();
    long freed = 0;
    long total = index.totalSize();
    Instant now = clock.instant();
    Set<String> layersBefore = layerNames();
    try {
      for (ImageEntry e : index.unretainedByLastUse()) {
        boolean old = options.gcMaxAge() != null && e.lastUsed().plus(options.gcMaxAge()).isBefore(now);
        boolean over = total > options.gcMaxBytes();
        if ((old || over) && drop(e.digest())) { // drop refuses an image retained meanwhile
          removed.add(e.digest());
          freed += e.size();
          total -= e.size();
        }
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
    contentLock.readLock().lock();
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
      contentLock.readLock().unlock();
      FileTrees.delete(work);
    }
  }

  /** Stops the pull threads (pulls in progress fail with an IllegalStateException) and gives the lock file back. */
  @Override
  public void close() {
    pool.shutdownNow();
    inFlight.values().forEach(f -> f.completeExceptionally(new IllegalStateException("images: the store was closed")));
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      LOG.warn("images: releasing {}/.lock: {}", dir, e.toString());
    }
  }
}
