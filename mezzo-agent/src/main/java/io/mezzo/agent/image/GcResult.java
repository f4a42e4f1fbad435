package io.mezzo.agent.image;

import java.util.List;

/**
 * What one {@link ImageStore#collect()} removed.
 *
 * @param removedImages the manifest digests of the images removed
 * @param removedLayers the diff ids of the unpacked layers no remaining image used
 * @param freedBytes the bytes of the removed images (as {@link ImageInfo#sizeBytes()} counts them)
 */
public record GcResult(List<String> removedImages, List<String> removedLayers, long freedBytes) {}
