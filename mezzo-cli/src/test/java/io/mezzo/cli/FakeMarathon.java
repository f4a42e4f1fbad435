package io.mezzo.cli;

import io.mezzo.core.http.HttpRequest;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real HTTP server on a free local port that answers {@code /v2} requests the way a test scripts
 * them, in Marathon's shapes, and records every request it got. Requests nobody scripted get the
 * master's own {@code 404 no such endpoint}. Handlers run on the server's event loop; the script and
 * the record are thread-safe.
 */
final class FakeMarathon implements AutoCloseable {
  /** A scripted answer: status and JSON body text. */
  record Reply(int status, String json) {}

  /** A request as it arrived: method, path, query (raw, or null) and body text. */
  record Seen(String method, String path, Map<String, List<String>> query, String body) {}

  private final Map<String, Function<HttpRequest, Reply>> script = new ConcurrentHashMap<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  FakeMarathon() {
    HttpServer.Builder b = HttpServer.builder().bind("127.0.0.1", 0).threads(1).name("fake-marathon");
    for (String method : List.of("GET", "PUT", "PATCH", "POST", "DELETE")) {
      b.prefixRoute(method, "/", io.mezzo.core.auth.Access.PUBLIC, this::handle);
    }
    server = b.start();
  }

  String address() {
    return "127.0.0.1:" + server.port();
  }

  /** Answers {@code method path} with {@code reply}. */
  FakeMarathon on(String method, String path, int status, String json) {
    script.put(method + " " + path, r -> new Reply(status, json));
    return this;
  }

  /** Answers {@code method path} with each of {@code replies} in turn, the last one from then on. */
  FakeMarathon sequence(String method, String path, Reply... replies) {
    AtomicInteger next = new AtomicInteger();
    script.put(method + " " + path, r -> replies[Math.min(next.getAndIncrement(), replies.length - 1)]);
    return this;
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  private CompletableFuture<HttpResponse> handle(HttpRequest request) {
    seen.add(new Seen(request.method(), request.path(), request.query(), request.bodyText()));
    Function<HttpRequest, Reply> f = script.get(request.method() + " " + request.path());
    if (f == null) {
      return CompletableFuture.completedFuture(
          HttpResponse.text(404, "no such endpoint: " + request.method() + " " + request.path()));
    }
    Reply reply = f.apply(request);
    return CompletableFuture.completedFuture(new HttpResponse(reply.status(), HttpResponse.JSON,
        reply.json().getBytes(StandardCharsets.UTF_8), Map.of(), null));
  }

  @Override
  public void close() {
    server.close();
  }
}
