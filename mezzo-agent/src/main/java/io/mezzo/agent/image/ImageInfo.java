package io.mezzo.agent.image;

import java.time.Instant;
import java.util.List;

/**
 * One stored image as {@link ImageStore#list()} reports it.
 *
 * @param digest the manifest digest
 * @param references the names that point at it ({@code REGISTRY/REPO:TAG}), possibly none
 * @param sizeBytes the bytes of its unpacked layers (a layer shared with another image counts in both)
 * @param lastUsed when it was last pulled, imported or retained
 * @param users who retain it now (task ids), empty when no task uses it
 */
public record ImageInfo(String digest, List<String> references, long sizeBytes, Instant lastUsed, List<String> users) {
  /** {@code digest}, {@code references}, {@code size_bytes}, {@code last_used}: as the agent's API and the CLI show it. */
  public java.util.Map<String, Object> fields() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("digest", digest);
    m.put("references", references);
    m.put("size_bytes", sizeBytes);
    m.put("last_used", lastUsed.toString());
    return m;
  }
}
