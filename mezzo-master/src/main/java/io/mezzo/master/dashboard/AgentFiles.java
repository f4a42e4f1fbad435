package io.mezzo.master.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.auth.Caller;
import io.mezzo.core.http.HttpError;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.json.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The master's calls to its agents for the dashboard, made as the master's own {@link Caller} (its
 * secret and TLS context), so that a caller with viewer access on the master needs none on the agents:
 * <ul>
 *   <li>the files API, proxied ({@link #read}, {@link #browse}): the agent's status and body are passed
 *       through; a read asks for at most {@link #MAX_LENGTH} bytes; the agent's container images
 *       ({@link #images}), likewise;
 *   <li>{@code /monitor/statistics} ({@link #usage}), summed per agent, for agents whose last heartbeat
 *       carried no usage: each agent's answer (or failure) is kept {@link #USAGE_TTL} so that a dashboard
 *       polling every second costs an agent one request per {@code USAGE_TTL}; concurrent askers share one
 *       request.
 * </ul>
 * An agent that does not answer within {@link #TIMEOUT} is a 504; one that refuses the connection, or the
 * master's credential (its 401 or 403: a misconfiguration, not the caller's fault), a 502 that says so.
 *
 * <p>Thread-safe: the HTTP client is, and the usage cache is a concurrent map of immutable entries.
 * Time ({@code nanoTime}) is injected for the cache's expiry.
 */
public final class AgentFiles {
  /** The most bytes one read asks an agent for (the agents' own limit). */
  public static final int MAX_LENGTH = 1024 * 1024;
  static final Duration TIMEOUT = Duration.ofSeconds(3);
  static final Duration USAGE_TIMEOUT = Duration.ofSeconds(1);
  static final Duration USAGE_TTL = Duration.ofSeconds(5);

  private final JsonClient files;
  private final JsonClient usageClient;
  private final LongSupplier nanoTime;
  private final Map<String, Cached> usage = new ConcurrentHashMap<>();

  private record Cached(CompletableFuture<Object> answer, long atNanos) {}

  public AgentFiles(Caller caller, LongSupplier nanoTime) {
    Objects.requireNonNull(caller, "caller");
    this.files = new JsonClient(Duration.ofSeconds(1), TIMEOUT, caller);
    this.usageClient = new JsonClient(USAGE_TIMEOUT, USAGE_TIMEOUT, caller);
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /** {@code GET /files/read} on the agent at {@code address}; {@code length} is at most {@link #MAX_LENGTH}. */
  public CompletableFuture<HttpResponse> read(String agentId, String address, String path, long offset, long length) {
    return proxy(agentId, address, "/files/read?path=" + encode(path) + "&offset=" + offset + "&length="
        + Math.min(length, MAX_LENGTH));
  }

  /** {@code GET /files/browse} on the agent at {@code address}. */
  public CompletableFuture<HttpResponse> browse(String agentId, String address, String path) {
    return proxy(agentId, address, "/files/browse?path=" + encode(path));
  }

  /** {@code GET /images} on the agent at {@code address}: its container images and the tasks using them. */
  public CompletableFuture<HttpResponse> images(String agentId, String address) {
    return proxy(agentId, address, "/images");
  }

  private CompletableFuture<HttpResponse> proxy(String agentId, String address, String pathAndQuery) {
    return files.get(files.uri(address, pathAndQuery)).handle((reply, error) -> {
      if (error != null) {
        throw unreachable(agentId, address, error);
      }
      if (reply.status() == 401 || reply.status() == 403) {
        throw new HttpError(502, "agent_id: '" + agentId + "' at " + address + " refused the master's credential"
            + " (HTTP " + reply.status() + ": " + reply.body() + "; expected: the master started with a --secret-file"
            + " whose secret the agents accept)");
      }
      String type = reply.headers().getOrDefault("content-type", HttpResponse.TEXT);
      return new HttpResponse(reply.status(), type, reply.body().getBytes(StandardCharsets.UTF_8), Map.of(), null);
    });
  }

  private static HttpError unreachable(String agentId, String address, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    boolean timeout = cause instanceof java.net.http.HttpTimeoutException;
    return new HttpError(timeout ? 504 : 502, "agent_id: '" + agentId + "' at " + address
        + (timeout ? " did not answer within " + TIMEOUT.toMillis() + " ms" : " cannot be reached: " + cause));
  }

  /**
   * The agent's usage from its {@code /monitor/statistics}, summed: {@code {"source": "agent", "timestamp",
   * "cpus_used": null, "mem_rss_bytes", "cpus_time_secs", "tasks": [{"task_id", "framework_id",
   * "mem_rss_bytes", "mem_limit_bytes", "cpus_time_secs"}]}} (the agent reports cumulative cpu times, not
   * a rate); completes with null when the agent did not answer in time or answered something else.
   */
  public CompletableFuture<Object> usage(String agentId, String address) {
    long now = nanoTime.getAsLong();
    // compute() is atomic per key: one request per agent and TTL however many ask at once
    return usage.compute(agentId, (id, old) -> old != null && now - old.atNanos() < USAGE_TTL.toNanos()
        && now - old.atNanos() >= 0 ? old : new Cached(fetchUsage(address), now)).answer();
  }

  /** Forgets the cached usage of agents other than {@code agentIds}. */
  public void retain(Collection<String> agentIds) {
    usage.keySet().retainAll(agentIds);
  }

  private CompletableFuture<Object> fetchUsage(String address) {
    return usageClient.get(usageClient.uri(address, "/monitor/statistics"))
        .thenApply(reply -> reply.ok() ? summed(Json.read(reply.body().getBytes(StandardCharsets.UTF_8),
            JsonNode.class)) : null)
        .exceptionally(e -> null);
  }

  /** {@code /monitor/statistics} entries summed as {@link #usage} describes; null for another shape. */
  static Object summed(JsonNode entries) {
    if (!entries.isArray()) {
      return null;
    }
    long rss = 0;
    double cpuTime = 0;
    double timestamp = 0;
    List<Object> tasks = new ArrayList<>();
    for (JsonNode e : entries) {
      JsonNode s = e.path("statistics");
      double taskCpu = s.path("cpus_user_time_secs").asDouble(0) + s.path("cpus_system_time_secs").asDouble(0);
      long taskRss = s.path("mem_rss_bytes").asLong(0);
      rss += taskRss;
      cpuTime += taskCpu;
      timestamp = Math.max(timestamp, s.path("timestamp").asDouble(0));
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("task_id", e.path("executor_id").asText());
      t.put("framework_id", e.path("framework_id").asText());
      t.put("mem_rss_bytes", taskRss);
      t.put("mem_limit_bytes", s.hasNonNull("mem_limit_bytes") ? s.get("mem_limit_bytes").asLong()
          : DashboardViews.orNull(null));
      t.put("cpus_time_secs", taskCpu);
      tasks.add(t);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("source", "agent");
    out.put("timestamp", timestamp);
    out.put("cpus_used", DashboardViews.orNull(null));
    out.put("mem_rss_bytes", rss);
    out.put("cpus_time_secs", cpuTime);
    out.put("tasks", tasks);
    return out;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
