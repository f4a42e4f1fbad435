package io.mezzo.autoscaler.runtime;

import io.mezzo.core.auth.Access;
import io.mezzo.core.http.HttpRequest;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP server on loopback standing for the endpoints the autoscaler reads (services API, load
 * balancer {@code /stats}, master state, an instance's {@code /metrics}): each GET path answers the body
 * last set for it (404 when none), every other request is recorded and answered 200 with {@code {}}.
 */
final class FakeEndpoints implements AutoCloseable {
  private final Map<String, String> bodies = new ConcurrentHashMap<>();
  final List<HttpRequest> writes = new CopyOnWriteArrayList<>();
  /** Every GET, in arrival order. */
  final List<HttpRequest> reads = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  FakeEndpoints() {
    HttpServer.Builder b = HttpServer.builder().bind("127.0.0.1", 0).name("fake-endpoints");
    b.prefixRoute("GET", "/", Access.PUBLIC, req -> {
      reads.add(req);
      String key = req.path() + (req.query().isEmpty() ? "" : "?" + query(req));
      String body = bodies.getOrDefault(key, bodies.get(req.path()));
      return CompletableFuture.completedFuture(body == null ? HttpResponse.text(404, "no " + key)
          : new HttpResponse(200, body.startsWith("{") || body.startsWith("[") ? HttpResponse.JSON : HttpResponse.TEXT,
              body.getBytes(StandardCharsets.UTF_8), Map.of(), null));
    });
    for (String m : new String[] {"PATCH", "PUT", "POST", "DELETE"}) {
      b.prefixRoute(m, "/", Access.PUBLIC, req -> {
        writes.add(req);
        return CompletableFuture.completedFuture(HttpResponse.json(200, Map.of("deploymentId", "d1")));
      });
    }
    server = b.start();
  }

  private static String query(HttpRequest req) {
    StringBuilder s = new StringBuilder();
    req.query().forEach((k, vs) -> vs.forEach(v -> s.append(s.length() == 0 ? "" : "&").append(k).append('=').append(v)));
    return s.toString();
  }

  void set(String path, String body) {
    bodies.put(path, body);
  }

  void remove(String path) {
    bodies.remove(path);
  }

  String address() {
    return "127.0.0.1:" + server.port();
  }

  int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
  }
}
