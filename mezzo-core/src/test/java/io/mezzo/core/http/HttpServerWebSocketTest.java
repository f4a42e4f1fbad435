package io.mezzo.core.http;

import io.mezzo.core.auth.Access;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.WebSocket;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpServer.Builder#webSocket}: the path upgrades to a WebSocket whose frames reach the given
 * handler, while the same server's HTTP routes answer as before; on a real socket with the JDK's client.
 */
class HttpServerWebSocketTest {
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Answers each text frame with its upper-case form. */
  private static final class Shout extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
      ctx.writeAndFlush(new TextWebSocketFrame(frame.text().toUpperCase(Locale.ROOT)));
    }
  }

  @Test
  void theWebSocketPathHandsFramesToItsHandlerAndOtherRoutesStillAnswer() throws Exception {
    server = HttpServer.builder().bind("127.0.0.1", 0)
        .route("GET", "/plain", Access.PUBLIC, r -> CompletableFuture.completedFuture(HttpResponse.text(200, "plain")))
        .webSocket("/shout", Access.PUBLIC, Shout::new)
        .start();
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/shout"), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            got.add(data.toString());
            w.request(1);
            return null;
          }
        }).get(30, TimeUnit.SECONDS);
    ws.sendText("hello", true).join();
    assertThat(got.poll(30, TimeUnit.SECONDS)).isEqualTo("HELLO");
    ws.sendText("twice", true).join();
    assertThat(got.poll(30, TimeUnit.SECONDS)).isEqualTo("TWICE");
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(30, TimeUnit.SECONDS);

    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + server.port();
    java.net.http.HttpResponse<String> plain = http.send(HttpRequest.newBuilder(URI.create(base + "/plain")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(plain.body()).isEqualTo("plain");
    java.net.http.HttpResponse<String> bare = http.send(HttpRequest.newBuilder(URI.create(base + "/shout")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(bare.statusCode()).as("no upgrade headers").isEqualTo(400);
  }

  @Test
  void aServerHasOneWebSocketPath() {
    HttpServer.Builder b = HttpServer.builder().webSocket("/a", Access.PUBLIC, Shout::new);
    assertThatThrownBy(() -> b.webSocket("/b", Access.PUBLIC, Shout::new)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("webSocket path: '/b' (expected: one WebSocket path per server, /a is one already)");
    assertThatThrownBy(() -> HttpServer.builder().webSocket("ws", Access.PUBLIC, Shout::new))
        .hasMessage("webSocket path: 'ws' (expected: a path starting with /)");
  }
}
