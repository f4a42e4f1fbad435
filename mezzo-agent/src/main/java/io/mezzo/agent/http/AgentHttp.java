package io.mezzo.agent.http;

import io.mezzo.core.auth.Access;
import io.mezzo.core.auth.Security;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * The agent's HTTP API: {@code GET /health} ("ok"), {@code GET /state} (the agent and its tasks, as
 * JSON), {@code GET /files/read} and {@code GET /files/browse} (see {@link SandboxFiles}) and
 * {@code GET /monitor/statistics} (each running task's usage, in the Mesos shape; see
 * {@code MonitorStatistics}), {@code GET /images} (the container images in the agent's store and the
 * tasks using each) and {@code GET /metrics} (Prometheus text; see {@code ProcessMetrics}).
 *
 * <p>{@code /health} is open (a ping for supervisors); every other endpoint, the files API included,
 * needs the viewer level when the agent has credentials.
 *
 * <p>Handlers run on Netty event loops and never block there: the state is computed on the agent loop
 * (the {@code state} supplier hands over to it) and files are read on {@code fileReader}.
 */
public final class AgentHttp {
  private AgentHttp() {}

  /** Binds and starts the server; the caller closes it. */
  public static HttpServer start(String host, int port, Security security, Supplier<CompletionStage<Object>> state,
      SandboxFiles files, ExecutorService fileReader, Supplier<CompletionStage<Object>> statistics,
      io.mezzo.core.metrics.ProcessMetrics metrics, Supplier<CompletionStage<Object>> images) {
    HttpServer.Builder b = HttpServer.builder();
    metrics.route(b);
    return b
        .bind(host, port)
        .security(security)
        .name("agent-http")
        .route("GET", "/health", Access.PUBLIC, req -> CompletableFuture.completedFuture(HttpResponse.text(200, "ok")))
        .route("GET", "/state", Access.VIEWER, req -> state.get().thenApply(s -> HttpResponse.json(200, s)))
        .route("GET", "/monitor/statistics", Access.VIEWER, req -> statistics.get().thenApply(s -> HttpResponse.json(200, s)))
        .route("GET", "/images", Access.VIEWER, req -> images.get().thenApply(s -> HttpResponse.json(200, s)))
        .route("GET", "/files/read", Access.VIEWER, req -> CompletableFuture.supplyAsync(
            () -> HttpResponse.json(200, files.read(req.queryParam("path"), req.queryParam("offset"), req.queryParam("length"))),
            fileReader))
        .route("GET", "/files/browse", Access.VIEWER, req -> CompletableFuture.supplyAsync(
            () -> HttpResponse.json(200, files.browse(req.queryParam("path"))), fileReader))
        .start();
  }
}
