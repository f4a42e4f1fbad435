package io.mezzo.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.core.auth.Access;
import io.mezzo.core.auth.Credentials;
import io.mezzo.core.auth.Security;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link HttpServer#replaceRoutes} on a real socket: same port, same connections, the new table's handlers and levels. */
class HttpServerRouteSwapTest {
  static final Security SECURITY = new Security(Credentials.parse("""
      {"principals": [{"name": "ops", "secret": "ops-secret-0123456789", "role": "operator"}]}
      """), false);

  HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static CompletableFuture<HttpResponse> text(int status, String body) {
    return CompletableFuture.completedFuture(HttpResponse.text(status, body));
  }

  /** One request on an open keep-alive connection: status and body. */
  private static Map.Entry<Integer, String> exchange(Socket s, String method, String path, String token) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write((method + " " + path + " HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n"
        + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + head);
      }
      head.write(b);
    }
    String h = head.toString(StandardCharsets.US_ASCII);
    int length = 0;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
    return Map.entry(Integer.parseInt(h.split(" ")[1]), body);
  }

  @Test
  void anOpenConnectionIsServedByTheNewRoutesAfterASwap() throws Exception {
    server = HttpServer.builder().route("GET", "/who", Access.PUBLIC, r -> text(200, "standby")).start();
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      assertThat(exchange(s, "GET", "/who", null)).isEqualTo(Map.entry(200, "standby"));

      server.replaceRoutes(HttpServer.builder().route("GET", "/who", Access.PUBLIC, r -> text(200, "leader"))
          .route("GET", "/more", Access.PUBLIC, r -> text(200, "new")));

      assertThat(exchange(s, "GET", "/who", null)).isEqualTo(Map.entry(200, "leader"));
      assertThat(exchange(s, "GET", "/more", null)).isEqualTo(Map.entry(200, "new"));
    }
    assertThat(server.routes()).extracting(HttpServer.Route::path).containsExactly("/who", "/more");
  }

  @Test
  void theNewTablesAccessLevelsApply() throws Exception {
    server = HttpServer.builder().security(SECURITY)
        .prefixRoute("POST", "/", Access.PUBLIC, r -> text(307, "")).start();
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      assertThat(exchange(s, "POST", "/v2/apps", null).getKey()).isEqualTo(307);

      server.replaceRoutes(HttpServer.builder().route("POST", "/v2/apps", Access.OPERATOR, r -> text(201, "created")));

      assertThat(exchange(s, "POST", "/v2/apps", null).getKey()).isEqualTo(401);
      assertThat(exchange(s, "POST", "/v2/apps", "ops-secret-0123456789")).isEqualTo(Map.entry(201, "created"));
      assertThat(exchange(s, "POST", "/v2/other", "ops-secret-0123456789").getKey()).isEqualTo(404);
    }
  }

  @Test
  void aWebSocketPathOtherThanTheStartedOneIsRefused() {
    server = HttpServer.builder().route("GET", "/who", Access.PUBLIC, r -> text(200, "x")).start();

    assertThatThrownBy(() -> server.replaceRoutes(HttpServer.builder()
        .webSocket("/ws", Access.PUBLIC, io.netty.channel.ChannelInboundHandlerAdapter::new)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("webSocket: '/ws' (expected: none, as this server started)");
  }
}
