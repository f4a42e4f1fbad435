package io.mezzo.testkit.sim;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The simulator's network: one Netty event-loop group (epoll when the OS offers it, NIO otherwise)
 * and the master's address, with helpers to open client connections on a chosen loop and to build
 * the JSON POSTs of Mezzo's APIs. Thread-safe; {@link #close} stops the loops.
 */
final class SimNet implements AutoCloseable {
  private final EventLoopGroup group;
  private final boolean epoll;
  private final InetSocketAddress master;
  private final String hostHeader;

  SimNet(InetSocketAddress master, int threads) {
    this.epoll = Epoll.isAvailable();
    this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("sim", true),
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    this.master = master;
    this.hostHeader = master.getHostString() + ":" + master.getPort();
  }

  /** The {@code threads} loops of the group, in order: each becomes one shard's owner. */
  EventLoop loop(int i) {
    int n = 0;
    for (var e : group) {
      if (n++ == i) {
        return (EventLoop) e;
      }
    }
    throw new IllegalArgumentException("loop: " + i + " (expected: < " + n + ")");
  }

  boolean epoll() {
    return epoll;
  }

  /**
   * Connects to the master from {@code local} (null: any address) on {@code loop}, with an HTTP client
   * codec followed by the handler {@code handler} supplies (one per channel). A failed connect closes
   * the channel, so its close future always completes.
   */
  ChannelFuture connect(EventLoop loop, InetSocketAddress local, Supplier<ChannelHandler> handler) {
    Bootstrap b = new Bootstrap()
        .group(loop)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpClientCodec(4096, 8192, 64 * 1024)).addLast(handler.get());
          }
        });
    return local == null ? b.connect(master) : b.connect(master, local);
  }

  /** A keep-alive {@code POST path} with a JSON body, and {@code Mesos-Stream-Id} when given. */
  FullHttpRequest post(String path, byte[] json, String streamId) {
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
        Unpooled.wrappedBuffer(json));
    req.headers()
        .set(HttpHeaderNames.HOST, hostHeader)
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
    if (streamId != null) {
      req.headers().set("Mesos-Stream-Id", streamId);
    }
    return req;
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
