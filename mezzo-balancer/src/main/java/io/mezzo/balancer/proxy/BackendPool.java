package io.mezzo.balancer.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Idle keep-alive connections to backends, for the frontend connections of one event loop. A backend
 * connection is created on the same loop as the client connection it serves, so a whole exchange runs
 * on one thread without locks; this pool is therefore owned by, and only touched from, its loop.
 * Connections closed by a backend while idle are skipped when taken.
 */
final class BackendPool {
  private static final int MAX_IDLE_PER_BACKEND = 64;
  /**
   * Backends' answers are decoded without validating header names and values (a backend is trusted, and
   * what it says is relayed, not interpreted beyond framing); clients' requests are still validated.
   */
  private static final HttpDecoderConfig BACKEND_DECODER = new HttpDecoderConfig()
      .setMaxInitialLineLength(4096)
      .setMaxHeaderSize(16 * 1024)
      .setMaxChunkSize(16 * 1024)
      .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(false))
      .setTrailersFactory(DefaultHttpHeadersFactory.trailersFactory().withValidation(false));
  private final EventLoop loop;
  private final int connectTimeoutMillis;
  private final Map<String, ArrayDeque<Channel>> idle = new HashMap<>();

  BackendPool(EventLoop loop, int connectTimeoutMillis) {
    this.loop = loop;
    this.connectTimeoutMillis = connectTimeoutMillis;
  }

  /** An idle connection to {@code b}, or null. */
  Channel takeIdle(BackendRef b) {
    ArrayDeque<Channel> q = idle.get(b.address);
    while (q != null && !q.isEmpty()) {
      Channel ch = q.pollLast();
      if (ch.isActive()) {
        return ch;
      }
    }
    return null;
  }

  /** Opens a new connection to {@code b} with an HTTP client codec and {@code handler}. */
  ChannelFuture connect(BackendRef b, BackendHandler handler) {
    return new Bootstrap()
        .group(loop)
        .channel(Transport.clientChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpClientCodec(BACKEND_DECODER, false, false)).addLast(handler);
          }
        })
        .connect(b.host, b.port);
  }

  /** Keeps {@code ch} for the next request to {@code b}, or closes it when the pool is full. */
  void release(BackendRef b, Channel ch) {
    if (!ch.isActive()) {
      return;
    }
    ArrayDeque<Channel> q = idle.computeIfAbsent(b.address, k -> new ArrayDeque<>());
    if (q.size() >= MAX_IDLE_PER_BACKEND) {
      ch.close();
      return;
    }
    q.addLast(ch);
  }
}
