package io.mezzo.autoscaler.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The autoscaler's HTTP client: GETs of JSON and text and the PATCH that scales an app, each with a
 * timeout. A GET that fails, times out or answers other than 200 completes exceptionally; callers turn
 * that into an absent metric. Every request carries the caller's bearer token, if any, and uses its
 * TLS context. Thread-safe (the JDK client is).
 */
final class Http {
  private final HttpClient client;
  private final Duration timeout;
  private final io.mezzo.core.auth.Caller caller;

  Http(Duration timeout, io.mezzo.core.auth.Caller caller) {
    this.timeout = timeout;
    this.caller = caller;
    this.client = caller.configure(HttpClient.newBuilder()).connectTimeout(timeout)
        .version(HttpClient.Version.HTTP_1_1).build();
  }

  CompletableFuture<String> text(URI uri) {
    HttpRequest req = builder(uri).timeout(timeout).GET().build();
    return client.sendAsync(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).thenApply(r -> {
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET " + uri + ": HTTP " + r.statusCode() + " (expected: 200)");
      }
      return r.body();
    });
  }

  CompletableFuture<JsonNode> json(URI uri) {
    return text(uri).thenApply(Http::parse);
  }

  /** A PATCH with a JSON body; the answer's status and body, whatever the status. */
  CompletableFuture<HttpResponse<String>> patch(URI uri, JsonNode body) {
    HttpRequest req = builder(uri).timeout(timeout).header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(body.toString())).build();
    return client.sendAsync(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private HttpRequest.Builder builder(URI uri) {
    return caller.authorize(HttpRequest.newBuilder(uri));
  }

  static JsonNode parse(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The innermost message of a failure, for notes. */
  static String describe(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && (t.getMessage() == null || t instanceof java.util.concurrent.CompletionException)) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
