package io.mezzo.balancer.proxy;

import io.mezzo.core.auth.Access;
import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 cleartext clients on an HTTP listener: prior knowledge with concurrent streams (a Netty HTTP/2
 * client), the h2c upgrade (the JDK client), HTTP/1.1 unchanged beside them.
 */
class Http2FrontendTest {
  private static final byte[] LARGE = new byte[6 * 1024 * 1024];

  static {
    new java.util.Random(1).nextBytes(LARGE);
  }

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private LbFixture f;
  private int port;

  /** Two backends answering {@code NAME PATH (N body bytes)} after 200 ms, so that streams overlap. */
  @BeforeEach
  void start() throws Exception {
    f = new LbFixture();
    port = LbFixture.freePort();
    List<io.mezzo.balancer.discovery.BackendInstance> instances = new ArrayList<>();
    for (String name : List.of("a", "b")) {
      HttpServer s = f.closeLater(HttpServer.builder()
          .prefixRoute("GET", "/large", Access.PUBLIC, req -> CompletableFuture.completedFuture(
              new HttpResponse(200, "application/octet-stream", LARGE, Map.of(), null)))
          .prefixRoute("GET", "/", Access.PUBLIC, req -> CompletableFuture.supplyAsync(() -> HttpResponse.text(200, name + " " + req.path()),
              CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)))
          .prefixRoute("POST", "/", Access.PUBLIC, req -> CompletableFuture.completedFuture(
              HttpResponse.text(200, name + " " + req.path() + " (" + req.body().length + " body bytes)")))
          .start());
      instances.add(LbFixture.instance("web." + name, s.port(), true, false));
    }
    f.route(Map.of("MEZZO_LB_PORT_0", String.valueOf(port), "MEZZO_LB_VHOST_0", "h2.example.com"),
        instances.toArray(io.mezzo.balancer.discovery.BackendInstance[]::new));
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** An HTTP/2 connection with prior knowledge (no upgrade): the preface first. */
  private Channel h2Connection(int to) {
    return new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
          }
        })
        .connect("127.0.0.1", to).syncUninterruptibly().channel();
  }

  /** Sends {@code request} on a new stream of {@code connection}; the whole response. */
  private CompletableFuture<FullHttpResponse> exchange(Channel connection, FullHttpRequest request) {
    CompletableFuture<FullHttpResponse> response = new CompletableFuture<>();
    Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new HttpObjectAggregator(16 << 20),
            new SimpleChannelInboundHandler<FullHttpResponse>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
                response.complete(msg.retainedDuplicate());
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                response.completeExceptionally(cause);
              }
            });
      }
    }).open().syncUninterruptibly().getNow();
    stream.writeAndFlush(request);
    return response;
  }

  private static FullHttpRequest get(String host, String path) {
    FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    r.headers().set(HttpHeaderNames.HOST, host);
    return r;
  }

  @Test
  void concurrentStreamsWithPriorKnowledgeEachGetTheirBackendsAnswer() throws Exception {
    Channel connection = h2Connection(port);
    List<CompletableFuture<FullHttpResponse>> responses = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      responses.add(exchange(connection, get("127.0.0.1:" + port, "/stream/" + i)));
    }
    Set<String> backends = new HashSet<>();
    for (int i = 0; i < 8; i++) {
      FullHttpResponse r = responses.get(i).get(10, TimeUnit.SECONDS);
      assertThat(r.status().code()).isEqualTo(200);
      String body = r.content().toString(StandardCharsets.UTF_8);
      assertThat(body).endsWith(" /stream/" + i);
      backends.add(body.substring(0, 1));
      r.release();
    }
    assertThat(backends).containsExactlyInAnyOrder("a", "b");
    // later streams one after the other, over the backend connections the first ones left in the pool
    for (int i = 0; i < 6; i++) {
      FullHttpResponse r = exchange(connection, get("127.0.0.1:" + port, "/again/" + i)).get(10, TimeUnit.SECONDS);
      assertThat(r.content().toString(StandardCharsets.UTF_8)).endsWith(" /again/" + i);
      r.release();
    }
    connection.close();
  }

  @Test
  void aLargeResponseStreamsToAnH2ClientUnderFlowControl() throws Exception {
    Channel connection = h2Connection(port);
    List<CompletableFuture<FullHttpResponse>> responses = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      responses.add(exchange(connection, get("127.0.0.1:" + port, "/large")));
    }
    for (CompletableFuture<FullHttpResponse> f : responses) {
      FullHttpResponse r = f.get(30, TimeUnit.SECONDS);
      assertThat(r.status().code()).isEqualTo(200);
      assertThat(io.netty.buffer.ByteBufUtil.getBytes(r.content())).isEqualTo(LARGE);
      r.release();
    }
    connection.close();
  }

  @Test
  void h2StreamsAreRoutedByTheirAuthorityAndCarryBodies() throws Exception {
    Channel connection = h2Connection(f.sharedPort);
    FullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload",
        io.netty.buffer.Unpooled.wrappedBuffer(new byte[100_000]));
    post.headers().set(HttpHeaderNames.HOST, "h2.example.com");
    FullHttpResponse r = exchange(connection, post).get(10, TimeUnit.SECONDS);
    assertThat(r.content().toString(StandardCharsets.UTF_8)).endsWith(" /upload (100000 body bytes)");
    r.release();
    FullHttpResponse unknown = exchange(connection, get("other.example.com", "/x")).get(10, TimeUnit.SECONDS);
    assertThat(unknown.status().code()).isEqualTo(404);
    assertThat(unknown.content().toString(StandardCharsets.UTF_8))
        .isEqualTo("no route for host 'other.example.com' path '/x' on port " + f.sharedPort + "\n");
    unknown.release();
    connection.close();
  }

  @Test
  void anHttp11ClientAskingForH2cIsUpgradedAndGetsItsAnswers() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    Set<String> backends = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/up/" + i))
          .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.version()).as("request %d", i).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(r.body()).endsWith(" /up/" + i);
      backends.add(r.body().substring(0, 1));
    }
    assertThat(backends).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void aFirstRequestWithABodyAskingForH2cIsServedAsHttp11() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/big"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1 << 20])).timeout(Duration.ofSeconds(10)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(r.body()).endsWith(" /big (1048576 body bytes)");
  }

  @Test
  void anHttp11ClientIsServedAsBefore() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/plain")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(r.body()).endsWith(" /plain");
  }
}
