package io.mezzo.balancer.health;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Passive health checking: ejects a backend from the routable set after consecutive failures, with the
 * semantics of Envoy's outlier detection (consecutive 5xx and consecutive gateway failure detectors).
 *
 * <p>Contract:
 * <ul>
 *   <li>Each backend has two counters. A {@link Result#HTTP_5XX} bumps the 5xx counter and clears the
 *       gateway counter; a {@link Result#GATEWAY_5XX}, {@link Result#CONNECT_FAILURE} or
 *       {@link Result#TIMEOUT} bumps both (local-origin errors count as the 5xx they become); a
 *       {@link Result#SUCCESS} clears both. When a counter reaches its threshold (default 5 and 5; 0
 *       disables that detector) the backend is ejected, unless the ejection would exceed the share below.
 *   <li>The n-th ejection in a row lasts {@code baseEjectionTime x n} (default 30 s), never longer than
 *       {@code max(maxEjectionTime, baseEjectionTime)} (default 300 s). After a backend returns, the
 *       multiplier n drops by one for every full {@code decayInterval} (default 10 s) it stays un-ejected,
 *       as Envoy decrements it on each healthy interval; computed lazily at the next ejection, no timer.
 *   <li>Ejected backends return by themselves when their time is up ({@link #isEjected} turns false); the
 *       counters start again from zero. Results reported while a backend is ejected (requests that were in
 *       flight, or traffic routed to it in panic mode) are ignored.
 *   <li>At most {@code floor(n x maxEjectionPercent / 100)} of the n known backends are ejected at once
 *       (default 10%). Decision: <em>one</em> backend may always be ejected when there are at least two,
 *       as Envoy ejects one "regardless of the value"; a sole backend is never ejected by the default
 *       (ejecting it only sends the route into panic mode, which routes to it anyway, while its multiplier
 *       would grow for nothing); {@code maxEjectionPercent = 0} disables ejection. An outlier that does not
 *       fit keeps its counters, so it is ejected on its next failure once there is room; each refusal is
 *       counted in {@link #overflows()}.
 *   <li>Membership comes from discovery through {@link #retain}; results for unknown ids are ignored, so a
 *       late result for a backend that left does not bring it back.
 * </ul>
 *
 * <p>Thread safety: safe for concurrent use by several event loops, without locks. The consecutive
 * counters are per-backend atomics (a success that finds them at zero writes nothing); membership and
 * ejections live in one immutable table swapped by compare-and-set, so the max-share check and the
 * ejection it allows are a single atomic step. Times are {@link System#nanoTime()}-style nanos passed in
 * by the caller and compared by difference; if the clock steps back, an ejection lasts longer, never
 * shorter.
 */
public final class OutlierDetector {

  /** The outcome of one request (or connection attempt, in TCP mode) to a backend. */
  public enum Result {
    /** Any response below 500 (or a TCP connection that was established). */
    SUCCESS,
    /** A 5xx response other than 502, 503 or 504. */
    HTTP_5XX,
    /** A 502, 503 or 504 response from the backend itself. */
    GATEWAY_5XX,
    /** The connection to the backend could not be established (refused, reset before a response). */
    CONNECT_FAILURE,
    /** The backend did not answer in time. */
    TIMEOUT;

    /** The result for an HTTP status code received from a backend. */
    public static Result ofStatus(int status) {
      if (status < 100 || status > 599) {
        throw new IllegalArgumentException("status: " + status + " (expected: 100..599)");
      }
      if (status < 500) {
        return SUCCESS;
      }
      return status >= 502 && status <= 504 ? GATEWAY_5XX : HTTP_5XX;
    }

    boolean isGatewayFailure() {
      return this == GATEWAY_5XX || this == CONNECT_FAILURE || this == TIMEOUT;
    }
  }

  /** Which detector ejected a backend. */
  public enum Reason { CONSECUTIVE_5XX, CONSECUTIVE_GATEWAY_FAILURE }

  /**
   * Outlier detection settings, validated when built.
   *
   * @param consecutive5xx failures in a row that eject (5xx and local-origin errors), 0 to disable
   * @param consecutiveGatewayFailure gateway failures in a row that eject (502/503/504, connect failures,
   *     timeouts), 0 to disable
   * @param baseEjectionTime the first ejection's length; the n-th in a row lasts n times this
   * @param maxEjectionTime the longest ejection (if shorter than the base, the base is the cap)
   * @param maxEjectionPercent the largest share of backends ejected at once, 0..100 (see the class doc)
   * @param decayInterval how long a returned backend must stay un-ejected for its multiplier to drop by one
   */
  public record Config(int consecutive5xx, int consecutiveGatewayFailure, Duration baseEjectionTime,
      Duration maxEjectionTime, int maxEjectionPercent, Duration decayInterval) {

    public Config {
      if (consecutive5xx < 0) {
        throw new IllegalArgumentException("consecutive5xx: " + consecutive5xx + " (expected: >= 0)");
      }
      if (consecutiveGatewayFailure < 0) {
        throw new IllegalArgumentException(
            "consecutiveGatewayFailure: " + consecutiveGatewayFailure + " (expected: >= 0)");
      }
      positive("baseEjectionTime", baseEjectionTime);
      positive("maxEjectionTime", maxEjectionTime);
      positive("decayInterval", decayInterval);
      if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
        throw new IllegalArgumentException(
            "maxEjectionPercent: " + maxEjectionPercent + " (expected: 0..100)");
      }
    }

    /** Envoy's defaults: 5 and 5 in a row, 30 s base, 300 s max, 10%, decay every 10 s. */
    public static Config defaults() {
      return new Config(5, 5, Duration.ofSeconds(30), Duration.ofSeconds(300), 10, Duration.ofSeconds(10));
    }

    public Config withConsecutive5xx(int n) {
      return new Config(n, consecutiveGatewayFailure, baseEjectionTime, maxEjectionTime, maxEjectionPercent,
          decayInterval);
    }

    public Config withConsecutiveGatewayFailure(int n) {
      return new Config(consecutive5xx, n, baseEjectionTime, maxEjectionTime, maxEjectionPercent, decayInterval);
    }

    public Config withBaseEjectionTime(Duration d) {
      return new Config(consecutive5xx, consecutiveGatewayFailure, d, maxEjectionTime, maxEjectionPercent,
          decayInterval);
    }

    public Config withMaxEjectionTime(Duration d) {
      return new Config(consecutive5xx, consecutiveGatewayFailure, baseEjectionTime, d, maxEjectionPercent,
          decayInterval);
    }

    public Config withMaxEjectionPercent(int percent) {
      return new Config(consecutive5xx, consecutiveGatewayFailure, baseEjectionTime, maxEjectionTime, percent,
          decayInterval);
    }

    public Config withDecayInterval(Duration d) {
      return new Config(consecutive5xx, consecutiveGatewayFailure, baseEjectionTime, maxEjectionTime,
          maxEjectionPercent, d);
    }

    /** How many of {@code backends} may be ejected at once. */
    public int maxEjected(int backends) {
      if (maxEjectionPercent == 0 || backends <= 0) {
        return 0;
      }
      int share = (int) ((long) backends * maxEjectionPercent / 100);
      return Math.max(share, backends >= 2 ? 1 : 0);
    }

    private static void positive(String field, Duration d) {
      Objects.requireNonNull(d, field);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + ": " + d + " (expected: > 0)");
      }
    }
  }

  /**
   * An ejection decided by {@link #onResult}: metrics and logs take it from here.
   *
   * @param multiplier n, the number of ejections in a row this one counts as (after decay)
   * @param totalEjections all ejections of this backend since it was discovered, this one included
   */
  public record Ejection(String backendId, Reason reason, int multiplier, long ejectedAtNanos, long untilNanos,
      long totalEjections) {

    /** How long the backend stays out. */
    public Duration duration() {
      return Duration.ofNanos(untilNanos - ejectedAtNanos);
    }
  }

  /** A backend's view for the stats endpoint. */
  public record BackendStats(boolean ejected, long ejectedUntilNanos, int multiplier, long totalEjections,
      int consecutive5xx, int consecutiveGatewayFailures) {
  }

  /** The consecutive counters: mutable, one per member, identity kept across table swaps. */
  private static final class Counters {
    final AtomicInteger fiveXx = new AtomicInteger();
    final AtomicInteger gateway = new AtomicInteger();

    void clear() {
      if (fiveXx.get() != 0) {
        fiveXx.set(0);
      }
      if (gateway.get() != 0) {
        gateway.set(0);
      }
    }
  }

  /** Ejection state of one member; multiplier 0 means never ejected. Immutable apart from the counters. */
  private record Member(Counters counters, int multiplier, long untilNanos, long totalEjections) {

    static Member fresh() {
      return new Member(new Counters(), 0, 0, 0);
    }

    boolean ejectedAt(long nowNanos) {
      return multiplier > 0 && nowNanos - untilNanos < 0;
    }

    int decayedMultiplier(long nowNanos, long decayNanos) {
      if (multiplier == 0 || nowNanos - untilNanos < 0) {
        return multiplier;
      }
      long healthyIntervals = (nowNanos - untilNanos) / decayNanos;
      return (int) Math.max(0, multiplier - healthyIntervals);
    }
  }

  private final Config config;
  private final long baseNanos;
  private final long capNanos;
  private final int maxMultiplier;
  private final long decayNanos;
  private final AtomicReference<Map<String, Member>> table = new AtomicReference<>(Map.of());
  private final AtomicLong overflows = new AtomicLong();

  private OutlierDetector(Config config) {
    this.config = config;
    this.baseNanos = config.baseEjectionTime().toNanos();
    this.capNanos = Math.max(config.maxEjectionTime().toNanos(), baseNanos);
    this.maxMultiplier = (int) Math.min(Integer.MAX_VALUE, (capNanos + baseNanos - 1) / baseNanos);
    this.decayNanos = config.decayInterval().toNanos();
  }

  /** A detector with no backends yet; call {@link #retain} with the discovered set. */
  public static OutlierDetector create(Config config) {
    return new OutlierDetector(Objects.requireNonNull(config, "config"));
  }

  public Config config() {
    return config;
  }

  /**
   * Records one result for {@code backendId} at {@code nowNanos}.
   *
   * @return the ejection this result caused, or empty
   */
  public Optional<Ejection> onResult(String backendId, Result result, long nowNanos) {
    Objects.requireNonNull(result, "result");
    Member member = table.get().get(backendId);
    if (member == null || member.ejectedAt(nowNanos)) {
      return Optional.empty();
    }
    Counters c = member.counters();
    if (result == Result.SUCCESS) {
      c.clear();
      return Optional.empty();
    }
    int fiveXx = c.fiveXx.incrementAndGet();
    int gateway;
    if (result.isGatewayFailure()) {
      gateway = c.gateway.incrementAndGet();
    } else {
      if (c.gateway.get() != 0) {
        c.gateway.set(0);
      }
      gateway = 0;
    }
    if (config.consecutive5xx() > 0 && fiveXx >= config.consecutive5xx()) {
      return tryEject(backendId, Reason.CONSECUTIVE_5XX, nowNanos);
    }
    if (config.consecutiveGatewayFailure() > 0 && gateway >= config.consecutiveGatewayFailure()) {
      return tryEject(backendId, Reason.CONSECUTIVE_GATEWAY_FAILURE, nowNanos);
    }
    return Optional.empty();
  }

  private Optional<Ejection> tryEject(String backendId, Reason reason, long nowNanos) {
    while (true) {
      Map<String, Member> current = table.get();
      Member member = current.get(backendId);
      if (member == null || member.ejectedAt(nowNanos)) {
        return Optional.empty();
      }
      int ejected = 0;
      for (Member m : current.values()) {
        if (m.ejectedAt(nowNanos)) {
          ejected++;
        }
      }
      if (ejected >= config.maxEjected(current.size())) {
        overflows.incrementAndGet();
        return Optional.empty();
      }
      int multiplier = Math.min(member.decayedMultiplier(nowNanos, decayNanos) + 1, maxMultiplier);
      long length = Math.min(capNanos, baseNanos * multiplier);
      Member next = new Member(member.counters(), multiplier, nowNanos + length, member.totalEjections() + 1);
      Map<String, Member> updated = new HashMap<>(current);
      updated.put(backendId, next);
      if (table.compareAndSet(current, Map.copyOf(updated))) {
        member.counters().fiveXx.set(0);
        member.counters().gateway.set(0);
        return Optional.of(new Ejection(backendId, reason, multiplier, nowNanos, next.untilNanos(),
            next.totalEjections()));
      }
    }
  }

  /** Whether {@code backendId} is ejected at {@code nowNanos} (false for unknown ids). */
  public boolean isEjected(String backendId, long nowNanos) {
    Member member = table.get().get(backendId);
    return member != null && member.ejectedAt(nowNanos);
  }

  /**
   * When the ejection of {@code backendId} in force at {@code nowNanos} ends, or {@code nowNanos} when it is
   * not ejected (nor known): a caller caching "who is ejected" knows when to look again.
   */
  public long ejectedUntilNanos(String backendId, long nowNanos) {
    Member member = table.get().get(backendId);
    return member != null && member.ejectedAt(nowNanos) ? member.untilNanos() : nowNanos;
  }

  /** The ids ejected at {@code nowNanos}, sorted. */
  public Set<String> ejectedIds(long nowNanos) {
    Set<String> ids = new TreeSet<>();
    table.get().forEach((id, m) -> {
      if (m.ejectedAt(nowNanos)) {
        ids.add(id);
      }
    });
    return ids;
  }

  /**
   * Makes {@code ids} the known backends: ids not in it are forgotten (with their ejection history), new
   * ones start healthy with no history. Call it with the whole discovered set on every change.
   */
  public void retain(Set<String> ids) {
    Objects.requireNonNull(ids, "ids");
    while (true) {
      Map<String, Member> current = table.get();
      Map<String, Member> updated = new HashMap<>();
      for (String id : ids) {
        updated.put(Objects.requireNonNull(id, "ids element"), current.getOrDefault(id, Member.fresh()));
      }
      if (table.compareAndSet(current, Map.copyOf(updated))) {
        return;
      }
    }
  }

  /** The known backend ids, sorted. */
  public Set<String> backends() {
    return new TreeSet<>(table.get().keySet());
  }

  /** All ejections of {@code backendId} since it was discovered (0 for unknown ids). */
  public long ejections(String backendId) {
    Member member = table.get().get(backendId);
    return member == null ? 0 : member.totalEjections();
  }

  /** How many ejections were refused because the ejected share was at its maximum. */
  public long overflows() {
    return overflows.get();
  }

  /** Per-backend figures at {@code nowNanos}, sorted by id. */
  public Map<String, BackendStats> stats(long nowNanos) {
    Map<String, BackendStats> stats = new TreeMap<>();
    table.get().forEach((id, m) -> stats.put(id, new BackendStats(m.ejectedAt(nowNanos), m.untilNanos(),
        m.decayedMultiplier(nowNanos, decayNanos), m.totalEjections(), m.counters().fiveXx.get(),
        m.counters().gateway.get())));
    return stats;
  }
}
