package io.mezzo.balancer.route;

import java.time.Duration;
import java.util.Objects;

/**
 * The load balancer's own active health check of a route's backends (HAProxy's {@code check inter rise
 * fall}): every {@code interval} each serving backend gets an HTTP {@code GET path} that must answer 2xx or
 * 3xx within {@code timeout}, or, without a path, a TCP connect that must succeed within it; {@code fall}
 * failures in a row take a backend DOWN, {@code rise} passes in a row bring it back. Immutable; validated
 * when built.
 *
 * @param path the HTTP path to GET, starting with {@code /}; null for a TCP connect check
 * @param interval time between the end of one check and the start of the next, {@code > 0}
 * @param timeout the longest a check may take (connect and answer), {@code > 0}
 * @param rise passing checks in a row that bring a DOWN backend UP, {@code >= 1}
 * @param fall failing checks in a row that take an UP backend DOWN, {@code >= 1}
 */
public record HealthCheckSpec(String path, Duration interval, Duration timeout, int rise, int fall) {
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
  public static final int DEFAULT_RISE = 2;
  public static final int DEFAULT_FALL = 3;

  public HealthCheckSpec {
    if (path != null && !path.startsWith("/")) {
      throw new IllegalArgumentException("path: '" + path + "' (expected: a path starting with /)");
    }
    positive("interval", interval);
    positive("timeout", timeout);
    if (rise < 1) {
      throw new IllegalArgumentException("rise: " + rise + " (expected: >= 1)");
    }
    if (fall < 1) {
      throw new IllegalArgumentException("fall: " + fall + " (expected: >= 1)");
    }
  }

  /** A TCP connect check every 2 s (timeout 2 s), rise 2, fall 3. */
  public static HealthCheckSpec defaults() {
    return new HealthCheckSpec(null, DEFAULT_INTERVAL, DEFAULT_INTERVAL, DEFAULT_RISE, DEFAULT_FALL);
  }

  /** Whether the check is an HTTP GET (else a TCP connect). */
  public boolean http() {
    return path != null;
  }

  private static void positive(String field, Duration d) {
    Objects.requireNonNull(d, field);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(field + ": " + d + " (expected: > 0)");
    }
  }
}
