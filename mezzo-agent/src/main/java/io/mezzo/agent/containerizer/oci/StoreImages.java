package io.mezzo.agent.containerizer.oci;

import io.mezzo.agent.image.Image;
import io.mezzo.agent.image.ImageReference;
import io.mezzo.agent.image.ImageStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * The agent's images: those unpacked by hand in a local directory ({@link DirectoryImages}, looked at
 * first, for machines with neither registry nor archive), then the {@link ImageStore} (registries and
 * imported archives; concurrent pulls of one image share one pull there). A pull failure carries the
 * store's {@link io.mezzo.agent.image.ImagePullException}, whose message says which kind of failure.
 * The store's images are retained by each container that uses them, so that its GC spares them.
 *
 * <p>Between a pull and the container's {@link #retain} (the agent loop mounts the image first), the
 * image is held by a pull lease, so that a collection on another thread cannot remove it meanwhile:
 * the store's pull retains it for the lease ({@link ImageStore#pull(ImageReference, boolean, String)}),
 * and the lease ends when a container retains that image, or after {@link #PULL_LEASE} (a task killed
 * before it started).
 *
 * <p>Thread-safe as the store is (the leases are guarded by their map's monitor); closing closes the store.
 */
public final class StoreImages implements ImageSource, AutoCloseable {
  private final ImageStore store;
  private final Path localDir;
  private final DirectoryImages local;
  /** How long a pulled image is held for the container that asked for it, at most. */
  static final java.time.Duration PULL_LEASE = java.time.Duration.ofMinutes(1);
  private final java.util.concurrent.atomic.AtomicLong leaseIds = new java.util.concurrent.atomic.AtomicLong();
  /** Pull leases not yet ended, per image digest; guarded by itself. */
  private final java.util.Map<String, java.util.Deque<String>> leases = new java.util.HashMap<>();
  private volatile boolean closed;

  public StoreImages(ImageStore store, Path localDir) {
    this.store = store;
    this.localDir = localDir;
    this.local = new DirectoryImages(localDir);
  }

  @Override
  public CompletableFuture<OciImage> pull(String image, boolean forcePull) {
    if (Files.isDirectory(DirectoryImages.imageDir(localDir, image).resolve("rootfs"))) {
      return local.pull(image, forcePull);
    }
    ImageReference ref;
    try {
      ref = ImageReference.parse(image);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    String holder = "pull-lease-" + leaseIds.incrementAndGet();
    return store.pull(ref, forcePull, holder).thenApply(img -> {
      synchronized (leases) {
        leases.computeIfAbsent(img.digest(), d -> new java.util.ArrayDeque<>()).add(holder);
      }
      CompletableFuture.delayedExecutor(PULL_LEASE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
          .execute(() -> endLease(img.digest(), holder));
      return toOci(img);
    });
  }

  /** Ends the lease {@code holder} of {@code digest} (any lease of it when null), if it still holds. */
  private void endLease(String digest, String holder) {
    String ended;
    synchronized (leases) {
      java.util.Deque<String> q = leases.get(digest);
      if (q == null) {
        return;
      }
      ended = holder == null ? q.poll() : q.remove(holder) ? holder : null;
      if (q.isEmpty()) {
        leases.remove(digest);
      }
    }
    if (ended != null && !closed) {
      try {
        store.release(digest, ended);
      } catch (RuntimeException e) { // the store's disk: the lease is gone from memory all the same
        org.slf4j.LoggerFactory.getLogger(StoreImages.class).warn("images: ending the pull lease of {}: {}", digest, e.toString());
      }
    }
  }

  static OciImage toOci(Image img) {
    var c = img.config();
    return new OciImage(img.digest(), img.rootfs(), c.entrypoint(), c.cmd(), c.env(),
        c.user().isEmpty() ? null : c.user(), c.workingDir().isEmpty() ? null : c.workingDir());
  }

  @Override
  public void retain(String digest, String holder) {
    if (digest.startsWith("sha256:")) {
      store.retain(digest, holder);
      endLease(digest, null); // the container holds it now
    }
  }

  @Override
  public void release(String digest, String holder) {
    if (digest.startsWith("sha256:")) {
      store.release(digest, holder);
    }
  }

  @Override
  public void close() {
    closed = true;
    store.close();
  }
}
