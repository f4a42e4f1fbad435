package io.mezzo.balancer.health;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Whether a failed attempt is retried. Rules, in order:
 * <ol>
 *   <li>at most {@code maxRetries} retries per request (default 2, so three attempts in all);
 *   <li>a {@link FailureKind#CONNECT_FAILURE} is always retryable: nothing reached the backend (the proxy
 *       holds the request until the connection is up, so the body is still there);
 *   <li>otherwise (a 5xx response, a timeout, a reset after sending) the request may have had effects:
 *       only idempotent methods (RFC 9110 section 9.2.2: GET, HEAD, OPTIONS, PUT, DELETE, TRACE) are
 *       retried, and only if the body sent so far fits the replay buffer ({@code maxReplayBodyBytes},
 *       default 64 KiB): a body streamed beyond it cannot be sent again;
 *   <li>last, {@link #decide} withdraws from the {@link RetryBudget}, so the budget is only spent on
 *       retries the rules above allow.
 * </ol>
 * A retry goes to another backend: the caller excludes the backends already tried when it picks (and
 * falls back to a tried one only if no other is routable).
 *
 * <p>Thread safety: immutable; {@link #shouldRetry} is a pure function. {@link #decide} touches only the
 * budget, which is thread-safe.
 */
public final class RetryPolicy {

  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

  /** How an attempt failed. */
  public enum FailureKind {
    /** The connection to the backend was not established; nothing was sent. */
    CONNECT_FAILURE,
    /** The backend answered 5xx (before anything was forwarded to the client). */
    HTTP_5XX,
    /** No response in time. */
    TIMEOUT,
    /** The connection broke after the request (or part of it) was sent. */
    RESET
  }

  /** The verdict; only {@link #RETRY} retries, the others name the rule that said no. */
  public enum Decision {
    RETRY, ATTEMPTS_EXHAUSTED, NOT_IDEMPOTENT, BODY_NOT_REPLAYABLE, BUDGET_EXHAUSTED;

    public boolean retry() {
      return this == RETRY;
    }
  }

  private final int maxRetries;
  private final long maxReplayBodyBytes;

  private RetryPolicy(int maxRetries, long maxReplayBodyBytes) {
    this.maxRetries = maxRetries;
    this.maxReplayBodyBytes = maxReplayBodyBytes;
  }

  /** A policy with {@code maxRetries >= 0} retries and a replay buffer of {@code maxReplayBodyBytes >= 0}. */
  public static RetryPolicy of(int maxRetries, long maxReplayBodyBytes) {
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries: " + maxRetries + " (expected: >= 0)");
    }
    if (maxReplayBodyBytes < 0) {
      throw new IllegalArgumentException("maxReplayBodyBytes: " + maxReplayBodyBytes + " (expected: >= 0)");
    }
    return new RetryPolicy(maxRetries, maxReplayBodyBytes);
  }

  /** Two retries, 64 KiB replay buffer. */
  public static RetryPolicy defaults() {
    return of(2, 64 * 1024);
  }

  public int maxRetries() {
    return maxRetries;
  }

  public long maxReplayBodyBytes() {
    return maxReplayBodyBytes;
  }

  /** Whether {@code method} is idempotent (case-insensitive). */
  public static boolean isIdempotent(String method) {
    return IDEMPOTENT.contains(Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT));
  }

  /**
   * The rules without the budget.
   *
   * @param retriesSoFar retries already made for this request (0 after the first attempt failed)
   * @param bodyBytesSent request body bytes sent to the backend in the failed attempt
   */
  public Decision shouldRetry(String method, int retriesSoFar, FailureKind kind, long bodyBytesSent) {
    Objects.requireNonNull(kind, "kind");
    if (retriesSoFar < 0) {
      throw new IllegalArgumentException("retriesSoFar: " + retriesSoFar + " (expected: >= 0)");
    }
    if (retriesSoFar >= maxRetries) {
      return Decision.ATTEMPTS_EXHAUSTED;
    }
    if (kind == FailureKind.CONNECT_FAILURE) {
      return Decision.RETRY;
    }
    if (!isIdempotent(method)) {
      return Decision.NOT_IDEMPOTENT;
    }
    if (bodyBytesSent > maxReplayBodyBytes) {
      return Decision.BODY_NOT_REPLAYABLE;
    }
    return Decision.RETRY;
  }

  /** The rules, then a withdrawal from {@code budget} if they allow a retry. */
  public Decision decide(String method, int retriesSoFar, FailureKind kind, long bodyBytesSent,
      RetryBudget budget, long nowNanos) {
    Decision decision = shouldRetry(method, retriesSoFar, kind, bodyBytesSent);
    if (decision.retry() && !budget.tryWithdraw(nowNanos)) {
      return Decision.BUDGET_EXHAUSTED;
    }
    return decision;
  }
}
