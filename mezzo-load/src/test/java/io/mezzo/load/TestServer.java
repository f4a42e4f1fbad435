package io.mezzo.load;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP/1.1 server on loopback for the load generator's tests, on one event loop: it answers
 * every request with {@code status} and a short body, except that the {@code stallAt}-th request (from
 * 1) starts a stall of {@code stall} during which no answer goes out (those due are sent when it
 * ends, as after a GC pause); {@link Behaviour#SILENT} never answers, {@link Behaviour#CLOSE} closes
 * the connection instead of answering; the {@code Host} headers seen are kept. State is owned by the
 * server's loop (the hosts set is concurrent: tests read it).
 */
final class TestServer implements AutoCloseable {
  enum Behaviour { ANSWER, SILENT, CLOSE }

  private final EventLoopGroup group = Transports.group(1);
  private final Channel listener;
  private final long stallAt;
  private final long stallNanos;
  private final int status;
  private final Behaviour behaviour;
  private final Set<String> hosts = ConcurrentHashMap.newKeySet();
  private long requests;
  private long stallUntil = Long.MIN_VALUE;

  TestServer(Behaviour behaviour, int status, long stallAt, Duration stall) {
    this.behaviour = behaviour;
    this.status = status;
    this.stallAt = stallAt;
    this.stallNanos = stall.toNanos();
    this.listener = new ServerBootstrap()
        .group(group)
        .channel(Transports.EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpServerCodec()).addLast(new Handler());
          }
        })
        .bind("127.0.0.1", 0).syncUninterruptibly().channel();
  }

  static TestServer answering(int status) {
    return new TestServer(Behaviour.ANSWER, status, 0, Duration.ZERO);
  }

  static TestServer stalling(long stallAt, Duration stall) {
    return new TestServer(Behaviour.ANSWER, 200, stallAt, stall);
  }

  String url() {
    return "http://127.0.0.1:" + ((InetSocketAddress) listener.localAddress()).getPort() + "/x";
  }

  /** The {@code Host} headers received so far. */
  Set<String> hosts() {
    return Set.copyOf(hosts);
  }

  @Override
  public void close() {
    listener.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Handler extends SimpleChannelInboundHandler<HttpObject> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpRequest r) {
        hosts.add(r.headers().get(HttpHeaderNames.HOST, ""));
      }
      if (!(msg instanceof LastHttpContent)) {
        return;
      }
      switch (behaviour) {
        case SILENT -> { }
        case CLOSE -> ctx.close();
        case ANSWER -> {
          long now = System.nanoTime();
          if (++requests == stallAt) {
            stallUntil = now + stallNanos;
          }
          if (now < stallUntil) {
            ctx.executor().schedule(() -> answer(ctx), stallUntil - now, TimeUnit.NANOSECONDS);
          } else {
            answer(ctx);
          }
        }
      }
    }

    private void answer(ChannelHandlerContext ctx) {
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
          Unpooled.copiedBuffer("hello\n", StandardCharsets.US_ASCII));
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
      HttpUtil.setContentLength(r, r.content().readableBytes());
      ctx.writeAndFlush(r);
    }
  }
}
