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
 * Thread-safe as the store is; closing closes the store.
 */
public final class StoreImages implements ImageSource, AutoCloseable {
  private final ImageStore store;
  private final Path localDir;
  private final DirectoryImages local;

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
    return store.pull(ref, forcePull).thenApply(StoreImages::toOci);
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
    store.close();
  }
}
