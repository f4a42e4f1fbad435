package io.mezzo.agent.health;

import io.mezzo.core.model.CheckInfo;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.HealthCheck;
import java.time.Duration;

/**
 * One validated probe of a task: a {@link HealthCheck} or a {@link CheckInfo} with the Mesos defaults
 * filled in (delay 15 s, interval 10 s, timeout 20 s, 3 consecutive failures, grace 10 s). Built by
 * {@link #of(HealthCheck)} and {@link #of(CheckInfo)}, which throw {@link IllegalArgumentException}s
 * naming the field ({@code "health_check.http.port: 0 (expected: 1..65535)"}). Immutable.
 *
 * @param scheme {@code http} or {@code https} for HTTP probes, else null
 * @param consecutiveFailures failures in a row that get the task killed; 0 for a check, which never kills
 */
public record ProbeSpec(
    String field,
    CheckInfo.Type type,
    int port,
    String scheme,
    String path,
    CommandInfo command,
    Duration delay,
    Duration interval,
    Duration timeout,
    int consecutiveFailures,
    Duration gracePeriod) {

  static final double DEFAULT_DELAY = 15;
  static final double DEFAULT_INTERVAL = 10;
  static final double DEFAULT_TIMEOUT = 20;
  static final int DEFAULT_CONSECUTIVE_FAILURES = 3;
  static final double DEFAULT_GRACE = 10;

  /** Whether this is a health check (whose failures kill), not a check. */
  public boolean isHealthCheck() {
    return consecutiveFailures > 0;
  }

  /** The health check of a task, validated. */
  public static ProbeSpec of(HealthCheck h) {
    String f = "health_check";
    CheckInfo.Type type = required(f, h.type());
    int port = 0;
    String scheme = null;
    String path = null;
    CommandInfo command = null;
    switch (type) {
      case HTTP -> {
        if (h.http() == null) {
          throw new IllegalArgumentException(f + ".http: missing (expected: {port, path} for an HTTP health check)");
        }
        port = port(f + ".http.port", h.http().port());
        path = path(f + ".http.path", h.http().path());
        scheme = h.http().scheme() == null ? "http" : h.http().scheme();
        if (!scheme.equals("http") && !scheme.equals("https")) {
          throw new IllegalArgumentException(f + ".http.scheme: '" + scheme + "' (expected: http or https)");
        }
      }
      case TCP -> {
        if (h.tcp() == null) {
          throw new IllegalArgumentException(f + ".tcp: missing (expected: {port} for a TCP health check)");
        }
        port = port(f + ".tcp.port", h.tcp().port());
      }
      case COMMAND -> command = command(f + ".command", h.command());
      default -> throw unknownType(f, type);
    }
    int failures = h.consecutiveFailures() == null ? DEFAULT_CONSECUTIVE_FAILURES : h.consecutiveFailures();
    if (failures < 1) {
      throw new IllegalArgumentException(f + ".consecutive_failures: " + failures + " (expected: >= 1)");
    }
    return new ProbeSpec(f, type, port, scheme, path, command,
        seconds(f + ".delay_seconds", h.delaySeconds(), DEFAULT_DELAY, true),
        seconds(f + ".interval_seconds", h.intervalSeconds(), DEFAULT_INTERVAL, false),
        seconds(f + ".timeout_seconds", h.timeoutSeconds(), DEFAULT_TIMEOUT, false),
        failures,
        seconds(f + ".grace_period_seconds", h.gracePeriodSeconds(), DEFAULT_GRACE, true));
  }

  /** The check of a task, validated. */
  public static ProbeSpec of(CheckInfo c) {
    String f = "check";
    CheckInfo.Type type = required(f, c.type());
    int port = 0;
    String scheme = null;
    String path = null;
    CommandInfo command = null;
    switch (type) {
      case HTTP -> {
        if (c.http() == null) {
          throw new IllegalArgumentException(f + ".http: missing (expected: {port, path} for an HTTP check)");
        }
        port = port(f + ".http.port", c.http().port());
        path = path(f + ".http.path", c.http().path());
        scheme = "http";
      }
      case TCP -> {
        if (c.tcp() == null) {
          throw new IllegalArgumentException(f + ".tcp: missing (expected: {port} for a TCP check)");
        }
        port = port(f + ".tcp.port", c.tcp().port());
      }
      case COMMAND -> command = command(f + ".command.command", c.command() == null ? null : c.command().command());
      default -> throw unknownType(f, type);
    }
    return new ProbeSpec(f, type, port, scheme, path, command,
        seconds(f + ".delay_seconds", c.delaySeconds(), DEFAULT_DELAY, true),
        seconds(f + ".interval_seconds", c.intervalSeconds(), DEFAULT_INTERVAL, false),
        seconds(f + ".timeout_seconds", c.timeoutSeconds(), DEFAULT_TIMEOUT, false),
        0, Duration.ZERO);
  }

  private static CheckInfo.Type required(String f, CheckInfo.Type type) {
    if (type == null) {
      throw new IllegalArgumentException(f + ".type: missing (expected: COMMAND, HTTP or TCP)");
    }
    return type;
  }

  private static IllegalArgumentException unknownType(String f, CheckInfo.Type type) {
    return new IllegalArgumentException(f + ".type: " + type + " (expected: COMMAND, HTTP or TCP)");
  }

  private static int port(String field, Integer port) {
    if (port == null || port < 1 || port > 65535) {
      throw new IllegalArgumentException(field + ": " + port + " (expected: 1..65535)");
    }
    return port;
  }

  private static String path(String field, String path) {
    if (path == null || path.isEmpty()) {
      return "/";
    }
    if (!path.startsWith("/") || path.chars().anyMatch(ch -> ch <= ' ' || ch == 127)) {
      throw new IllegalArgumentException(field + ": '" + path + "' (expected: an absolute path without spaces, such as /health)");
    }
    return path;
  }

  private static CommandInfo command(String field, CommandInfo command) {
    if (command == null || command.value() == null || command.value().isBlank()) {
      throw new IllegalArgumentException(field + ".value: missing (expected: the command to run)");
    }
    return command;
  }

  private static Duration seconds(String field, Double value, double dflt, boolean zeroAllowed) {
    double s = value == null ? dflt : value;
    if (!Double.isFinite(s) || s < 0 || (!zeroAllowed && s == 0) || s > 365 * 86400) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: " + (zeroAllowed ? ">= 0" : "> 0")
          + " seconds, at most a year)");
    }
    return Duration.ofNanos((long) (s * 1e9));
  }
}
