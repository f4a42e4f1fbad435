package io.mezzo.agent.image;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * For tests that put a hand-made HTTP server between the store and a real registry: forwards one GET,
 * with its {@code Accept}, and answers with the registry's status, body, {@code Content-Type} and
 * {@code Docker-Content-Digest}.
 */
final class RegistryProxy {
  private RegistryProxy() {}

  static void forward(HttpClient http, HttpExchange ex, String to) throws IOException {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(to)).GET();
      String accept = ex.getRequestHeaders().getFirst("Accept");
      if (accept != null) {
        b.header("Accept", accept);
      }
      HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      r.headers().firstValue("Docker-Content-Digest").ifPresent(d -> ex.getResponseHeaders().add("Docker-Content-Digest", d));
      ex.getResponseHeaders().add("Content-Type", r.headers().firstValue("Content-Type").orElse("application/octet-stream"));
      ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
      ex.getResponseBody().write(r.body());
      ex.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
