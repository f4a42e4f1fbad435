package io.mezzo.agent.containerizer.oci;

import java.util.concurrent.CompletableFuture;

/**
 * Where the runtime gets images: the agent's image store, or {@link DirectoryImages}. A pull that cannot
 * give the image completes exceptionally with an exception whose message says which image and why; the
 * task then fails with {@code REASON_CONTAINER_PREPARATION_FAILED}. Futures may complete on any thread.
 */
public interface ImageSource {
  CompletableFuture<OciImage> pull(String image, boolean forcePull);

  /** {@code holder} (a container) uses the image {@code digest}: it must not be collected meanwhile. */
  default void retain(String digest, String holder) {}

  /** {@code holder} no longer uses the image {@code digest}. */
  default void release(String digest, String holder) {}
}
