package io.mezzo.cli.sample;

import java.time.Duration;

/**
 * How a {@link SampleServer} behaves, validated when built.
 *
 * @param host address to listen on ({@code 0.0.0.0} for every interface)
 * @param port port to listen on (0 picks a free one)
 * @param cpu CPU time each {@code GET /} burns on a worker thread
 * @param latency how long each {@code GET /} then waits before it answers (no thread is held), until
 *     {@code POST /latency} changes it
 * @param failHealth when {@code /health} starts failing by itself
 * @param workers threads that burn the requests' CPU
 * @param instance the name {@code GET /} answers with (the task id when it runs as a task)
 * @param concurrency how many {@code GET /} requests are served at once, the others waiting their turn
 *     in arrival order (a server with that many request threads); 0 for no limit
 */
public record SampleConfig(String host, int port, Duration cpu, Duration latency, FailHealth failHealth,
    int workers, String instance, int concurrency) {

  /** When {@code /health} starts failing by itself. */
  public sealed interface FailHealth {
    /** Health never fails by itself. */
    public record Never() implements FailHealth {}

    /** Health fails once {@code requests} {@code GET /} requests were served. */
    public record AfterRequests(long requests) implements FailHealth {
      public AfterRequests {
        if (requests < 0) {
          throw new IllegalArgumentException("requests: " + requests + " (expected: >= 0)");
        }
      }
    }

    /** Health fails {@code after} the server started. */
    public record AfterTime(Duration after) implements FailHealth {
      public AfterTime {
        if (after.isNegative()) {
          throw new IllegalArgumentException("after: " + after + " (expected: >= 0)");
        }
      }
    }

    /**
     * Parses {@code --fail-health-after}: a plain number counts requests ({@code 100}), a number with
     * a unit is a time since the start ({@code 500ms}, {@code 30s}, {@code 2m}).
     */
    public static FailHealth parse(String text) {
      String v = text.trim();
      try {
        if (v.matches("\\d+")) {
          return new AfterRequests(Long.parseLong(v));
        }
        if (v.matches("\\d+ms")) {
          return new AfterTime(Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2))));
        }
        if (v.matches("\\d+[sm]")) {
          long n = Long.parseLong(v.substring(0, v.length() - 1));
          return new AfterTime(v.endsWith("s") ? Duration.ofSeconds(n) : Duration.ofMinutes(n));
        }
      } catch (NumberFormatException e) {
        // too large: reported below
      }
      throw new IllegalArgumentException("--fail-health-after: '" + text
          + "' (expected: a count of requests such as 100, or a time such as 500ms, 30s or 2m)");
    }
  }

  public SampleConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host: '" + host + "' (expected: an address such as 0.0.0.0)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    if (cpu.isNegative()) {
      throw new IllegalArgumentException("cpu: " + cpu.toMillis() + " ms (expected: >= 0)");
    }
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency: " + latency.toMillis() + " ms (expected: >= 0)");
    }
    if (workers < 1 || workers > 1024) {
      throw new IllegalArgumentException("workers: " + workers + " (expected: 1..1024)");
    }
    if (concurrency < 0 || concurrency > 100_000) {
      throw new IllegalArgumentException("--concurrency: " + concurrency + " (expected: 0 for no limit, or 1..100000)");
    }
    if (!cpu.isZero() && !CpuBurner.supported()) {
      throw new IllegalArgumentException("cpu: " + cpu.toMillis()
          + " ms (expected: 0 on this JVM, which cannot measure a thread's CPU time)");
    }
  }

  /**
   * A configuration from the command line's terms: milliseconds, and {@code --fail-health-after} as
   * text ({@code null} for never; see {@link FailHealth#parse}).
   */
  public static SampleConfig of(String host, int port, long cpuMs, long latencyMs, String failHealthAfter,
      int workers, String instance) {
    if (cpuMs < 0) {
      throw new IllegalArgumentException("--cpu-ms: " + cpuMs + " (expected: >= 0)");
    }
    if (latencyMs < 0) {
      throw new IllegalArgumentException("--latency-ms: " + latencyMs + " (expected: >= 0)");
    }
    FailHealth rule = failHealthAfter == null ? new FailHealth.Never()
        : FailHealth.parse(failHealthAfter);
    return new SampleConfig(host, port, Duration.ofMillis(cpuMs), Duration.ofMillis(latencyMs), rule, workers,
        instance, 0);
  }

  /** This configuration serving at most {@code n} {@code GET /} requests at once (0: no limit). */
  public SampleConfig withConcurrency(int n) {
    return new SampleConfig(host, port, cpu, latency, failHealth, workers, instance, n);
  }
}
