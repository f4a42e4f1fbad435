package io.mezzo.balancer.route;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the labels of one service port {@code n} that shape its {@link RoutePolicy}:
 * <ul>
 *   <li>{@code MEZZO_LB_HEALTHCHECK_n} ({@code on}, default, or {@code off}), {@code MEZZO_LB_HEALTHCHECK_PATH_n}
 *       (an HTTP check; default: the path of the app's own HTTP health check on port n, if it has one, else a
 *       TCP connect check), {@code MEZZO_LB_HEALTHCHECK_INTERVAL_n} (2s), {@code MEZZO_LB_HEALTHCHECK_TIMEOUT_n}
 *       (the interval, at least 1s), {@code MEZZO_LB_HEALTHCHECK_RISE_n} (2), {@code MEZZO_LB_HEALTHCHECK_FALL_n} (3);
 *   <li>{@code MEZZO_LB_PANIC_THRESHOLD_n} (percent, 50);
 *   <li>{@code MEZZO_LB_RETRIES_n} (2), {@code MEZZO_LB_RETRY_BUDGET_n} (percent of requests, 20),
 *       {@code MEZZO_LB_RETRY_MIN_PER_SECOND_n} (10), {@code MEZZO_LB_RETRY_ON_n} (comma-separated 5xx
 *       statuses; none by default);
 *   <li>{@code MEZZO_LB_MAX_CONN_n} (10000), {@code MEZZO_LB_MAX_PENDING_n} (1024),
 *       {@code MEZZO_LB_QUEUE_TIMEOUT_n} (5s);
 *   <li>{@code MEZZO_LB_TRY_TIMEOUT_n} (how long one attempt waits for its response head; none by default).
 * </ul>
 * Durations are {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 1m} or a bare number of seconds. A bad
 * value is reported naming the label, the value and what was expected, and its default is used.
 *
 * <p>Pure and stateless.
 */
final class PolicyLabels {
  /** A check's timeout defaults to its interval, but not below this (short intervals are for quick detection). */
  private static final Duration MIN_DEFAULT_TIMEOUT = Duration.ofSeconds(1);

  private PolicyLabels() {}

  /**
   * The policy of port {@code n}; {@code appHealthPath} is the path of the app's HTTP health check on that
   * port, or null.
   */
  static RoutePolicy parse(Map<String, String> labels, int n, String appHealthPath, List<String> errors) {
    HealthCheckSpec check = healthCheck(labels, n, appHealthPath, errors);
    int panic = integer(labels, "MEZZO_LB_PANIC_THRESHOLD_" + n, RoutePolicy.DEFAULT_PANIC_THRESHOLD, 0, 100,
        "a percentage from 0 to 100", errors);
    int retries = integer(labels, "MEZZO_LB_RETRIES_" + n, RoutePolicy.DEFAULT_MAX_RETRIES, 0, 10,
        "a number of retries from 0 to 10", errors);
    int budget = integer(labels, "MEZZO_LB_RETRY_BUDGET_" + n, (int) RoutePolicy.DEFAULT_RETRY_BUDGET_PERCENT, 0,
        1000, "a percentage of requests from 0 to 1000", errors);
    int minPerSecond = integer(labels, "MEZZO_LB_RETRY_MIN_PER_SECOND_" + n, RoutePolicy.DEFAULT_RETRY_MIN_PER_SECOND,
        0, 100_000, "retries per second from 0 to 100000", errors);
    Set<Integer> retryOn = statuses(labels, "MEZZO_LB_RETRY_ON_" + n, errors);
    int maxConn = integer(labels, "MEZZO_LB_MAX_CONN_" + n, RoutePolicy.DEFAULT_MAX_CONNECTIONS, 1, 1_000_000,
        "a number from 1 to 1000000", errors);
    int maxPending = integer(labels, "MEZZO_LB_MAX_PENDING_" + n, RoutePolicy.DEFAULT_MAX_PENDING, 0, 1_000_000,
        "a number from 0 to 1000000", errors);
    Duration queueTimeout = duration(labels, "MEZZO_LB_QUEUE_TIMEOUT_" + n, RoutePolicy.DEFAULT_QUEUE_TIMEOUT, errors);
    Duration tryTimeout = duration(labels, "MEZZO_LB_TRY_TIMEOUT_" + n, null, errors);
    return new RoutePolicy(check, panic, retries, budget, minPerSecond, retryOn, maxConn, maxPending, queueTimeout,
        tryTimeout);
  }

