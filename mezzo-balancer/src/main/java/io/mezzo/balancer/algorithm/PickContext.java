package io.mezzo.balancer.algorithm;

import java.util.function.Predicate;

/**
 * What a {@link Picker} gets for one pick: the time ({@code nowNanos}, the proxy's nano clock: pickers
 * read no clock), a hash key for consistent hashing (computed by the proxy from a header, cookie or the
 * client address, e.g. with {@link HashKeys}; ignored by the other algorithms) and the backends to leave
 * out, for a retry that must go to "another backend" or to skip backends at their connection limit.
 *
 * <p>Thread: immutable. {@link #excluding} returns a new context.
 */
public final class PickContext {
  private final long hashKey;
  private final long nowNanos;
  /** Null when nothing is excluded (the fast path). */
  private final Predicate<? super Backend> excluded;

  private PickContext(long hashKey, long nowNanos, Predicate<? super Backend> excluded) {
    this.hashKey = hashKey;
    this.nowNanos = nowNanos;
    this.excluded = excluded;
  }

  /** A pick at {@code nowNanos} with no hash key and nothing excluded. */
  public static PickContext at(long nowNanos) {
    return new PickContext(0L, nowNanos, null);
  }

  /** A pick at {@code nowNanos} for {@code hashKey} with nothing excluded. */
  public static PickContext hashed(long hashKey, long nowNanos) {
    return new PickContext(hashKey, nowNanos, null);
  }

  /** This context that also leaves out the backend with {@code backend}'s id (a retry). */
  public PickContext excluding(Backend backend) {
    String id = backend.id();
    return excludingIf(b -> b.id().equals(id));
  }

  /** This context that also leaves out every backend matching {@code predicate}. */
  public PickContext excludingIf(Predicate<? super Backend> predicate) {
    Predicate<? super Backend> before = excluded;
    Predicate<Backend> both = before == null ? predicate::test : b -> before.test(b) || predicate.test(b);
    return new PickContext(hashKey, nowNanos, both);
  }

  public long hashKey() {
    return hashKey;
  }

  public long nowNanos() {
    return nowNanos;
  }

  /** Whether {@code backend} must not be picked. */
  public boolean excludes(Backend backend) {
    return excluded != null && excluded.test(backend);
  }

  /** Whether anything is excluded at all (pickers take a slower path then). */
  boolean hasExclusions() {
    return excluded != null;
  }

  @Override
  public String toString() {
    return "PickContext[hashKey=" + hashKey + ", nowNanos=" + nowNanos + (excluded == null ? "" : ", with exclusions")
        + "]";
  }
}
