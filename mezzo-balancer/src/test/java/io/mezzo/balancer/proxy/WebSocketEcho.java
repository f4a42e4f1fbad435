package io.mezzo.balancer.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test WebSocket ends on real sockets: an echo server at {@code /ws} (greets each connection with
 * {@code hello from NAME} right after the handshake, echoes text and binary frames, closes the connection
 * on the text {@code bye}) and a client that keeps the frames it gets.
 */
final class WebSocketEcho implements AutoCloseable {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  final AtomicInteger open = new AtomicInteger();
  final AtomicInteger closed = new AtomicInteger();

  WebSocketEcho(String name) {
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.closeFuture().addListener(f -> closed.incrementAndGet());
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                new WebSocketServerProtocolHandler("/ws", null, false, 1 << 20),
                new SimpleChannelInboundHandler<WebSocketFrame>() {
                  @Override
                  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                      open.incrementAndGet();
                      ctx.writeAndFlush(new TextWebSocketFrame("hello from " + name));
                    }
                    ctx.fireUserEventTriggered(evt);
                  }

                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
                    if (frame instanceof TextWebSocketFrame t && t.text().equals("bye")) {
                      ctx.close();
                    } else {
                      ctx.writeAndFlush(frame.retainedDuplicate());
                    }
                  }
                });
          }
        })
        .bind("127.0.0.1", 0).syncUninterruptibly().channel();
  }

  int port() {
    return ((java.net.InetSocketAddress) server.localAddress()).getPort();
  }

  /** A WebSocket client connection, open once the handshake is done. */
  final class Client {
    final Channel channel;
    final BlockingQueue<WebSocketFrame> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> handshake = new CompletableFuture<>();

    Client(int port) {
      var handshaker = WebSocketClientHandshakerFactory.newHandshaker(URI.create("ws://127.0.0.1:" + port + "/ws"),
          WebSocketVersion.V13, null, false, EmptyHttpHeaders.INSTANCE, 1 << 20);
      channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                  new WebSocketClientProtocolHandler(handshaker),
                  new SimpleChannelInboundHandler<WebSocketFrame>() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                      if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                        handshake.complete(null);
                      }
                      ctx.fireUserEventTriggered(evt);
                    }

                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
                      frames.add(frame.retainedDuplicate());
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                      handshake.completeExceptionally(cause);
                      ctx.close();
                    }
                  });
            }
          })
          .connect("127.0.0.1", port).syncUninterruptibly().channel();
      channel.closeFuture().addListener(f -> handshake.completeExceptionally(new IllegalStateException("closed")));
    }

    WebSocketFrame next() throws InterruptedException {
      WebSocketFrame f = frames.poll(10, TimeUnit.SECONDS);
      if (f == null) {
        throw new AssertionError("no frame within 10 s");
      }
      return f;
    }
  }

  Client connect(int port) throws Exception {
    Client c = new Client(port);
    c.handshake.get(10, TimeUnit.SECONDS);
    return c;
  }

  static BinaryWebSocketFrame binary(byte[] bytes) {
    return new BinaryWebSocketFrame(io.netty.buffer.Unpooled.wrappedBuffer(bytes));
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
