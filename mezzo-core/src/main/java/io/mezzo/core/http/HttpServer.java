package io.mezzo.core.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mezzo's HTTP/1.1 server for control-plane APIs, on Netty: exact-path routes per method, request
 * bodies aggregated up to a size limit (larger ones get 413), complete or chunked-stream responses.
 *
 * <p>Handlers run on the connection's event loop. Each connection handles one request at a time
 * (reading pauses until the answer is written), so answers never overtake each other. Handler
 * exceptions become 4xx/5xx text bodies; nothing reaches the client as a stack trace.
 *
 * <p>One path may be a WebSocket endpoint ({@link Builder#webSocket}): Netty's RFC 6455 server
 * handshake answers its upgrade requests, then the connection's frames go to a handler of the caller's.
 */
public final class HttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

  private final EventLoopGroup group;
  private final Channel channel;
  private final int port;

  private HttpServer(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
    this.port = ((InetSocketAddress) channel.localAddress()).getPort();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The port actually bound (useful when 0 was asked for). */
  public int port() {
    return port;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Collects routes and limits; {@link #start} binds and seals them. */
  public static final class Builder {
    private final Map<String, HttpHandler> routes = new HashMap<>();
    private final List<Map.Entry<String, HttpHandler>> prefixRoutes = new ArrayList<>();
    private String host = "127.0.0.1";
    private int port;
    private int maxRequestBytes = 4 * 1024 * 1024;
    private int threads = 2;
    private String name = "http";
    private String webSocketPath;
    private Supplier<? extends ChannelHandler> webSocketFrames;

    public Builder bind(String bindHost, int bindPort) {
      if (bindPort < 0 || bindPort > 65535) {
        throw new IllegalArgumentException("port: " + bindPort + " (expected: 0..65535)");
      }
      this.host = bindHost;
      this.port = bindPort;
      return this;
    }

    public Builder maxRequestBytes(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxRequestBytes: " + bytes + " (expected: > 0)");
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    public Builder threads(int n) {
      this.threads = n;
      return this;
    }

    public Builder name(String threadName) {
      this.name = threadName;
      return this;
    }

    /** Routes {@code method path} (exact match) to {@code handler}. */
    public Builder route(String method, String path, HttpHandler handler) {
      if (routes.put(method + " " + path, handler) != null) {
        throw new IllegalArgumentException("route: " + method + " " + path + " (expected: registered once)");
      }
      return this;
    }

    /** Routes every {@code method} request whose path starts with {@code prefix}. */
    public Builder prefixRoute(String method, String prefix, HttpHandler handler) {
      prefixRoutes.add(Map.entry(method + " " + prefix, handler));
      return this;
    }

    /**
     * Makes {@code GET path} a WebSocket endpoint: an upgrade request for exactly {@code path} gets
     * Netty's RFC 6455 server handshake (a request for it without the upgrade headers gets 400), and
     * once the connection is upgraded a fresh handler from {@code frames} gets its data frames
     * ({@code io.netty.handler.codec.http.websocketx} text, binary and continuation frames) on the
     * connection's event loop; pings are answered and close frames are handled before it. Frames are
     * limited to 64 KiB (Netty's default: a larger one closes the connection with 1009). One path per
     * server; other paths are routed as usual.
     */
    public Builder webSocket(String path, Supplier<? extends ChannelHandler> frames) {
      if (path == null || !path.startsWith("/")) {
        throw new IllegalArgumentException("webSocket path: '" + path + "' (expected: a path starting with /)");
      }
      if (webSocketPath != null) {
        throw new IllegalArgumentException("webSocket path: '" + path + "' (expected: one WebSocket path per server, "
            + webSocketPath + " is one already)");
      }
      this.webSocketPath = path;
      this.webSocketFrames = java.util.Objects.requireNonNull(frames, "frames");
      return this;
    }

    public HttpServer start() {
      Map<String, HttpHandler> frozen = Map.copyOf(routes);
      String wsPath = webSocketPath;
      Supplier<? extends ChannelHandler> wsFrames = webSocketFrames;
      List<Map.Entry<String, HttpHandler>> frozenPrefixes = List.copyOf(prefixRoutes);
      int limit = maxRequestBytes;
      EventLoopGroup group = new MultiThreadIoEventLoopGroup(
          threads, new DefaultThreadFactory(name, true), NioIoHandler.newFactory());
      try {
        Channel ch = new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel c) {
                c.pipeline()
                    .addLast(new HttpServerCodec(8192, 32 * 1024, 64 * 1024))
                    .addLast(new HttpObjectAggregator(limit));
                if (wsPath != null) {
                  c.pipeline().addLast(new WebSocketServerProtocolHandler(wsPath))
                      .addLast(new WebSocketInstaller(wsFrames));
                }
                c.pipeline().addLast(new Dispatcher(frozen, frozenPrefixes));
              }
            })
            .bind(host, port)
            .syncUninterruptibly()
            .channel();
        return new HttpServer(group, ch);
      } catch (RuntimeException e) {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
      }
    }
  }

  /** Puts the caller's frame handler in its own place once the WebSocket handshake is complete. */
  private static final class WebSocketInstaller extends ChannelInboundHandlerAdapter {
    private final Supplier<? extends ChannelHandler> frames;

    WebSocketInstaller(Supplier<? extends ChannelHandler> frames) {
      this.frames = frames;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
        ctx.pipeline().replace(this, "websocket-frames", frames.get());
      }
      ctx.fireUserEventTriggered(evt);
    }
  }

  private static final class Dispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Map<String, HttpHandler> routes;
    private final List<Map.Entry<String, HttpHandler>> prefixRoutes;

    Dispatcher(Map<String, HttpHandler> routes, List<Map.Entry<String, HttpHandler>> prefixRoutes) {
      this.routes = routes;
      this.prefixRoutes = prefixRoutes;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
      boolean keepAlive = HttpUtil.isKeepAlive(msg);
      if (!msg.decoderResult().isSuccess()) {
        writeFull(ctx, HttpResponse.text(400, "malformed HTTP request: " + msg.decoderResult().cause()), false);
        return;
      }
      QueryStringDecoder qs = new QueryStringDecoder(msg.uri());
      Map<String, String> headers = new HashMap<>();
      msg.headers().forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
      byte[] body = new byte[msg.content().readableBytes()];
      msg.content().readBytes(body);
      HttpRequest request = new HttpRequest(msg.method().name(), qs.path(), qs.parameters(),
          Map.copyOf(headers), body, (InetSocketAddress) ctx.channel().remoteAddress());
      ctx.channel().config().setAutoRead(false);
      CompletionStage<HttpResponse> answer;
      try {
        HttpHandler handler = find(request);
        answer = handler == null ? CompletableFuture.completedFuture(notFound(request)) : handler.handle(request);
      } catch (Throwable t) {
        answer = CompletableFuture.failedFuture(t);
      }
      answer.whenComplete((response, error) -> {
        HttpResponse r = error == null ? response : toError(request, error);
        if (ctx.executor().inEventLoop()) {
          respond(ctx, r, keepAlive);
        } else {
          ctx.executor().execute(() -> respond(ctx, r, keepAlive));
        }
      });
    }

    private HttpHandler find(HttpRequest request) {
      HttpHandler exact = routes.get(request.method() + " " + request.path());
      if (exact != null) {
        return exact;
      }
      String key = request.method() + " " + request.path();
      for (Map.Entry<String, HttpHandler> e : prefixRoutes) {
        if (key.startsWith(e.getKey())) {
          return e.getValue();
        }
      }
      return null;
    }

    private static HttpResponse notFound(HttpRequest request) {
      return HttpResponse.text(404, "no such endpoint: " + request.method() + " " + request.path());
    }

    private static HttpResponse toError(HttpRequest request, Throwable error) {
      Throwable t = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
          ? error.getCause() : error;
      if (t instanceof HttpError e) {
        return HttpResponse.text(e.status(), e.getMessage());
      }
      if (t instanceof IllegalArgumentException) {
        return HttpResponse.text(400, t.getMessage());
      }
      LOG.error("BUG: {} {} failed", request.method(), request.path(), t);
      return HttpResponse.text(500, "internal error: " + t);
    }

    private void respond(ChannelHandlerContext ctx, HttpResponse r, boolean keepAlive) {
      if (r.streamOpener() != null) {
        openStream(ctx, r);
        return;
      }
      writeFull(ctx, r, keepAlive);
      ctx.channel().config().setAutoRead(true);
    }

    private static void writeFull(ChannelHandlerContext ctx, HttpResponse r, boolean keepAlive) {
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.body()));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
      r.headers().forEach((k, v) -> res.headers().set(k, v));
      HttpUtil.setContentLength(res, r.body().length);
      HttpUtil.setKeepAlive(res, keepAlive);
      var f = ctx.writeAndFlush(res);
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }

    private static void openStream(ChannelHandlerContext ctx, HttpResponse r) {
      DefaultHttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
      res.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      r.headers().forEach((k, v) -> res.headers().set(k, v));
      ctx.writeAndFlush(res);
      ChannelStream stream = new ChannelStream(ctx.channel());
      ctx.channel().config().setAutoRead(true); // to notice the peer closing
      try {
        r.streamOpener().accept(stream);
      } catch (RuntimeException e) {
        LOG.error("BUG: stream opener failed", e);
        stream.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  /** An {@link HttpStream} over one Netty channel. */
  /**
   * A chunked response body fed from any thread. Chunks queue up and are written by the channel's
   * event loop in one task per burst, with one flush: a master that sends thousands of small events
   * a second then makes one write syscall per burst per connection, not one per event.
   */
  private static final class ChannelStream implements HttpStream {
    private final Channel channel;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Queue<byte[]> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong pendingBytes = new java.util.concurrent.atomic.AtomicLong();

    ChannelStream(Channel channel) {
      this.channel = channel;
      channel.closeFuture().addListener(f -> closed.set(true));
    }

    @Override
    public boolean send(byte[] chunk) {
      if (closed.get() || !channel.isActive()) {
        return false;
      }
      pendingBytes.addAndGet(chunk.length);
      pending.add(chunk);
      if (drainScheduled.compareAndSet(false, true)) {
        channel.eventLoop().execute(this::drain);
      }
      return true;
    }

    /** Writes every queued chunk and flushes once. Runs on the channel's event loop. */
    private void drain() {
      drainScheduled.set(false);
      boolean wrote = false;
      for (byte[] chunk = pending.poll(); chunk != null; chunk = pending.poll()) {
        pendingBytes.addAndGet(-chunk.length);
        channel.write(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)), channel.voidPromise());
        wrote = true;
      }
      if (wrote) {
        channel.flush();
      }
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        channel.eventLoop().execute(() -> {
          drain();
          channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        });
      }
    }

    @Override
    public boolean isOpen() {
      return !closed.get() && channel.isActive();
    }

    @Override
    public long queuedBytes() {
      io.netty.channel.ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
      return pendingBytes.get() + (out == null ? 0 : out.totalPendingWriteBytes());
    }

    @Override
    public void onClose(Runnable callback) {
      channel.closeFuture().addListener(f -> callback.run());
    }
  }

}
