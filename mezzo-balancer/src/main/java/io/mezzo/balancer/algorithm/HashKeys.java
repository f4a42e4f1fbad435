package io.mezzo.balancer.algorithm;

/**
 * Stable 64-bit hash keys for {@link PickContext#hashed}: the same header value, cookie or client address
 * gives the same key in every balancer process and across restarts (no per-JVM seed, unlike
 * {@link String#hashCode()} mixing). FNV-1a over the input followed by the SplitMix64 finaliser, so that
 * keys differing in one character land far apart.
 *
 * <p>Thread: stateless.
 */
public final class HashKeys {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private HashKeys() {}

  /** The key of a header or cookie value. */
  public static long of(CharSequence value) {
    return ofChars(value, 0L);
  }

  /** The key of raw bytes, such as a client IP address ({@code InetAddress.getAddress()}). */
  public static long of(byte[] bytes) {
    long h = FNV_OFFSET;
    for (byte b : bytes) {
      h = (h ^ (b & 0xff)) * FNV_PRIME;
    }
    return mix(h);
  }

  /** {@code value}'s characters hashed with {@code seed} (for the two Maglev permutation hashes). */
  static long ofChars(CharSequence value, long seed) {
    long h = FNV_OFFSET ^ seed;
    for (int i = 0; i < value.length(); i++) {
      h = (h ^ value.charAt(i)) * FNV_PRIME;
    }
    return mix(h);
  }

  /** SplitMix64's finaliser: a bijection that spreads every input bit over the output. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