  private static HealthCheckSpec healthCheck(Map<String, String> labels, int n, String appHealthPath,
      List<String> errors) {
    String onOff = labels.get("MEZZO_LB_HEALTHCHECK_" + n);
    boolean on = true;
    if (onOff != null) {
      switch (onOff.trim().toLowerCase(Locale.ROOT)) {
        case "on", "true" -> on = true;
        case "off", "false" -> on = false;
        default -> errors.add("MEZZO_LB_HEALTHCHECK_" + n + ": '" + onOff + "' (expected: on or off)");
      }
    }
    String pathLabel = "MEZZO_LB_HEALTHCHECK_PATH_" + n;
    String path = appHealthPath != null && appHealthPath.startsWith("/") ? appHealthPath : null;
    String given = labels.get(pathLabel);
    if (given != null) {
      String p = given.trim();
      if (!p.startsWith("/") || p.contains(" ")) {
        errors.add(pathLabel + ": '" + given + "' (expected: an HTTP path starting with /)");
      } else {
        path = p;
      }
    }
    Duration interval = duration(labels, "MEZZO_LB_HEALTHCHECK_INTERVAL_" + n, HealthCheckSpec.DEFAULT_INTERVAL,
        errors);
    Duration timeout = duration(labels, "MEZZO_LB_HEALTHCHECK_TIMEOUT_" + n,
        interval.compareTo(MIN_DEFAULT_TIMEOUT) < 0 ? MIN_DEFAULT_TIMEOUT : interval, errors);
    int rise = integer(labels, "MEZZO_LB_HEALTHCHECK_RISE_" + n, HealthCheckSpec.DEFAULT_RISE, 1, 100,
        "a number of checks from 1 to 100", errors);
    int fall = integer(labels, "MEZZO_LB_HEALTHCHECK_FALL_" + n, HealthCheckSpec.DEFAULT_FALL, 1, 100,
        "a number of checks from 1 to 100", errors);
    return on ? new HealthCheckSpec(path, interval, timeout, rise, fall) : null;
  }

  private static int integer(Map<String, String> labels, String name, int fallback, int min, int max,
      String expected, List<String> errors) {
    String v = labels.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      int i = Integer.parseInt(v.trim());
      if (i >= min && i <= max) {
        return i;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    errors.add(name + ": '" + v + "' (expected: " + expected + ")");
    return fallback;
  }

  private static Set<Integer> statuses(Map<String, String> labels, String name, List<String> errors) {
    String v = labels.get(name);
    Set<Integer> out = new LinkedHashSet<>();
    if (v == null) {
      return out;
    }
    for (String part : v.split(",")) {
      String s = part.trim();
      if (s.isEmpty()) {
        continue;
      }
      try {
        int status = Integer.parseInt(s);
        if (status >= 500 && status <= 599) {
          out.add(status);
          continue;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      errors.add(name + ": '" + v + "' (expected: comma-separated statuses from 500 to 599, such as 503)");
      return Set.of();
    }
    return out;
  }

  /** {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 1m}, or a bare number of seconds; 1 ms to 1 h. */
  static Duration duration(Map<String, String> labels, String name, Duration fallback, List<String> errors) {
    String v = labels.get(name);
    if (v == null) {
      return fallback;
    }
    Duration d = parseDuration(v.trim().toLowerCase(Locale.ROOT));
    if (d == null || d.compareTo(Duration.ofMillis(1)) < 0 || d.compareTo(Duration.ofHours(1)) > 0) {
      errors.add(name + ": '" + v + "' (expected: a duration from 1ms to 1h such as 500ms, 2s or 1m)");
      return fallback;
    }
    return d;
  }

  private static Duration parseDuration(String v) {
    String number = v;
    long unitMillis = 1000;
    if (v.endsWith("ms")) {
      number = v.substring(0, v.length() - 2);
      unitMillis = 1;
    } else if (v.endsWith("s")) {
      number = v.substring(0, v.length() - 1);
    } else if (v.endsWith("m")) {
      number = v.substring(0, v.length() - 1);
      unitMillis = 60_000;
    }
    try {
      BigDecimal millis = new BigDecimal(number.trim()).multiply(BigDecimal.valueOf(unitMillis));
      if (millis.signum() <= 0 || millis.compareTo(BigDecimal.valueOf(3_600_000L)) > 0) {
        return null;
      }
      return Duration.ofNanos(millis.multiply(BigDecimal.valueOf(1_000_000L)).longValue());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
