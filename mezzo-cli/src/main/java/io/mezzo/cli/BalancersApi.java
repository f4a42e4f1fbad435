package io.mezzo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.auth.Access;
import io.mezzo.core.auth.Caller;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * {@code GET /v1/balancers} (viewer): each load balancer's {@code /stats} as its admin server answers it
 * now, fetched from every address the autoscaler reads ({@code --lb-stats}) at once, each with a
 * {@link #TIMEOUT}: {@code {"balancers": [{"address", "ok", "error", "stats"}]}}, in the order given;
 * one that does not answer is {@code "ok": false} with the reason and null stats. The client (and so
 * the caller's token) comes from {@code client}, which gives null until the host has started (a 503).
 * Stateless apart from that; any thread.
 */
final class BalancersApi {
  static final Duration TIMEOUT = Duration.ofSeconds(2);

  private BalancersApi() {}

  static void routes(HttpServer.Builder b, List<String> addresses, Supplier<JsonClient> client) {
    b.route("GET", "/v1/balancers", Access.VIEWER, req -> {
      JsonClient http = client.get();
      if (http == null) {
        return CompletableFuture.completedFuture(HttpResponse.json(503, Map.of("message",
            "the services scheduler has not started yet (expected: a leading master with it running)")));
      }
      List<CompletableFuture<Map<String, Object>>> answers = new ArrayList<>();
      for (String a : addresses) {
        answers.add(http.get(http.uri(a, "/stats")).handle((reply, error) -> {
          if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            return entry(a, null, cause instanceof java.net.http.HttpTimeoutException
                ? "no answer within " + TIMEOUT.toMillis() + " ms" : "cannot be reached: " + cause);
          }
          if (!reply.ok()) {
            return entry(a, null, "HTTP " + reply.status() + ": " + reply.body());
          }
          try {
            return entry(a, Json.MAPPER.readTree(reply.body()), null);
          } catch (java.io.IOException notJson) {
            return entry(a, null, "not JSON: " + notJson.getMessage());
          }
        }));
      }
      return CompletableFuture.allOf(answers.toArray(new CompletableFuture<?>[0])).thenApply(done ->
          HttpResponse.json(200, Map.of("balancers", answers.stream().map(CompletableFuture::join).toList())));
    });
  }

  /** A client for the balancers' admin servers, calling as {@code caller}. */
  static JsonClient client(Caller caller) {
    return new JsonClient(TIMEOUT, TIMEOUT, caller);
  }

  private static Map<String, Object> entry(String address, JsonNode stats, String error) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("address", address);
    out.put("ok", error == null);
    // the mapper leaves null values out; the shape promises both keys
    out.put("error", error == null ? com.fasterxml.jackson.databind.node.NullNode.instance : error);
    out.put("stats", stats == null ? com.fasterxml.jackson.databind.node.NullNode.instance : stats);
    return out;
  }
}
