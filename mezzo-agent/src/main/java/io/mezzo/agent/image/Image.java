package io.mezzo.agent.image;

import java.nio.file.Path;

/**
 * A pulled (or imported) image, ready to run.
 *
 * @param digest the manifest digest {@code sha256:HEX}: the image's identity in the store
 * @param reference the name it was pulled by, pinned to {@code digest}
 * @param config the image's run configuration
 * @param rootfs ONE directory holding the image's merged layers (whiteouts applied); read-only by
 *     contract: use it as an overlay lower directory or copy it, never write into it
 */
public record Image(String digest, ImageReference reference, ImageConfig config, Path rootfs) {}
