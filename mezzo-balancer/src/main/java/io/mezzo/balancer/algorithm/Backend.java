package io.mezzo.balancer.algorithm;

/**
 * One place a route can send a request to: an immutable identity ({@link #id()}, usually the instance
 * id, {@link #host()}, {@link #port()}, {@link #weight()} >= 1) plus a pointer to its mutable, lock-free
 * {@link BackendStats} (in-flight count, peak-EWMA latency).
 *
 * <p>Backends are created by the proxy with {@link #of} and enter pickers through a {@link BackendSet}.
 * When discovery publishes a new snapshot, {@link BackendSet#next} keeps the {@code stats()} object and
 * the join time of every backend whose id, host and port stay, even if its weight changes; so in-flight
 * counts and latency estimates survive a picker rebuild. Equality is identity: compare backends by
 * {@link #id()}.
 *
 * <p>Thread: immutable apart from {@code stats()}, which any thread may update.
 */
public final class Backend {
  private final String id;
  private final String host;
  private final int port;
  private final int weight;
  private final BackendStats stats;
  /** When this backend joined the route (nanos, the proxy's clock); meaningless when {@code warm}. */
  private final long joinedAtNanos;
  /** Present before the balancer started (no slow start) rather than joined while it ran. */
  private final boolean warm;

  private Backend(String id, String host, int port, int weight, BackendStats stats, long joinedAtNanos,
      boolean warm) {
    this.id = id;
    this.host = host;
    this.port = port;
    this.weight = weight;
    this.stats = stats;
    this.joinedAtNanos = joinedAtNanos;
    this.warm = warm;
  }

  /**
   * A backend with fresh statistics. Its join time is set when it enters a set through
   * {@link BackendSet#next}; through {@link BackendSet#of} it counts as warm (never slow-started).
   *
   * @throws IllegalArgumentException naming the field when {@code id} or {@code host} is blank, {@code port}
   *     is outside 1..65535 or {@code weight} < 1
   */
  public static Backend of(String id, String host, int port, int weight) {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("id: '" + id + "' (expected: a non-blank backend id)");
    }
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host: '" + host + "' (expected: a non-blank host) for backend " + id);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535) for backend " + id);
    }
    if (weight < 1) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: >= 1) for backend " + id);
    }
    return new Backend(id, host, port, weight, new BackendStats(), 0L, true);
  }

  /** This identity with another backend's history (stats and join time): it stays in the route. */
  Backend inheriting(Backend previous) {
    return new Backend(id, host, port, weight, previous.stats, previous.joinedAtNanos, previous.warm);
  }

  /** This identity with fresh stats, joined at {@code nowNanos}: it is new to the route. */
  Backend joinedAt(long nowNanos) {
    return new Backend(id, host, port, weight, new BackendStats(), nowNanos, false);
  }

  /** Whether {@code other} is the same endpoint (id, host and port), whatever the weight. */
  boolean sameEndpoint(Backend other) {
    return id.equals(other.id) && host.equals(other.host) && port == other.port;
  }

  public String id() {
    return id;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** The configured weight, >= 1; slow start scales it down while the backend is new. */
  public int weight() {
    return weight;
  }

  public BackendStats stats() {
    return stats;
  }

  /** Whether it joined while the balancer ran (and may be slow-started) rather than being there at start. */
  public boolean joinedLate() {
    return !warm;
  }

  /** When it joined, on the proxy's nano clock; only meaningful when {@link #joinedLate()}. */
  public long joinedAtNanos() {
    return joinedAtNanos;
  }

  @Override
  public String toString() {
    return id + "@" + host + ":" + port + (weight == 1 ? "" : " weight=" + weight);
  }
}
