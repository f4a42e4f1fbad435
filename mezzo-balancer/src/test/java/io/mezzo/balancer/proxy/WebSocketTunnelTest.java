package io.mezzo.balancer.proxy;

import io.mezzo.core.auth.Access;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * WebSocket upgrades through the load balancer on real sockets: a Netty WebSocket echo backend, a Netty
 * WebSocket client, the balancer in between.
 */
class WebSocketTunnelTest {
  private LbFixture f;

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  private int wsRoute(WebSocketEcho... backends) throws Exception {
    f = new LbFixture();
    int port = LbFixture.freePort();
    var instances = new io.mezzo.balancer.discovery.BackendInstance[backends.length];
    for (int i = 0; i < backends.length; i++) {
      f.closeLater(backends[i]);
      instances[i] = LbFixture.instance("web." + i, backends[i].port(), true, false);
    }
    f.route(Map.of("MEZZO_LB_PORT_0", String.valueOf(port)), instances);
    return port;
  }

  private static String text(Object frame) {
    return ((TextWebSocketFrame) frame).text();
  }

  @Test
  void textAndBinaryFramesAreEchoedThroughTheBalancer() throws Exception {
    WebSocketEcho echo = new WebSocketEcho("echo");
    int port = wsRoute(echo);
    WebSocketEcho.Client client = echo.connect(port);

    assertThat(text(client.next())).isEqualTo("hello from echo"); // sent by the backend right after its 101
    client.channel.writeAndFlush(new TextWebSocketFrame("ping"));
    assertThat(text(client.next())).isEqualTo("ping");
    byte[] payload = new byte[256 * 1024];
    new Random(3).nextBytes(payload);
    for (int i = 0; i < 4; i++) {
      client.channel.writeAndFlush(WebSocketEcho.binary(payload));
    }
    for (int i = 0; i < 4; i++) {
      BinaryWebSocketFrame back = (BinaryWebSocketFrame) client.next();
      assertThat(ByteBufUtil.getBytes(back.content())).isEqualTo(payload);
      back.release();
    }
    client.channel.writeAndFlush(new TextWebSocketFrame("still there"));
    assertThat(text(client.next())).isEqualTo("still there");
  }

  @Test
  void aClientClosingClosesTheBackendConnection() throws Exception {
    WebSocketEcho echo = new WebSocketEcho("echo");
    int port = wsRoute(echo);
    WebSocketEcho.Client client = echo.connect(port);
    assertThat(text(client.next())).isEqualTo("hello from echo");

    client.channel.close().syncUninterruptibly();
    await().atMost(Duration.ofSeconds(10)).until(() -> echo.closed.get() == 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> inFlight("web.0") == 0);
  }

  @Test
  void aBackendClosingClosesTheClientConnection() throws Exception {
    WebSocketEcho echo = new WebSocketEcho("echo");
    int port = wsRoute(echo);
    WebSocketEcho.Client client = echo.connect(port);
    assertThat(text(client.next())).isEqualTo("hello from echo");
    assertThat(inFlight("web.0")).isEqualTo(1);

    client.channel.writeAndFlush(new TextWebSocketFrame("bye"));
    assertThat(client.channel.closeFuture().await(10_000)).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> inFlight("web.0") == 0);
  }

  @Test
  void aDrainingBackendIsReportedIdleOnlyOnceItsWebSocketsClose() throws Exception {
    WebSocketEcho echo = new WebSocketEcho("old");
    WebSocketEcho other = new WebSocketEcho("new");
    int port = wsRoute(echo);
    f.closeLater(other);
    WebSocketEcho.Client client = echo.connect(port);
    assertThat(text(client.next())).isEqualTo("hello from old");

    f.route(Map.of("MEZZO_LB_PORT_0", String.valueOf(port)), LbFixture.instance("web.0", echo.port(), false, true),
        LbFixture.instance("web.1", other.port(), true, false));
    WebSocketEcho.Client second = other.connect(port);
    assertThat(text(second.next())).isEqualTo("hello from new"); // new connections go to the serving backend
    client.channel.writeAndFlush(new TextWebSocketFrame("in flight"));
    assertThat(text(client.next())).isEqualTo("in flight"); // the old tunnel works on
    assertThat(f.drained).isEmpty();

    client.channel.close();
    await("reported idle").atMost(Duration.ofSeconds(10)).until(() -> f.drained.contains("web.0"));
  }

  @Test
  void aBackendRefusingTheUpgradeIsProxiedAsAnOrdinaryResponse() throws Exception {
    f = new LbFixture();
    HttpServer plain = f.closeLater(HttpServer.builder().prefixRoute("GET", "/", Access.PUBLIC,
        req -> CompletableFuture.completedFuture(HttpResponse.text(200, "no websockets here"))).start());
    int port = LbFixture.freePort();
    f.route(Map.of("MEZZO_LB_PORT_0", String.valueOf(port)), LbFixture.instance("web.0", plain.port(), true, false));

    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      var out = s.getOutputStream();
      var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
          java.nio.charset.StandardCharsets.UTF_8));
      out.write(("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
          + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
      String line;
      while (!(line = in.readLine()).isEmpty()) {
        assertThat(line.toLowerCase(java.util.Locale.ROOT)).doesNotStartWith("upgrade").doesNotStartWith("connection");
      }
      char[] body = new char["no websockets here".length()];
      assertThat(in.read(body)).isEqualTo(body.length);
      assertThat(new String(body)).isEqualTo("no websockets here");
      // the connection goes on as HTTP/1.1
      out.write("GET /again HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> inFlight("web.0") == 0);
  }

  @SuppressWarnings("unchecked")
  private int inFlight(String instance) {
    Map<String, Object> routes = (Map<String, Object>) f.lb.metrics().stats().get("routes");
    Map<String, Object> route = (Map<String, Object>) routes.get("/web:0");
    Map<String, Object> backend = (Map<String, Object>) ((Map<String, Object>) route.get("backends")).get(instance);
    return ((Number) backend.get("in_flight")).intValue();
  }
}
