package io.mezzo.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Plain HTTP to a Marathon-style {@code /v2} API, as a Marathon client would speak it: any method,
 * a raw JSON body, the status and the parsed answer back. For tests; thread-safe.
 */
public final class V2Client {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String base;
  private final String token;

  /** A client of the API at {@code hostPort}. */
  public V2Client(String hostPort) {
    this(hostPort, null);
  }

  /** A client of the API at {@code hostPort} sending {@code token} (null: none) as a bearer token. */
  public V2Client(String hostPort, String token) {
    this.base = "http://" + hostPort;
    this.token = token;
  }

  /** One answer: its status and body (parsed when it is JSON, else a text node). */
  public record Answer(int status, JsonNode json, String text) {
    @Override
    public String toString() {
      return status + " " + text;
    }
  }

  public Answer get(String path) {
    return send("GET", path, null);
  }

  public Answer post(String path, String json) {
    return send("POST", path, json);
  }

  public Answer put(String path, String json) {
    return send("PUT", path, json);
  }

  public Answer patch(String path, String json) {
    return send("PATCH", path, json);
  }

  public Answer delete(String path) {
    return send("DELETE", path, null);
  }

  /** Sends {@code method path} with {@code json} (or no body); fails the test on I/O errors. */
  public Answer send(String method, String path, String json) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (json == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode node;
      try {
        node = r.body().isEmpty() ? MAPPER.nullNode() : MAPPER.readTree(r.body());
      } catch (IOException e) {
        node = MAPPER.getNodeFactory().textNode(r.body());
      }
      return new Answer(r.statusCode(), node, r.body());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
