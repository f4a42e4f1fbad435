package io.mezzo.core.http;

import io.mezzo.core.auth.Access;
import io.mezzo.core.auth.Principal;
import io.mezzo.core.auth.Security;
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
 * <p>Every route declares the {@link Access} level it demands; there is no way to register one
 * without. With {@link Builder#security credentials}, each request's {@code Authorization: Bearer}
 * token is checked before its handler runs: a missing or unknown token on a non-public route is a 401
 * with {@code WWW-Authenticate: Bearer}, a known principal below the route's level a 403 that names it
 * and the level. Without credentials every caller is {@link Principal#ANYONE}, and the server refuses
 * to bind anything but loopback unless told {@code insecure} (see {@link Security#checkBind}).
 * {@link #routes()} lists the route table, so tests can walk every endpoint. With TLS files in the
 * security, every connection speaks TLS; with a client CA in them (mutual TLS), a connection may (or,
 * when required, must) present a client certificate that CA issued, and the request's principal is
 * {@link io.mezzo.core.auth.Credentials#identify}'s verdict on its token and that certificate's subject
 * (a verified certificate that is no principal's is a 401 naming the subject).
 *
 * <p>Limits on bad or hostile clients, each answered with a text body that names it: a request line
 * longer than {@value #MAX_LINE_BYTES} bytes is a 414, headers over {@value #MAX_HEADER_BYTES} bytes a
 * 431, a body over {@link Builder#maxRequestBytes} a 413; each closes the connection. A request must
 * arrive whole within {@link Builder#requestTimeout} (30 s by default) of its first byte (or of the
 * connection opening): a slow client (slowloris) gets a 408 and is disconnected, a silent one is just
 * disconnected. Once a connection streams a response or speaks WebSocket, the timeout no longer
 * applies to it. At most {@link Builder#maxConnections} connections are open at once; more are closed
 * at once on accept.
 *
 * <p>One path may be a WebSocket endpoint ({@link Builder#webSocket}): Netty's RFC 6455 server
 * handshake answers its upgrade requests, then the connection's frames go to a handler of the caller's.
 *
 * <p>{@link #replaceRoutes} swaps the whole route table of a running server (a standby master's for
 * the leader's once it is elected), keeping its port, its open connections and everything else: no
 * client sees the port closed. A request is checked and dispatched by one table, the one current when
 * its access was checked. Route-table swaps may come from any thread.
 */
public final class HttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
  /** The longest request line (method, URI, version) accepted; longer ones get a 414. */
  public static final int MAX_LINE_BYTES = 8192;
  /** The most header bytes a request may carry; more get a 431. */
  public static final int MAX_HEADER_BYTES = 32 * 1024;

  private final EventLoopGroup group;
  private final Channel channel;
  private final int port;
  private final String host;
  private final Security security;
  /** The route table in force, read by every connection's {@link GateSwitch}. */
  private final java.util.concurrent.atomic.AtomicReference<Gate> gate;
  private volatile List<Route> routes;

  private HttpServer(EventLoopGroup group, Channel channel, String host, Security security,
      java.util.concurrent.atomic.AtomicReference<Gate> gate, List<Route> routes) {
    this.group = group;
    this.channel = channel;
    this.port = ((InetSocketAddress) channel.localAddress()).getPort();
    this.host = host;
    this.security = security;
    this.gate = gate;
    this.routes = routes;
  }

  /**
   * One entry of the route table: {@code method path} (a prefix when {@code prefix}), and the level
   * its callers need. The WebSocket path is listed as a {@code GET} route.
   */
  public record Route(String method, String path, boolean prefix, Access access) {}

  /** Every route this server answers, in registration order. */
  public List<Route> routes() {
    return routes;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Serves {@code next}'s routes instead of the current ones from now on, on the same port and open
   * connections. Only the routes (and their levels) are taken from {@code next}: the bind address,
   * security, limits and threads stay as this server started, and the WebSocket path, if any, must be
   * the one it started with. A request whose access was checked before the swap is still answered by
   * the old table's handler. Any thread.
   */
  public void replaceRoutes(Builder next) {
    Gate old = gate.get();
    if (!java.util.Objects.equals(next.webSocketPath, old.wsPath)) {
      throw new IllegalArgumentException("webSocket: '" + next.webSocketPath + "' (expected: "
          + (old.wsPath == null ? "none" : "'" + old.wsPath + "'") + ", as this server started)");
    }
    if (next.table.stream().anyMatch(r -> r.access() != Access.PUBLIC)) {
      security.checkBind(host, port);
    }
    List<Route> table = List.copyOf(next.table);
    gate.set(new Gate(security, Map.copyOf(next.routes), List.copyOf(next.prefixRoutes), old.wsPath, old.wsAccess));
    routes = table;
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
    private final Map<String, Bound> routes = new HashMap<>();
    private final List<Map.Entry<String, Bound>> prefixRoutes = new ArrayList<>();
    private final List<Route> table = new ArrayList<>();
    private Security security = Security.NONE;
    private String host = "127.0.0.1";
    private int port;
    private int maxRequestBytes = 4 * 1024 * 1024;
    private int threads = 2;
    private java.time.Duration requestTimeout = java.time.Duration.ofSeconds(30);
    private int maxConnections = 10_000;
    private String name = "http";
    private String webSocketPath;
    private Supplier<? extends ChannelHandler> webSocketFrames;
    private Access webSocketAccess;

    /** Who may call (credentials, or none on loopback); {@link Security#NONE} when not called. */
    public Builder security(Security s) {
      this.security = java.util.Objects.requireNonNull(s, "security");
      return this;
    }

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

    /**
     * How long a client may take to send one whole request, from its first byte (or from connecting);
     * a slower one gets a 408 and is disconnected (without the 408 if it sent nothing at all). 30 s
     * when not called.
     */
    public Builder requestTimeout(java.time.Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("requestTimeout: " + timeout + " (expected: > 0)");
      }
      this.requestTimeout = timeout;
      return this;
    }

    /** The most connections open at once; more are closed as soon as they are accepted. 10,000 when not called. */
    public Builder maxConnections(int n) {
      if (n <= 0) {
        throw new IllegalArgumentException("maxConnections: " + n + " (expected: > 0)");
      }
      this.maxConnections = n;
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

    /** Routes {@code method path} (exact match) to {@code handler}, for callers reaching {@code access}. */
    public Builder route(String method, String path, Access access, HttpHandler handler) {
      Route r = new Route(method, path, false, java.util.Objects.requireNonNull(access, "access"));
      if (routes.put(method + " " + path, new Bound(r, handler)) != null) {
        throw new IllegalArgumentException("route: " + method + " " + path + " (expected: registered once)");
      }
      table.add(r);
      return this;
    }

    /** Routes every {@code method} request whose path starts with {@code prefix}, for callers reaching {@code access}. */
    public Builder prefixRoute(String method, String prefix, Access access, HttpHandler handler) {
      Route r = new Route(method, prefix, true, java.util.Objects.requireNonNull(access, "access"));
      prefixRoutes.add(Map.entry(method + " " + prefix, new Bound(r, handler)));
      table.add(r);
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
    public Builder webSocket(String path, Access access, Supplier<? extends ChannelHandler> frames) {
      if (path == null || !path.startsWith("/")) {
        throw new IllegalArgumentException("webSocket path: '" + path + "' (expected: a path starting with /)");
      }
      if (webSocketPath != null) {
        throw new IllegalArgumentException("webSocket path: '" + path + "' (expected: one WebSocket path per server, "
            + webSocketPath + " is one already)");
      }
      this.webSocketPath = path;
      this.webSocketFrames = java.util.Objects.requireNonNull(frames, "frames");
      this.webSocketAccess = java.util.Objects.requireNonNull(access, "access");
      table.add(new Route("GET", path, false, access));
      return this;
    }

    public HttpServer start() {
      boolean anyProtected = table.stream().anyMatch(r -> r.access() != Access.PUBLIC);
      if (anyProtected) {
        security.checkBind(host, port);
      }
      Map<String, Bound> frozen = Map.copyOf(routes);
      String wsPath = webSocketPath;
      Supplier<? extends ChannelHandler> wsFrames = webSocketFrames;
      List<Map.Entry<String, Bound>> frozenPrefixes = List.copyOf(prefixRoutes);
      java.util.concurrent.atomic.AtomicReference<Gate> gate = new java.util.concurrent.atomic.AtomicReference<>(
          new Gate(security, frozen, frozenPrefixes, wsPath, webSocketAccess));
      GateSwitch gateSwitch = new GateSwitch(gate);
      List<Route> frozenTable = List.copyOf(table);
      io.netty.handler.ssl.SslContext ssl = security.tls() == null ? null : security.tls().context();
      int limit = maxRequestBytes;
      long timeoutNanos = requestTimeout.toNanos();
      int connectionCap = maxConnections;
      String serverName = name;
      java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
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
                if (open.incrementAndGet() > connectionCap) {
                  open.decrementAndGet();
                  LOG.warn("{}: connection from {} refused: {} open (expected: at most {})", serverName,
                      c.remoteAddress(), connectionCap, connectionCap);
                  c.close();
                  return;
                }
                c.closeFuture().addListener(f -> open.decrementAndGet());
                if (ssl != null) {
                  c.pipeline().addLast(ssl.newHandler(c.alloc()));
                }
                RequestDeadline deadline = new RequestDeadline(timeoutNanos);
                c.pipeline()
                    .addLast(RequestDeadline.NAME, deadline)
                    .addLast(new HttpServerCodec(MAX_LINE_BYTES, MAX_HEADER_BYTES, 64 * 1024))
                    .addLast(new BoundedAggregator(limit))
                    .addLast(RequestDeadline.DONE, deadline.done())
                    .addLast(gateSwitch);
                if (wsPath != null) {
                  c.pipeline().addLast(new WebSocketServerProtocolHandler(wsPath))
                      .addLast(new WebSocketInstaller(wsFrames));
                }
                c.pipeline().addLast(new Dispatcher(gate));
              }
            })
            .bind(host, port)
            .syncUninterruptibly()
            .channel();
        return new HttpServer(group, ch, host, security, gate, frozenTable);
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
        RequestDeadline.remove(ctx);
        ctx.pipeline().replace(this, "websocket-frames", frames.get());
      }
      ctx.fireUserEventTriggered(evt);
    }
  }

  /** A route and its handler. */
  private record Bound(Route route, HttpHandler handler) {}

  private static final io.netty.util.AttributeKey<Principal> PRINCIPAL =
      io.netty.util.AttributeKey.valueOf("mezzo.principal");
  /** The table that checked the request in flight, so that the same one dispatches it. */
  private static final io.netty.util.AttributeKey<Gate> CHECKED_BY =
      io.netty.util.AttributeKey.valueOf("mezzo.checkedBy");

  /** Hands each request to the route table in force when it is read ({@link #replaceRoutes}). */
  @ChannelHandler.Sharable
  private static final class GateSwitch extends ChannelInboundHandlerAdapter {
    private final java.util.concurrent.atomic.AtomicReference<Gate> current;

    GateSwitch(java.util.concurrent.atomic.AtomicReference<Gate> current) {
      this.current = current;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Gate g = current.get();
      ctx.channel().attr(CHECKED_BY).set(g);
      g.channelRead(ctx, msg);
    }
  }

  /**
   * Checks every request against its route's level before anything else sees it (the WebSocket
   * handshake included): answers 401 or 403 itself, or records the caller's principal on the channel
   * for the {@link Dispatcher} and passes the request on. Requests for no route, and malformed ones,
   * pass unchecked to be answered 404 or 400. Shared by all connections; stateless.
   */
  @ChannelHandler.Sharable
  private static final class Gate extends ChannelInboundHandlerAdapter {
    private final Security security;
    private final Map<String, Bound> routes;
    private final List<Map.Entry<String, Bound>> prefixRoutes;
    private final String wsPath;
    private final Access wsAccess;

    Gate(Security security, Map<String, Bound> routes, List<Map.Entry<String, Bound>> prefixRoutes, String wsPath,
        Access wsAccess) {
      this.security = security;
      this.routes = routes;
      this.prefixRoutes = prefixRoutes;
      this.wsPath = wsPath;
      this.wsAccess = wsAccess;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof FullHttpRequest req) || !req.decoderResult().isSuccess()) {
        ctx.fireChannelRead(msg);
        return;
      }
      String method = req.method().name();
      QueryStringDecoder target = new QueryStringDecoder(req.uri());
      String path;
      try {
        path = target.path();
        target.parameters(); // decoded lazily: a bad escape would otherwise surface in the Dispatcher
      } catch (IllegalArgumentException e) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        req.release();
        Dispatcher.writeFull(ctx, HttpResponse.text(400, "request target: '" + req.uri() + "' " + e.getMessage()
            + " (expected: a path and query with valid %XX escapes)"), keepAlive);
        return;
      }
      Access level = levelOf(method, path);
      if (level == null) {
        ctx.channel().attr(PRINCIPAL).set(Principal.ANONYMOUS);
        ctx.fireChannelRead(msg);
        return;
      }
      String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
      String token = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).strip() : null;
      Principal who;
      javax.security.auth.x500.X500Principal subject = null;
      if (security.credentials() == null) {
        who = Principal.ANYONE;
      } else {
        subject = peerSubject(ctx);
        who = security.credentials().identify(token, subject).orElse(null);
      }
      String what = method + " " + path;
      HttpResponse refusal = null;
      if (who == null && level != Access.PUBLIC) {
        refusal = new HttpResponse(401, HttpResponse.TEXT, unauthenticated(what, level, token, subject)
            .getBytes(StandardCharsets.UTF_8), Map.of("WWW-Authenticate", "Bearer realm=\"mezzo\""), null);
      } else if (who != null && !who.allows(level)) {
        refusal = HttpResponse.text(403, "principal '" + who.name() + "' (role " + who.role().label() + ") may not "
            + what + " (expected: role " + io.mezzo.core.auth.Role.reaching(level) + ")");
      }
      if (refusal != null) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        req.release();
        Dispatcher.writeFull(ctx, refusal, keepAlive);
        return;
      }
      ctx.channel().attr(PRINCIPAL).set(who == null ? Principal.ANONYMOUS : who);
      ctx.fireChannelRead(msg);
    }

    /** Why a request is nobody: what it presented (token, certificate subject) and what was expected. */
    private String unauthenticated(String what, Access level, String token,
        javax.security.auth.x500.X500Principal subject) {
      boolean mutual = security.tls() != null && security.tls().clientAuth() != io.mezzo.core.auth.Tls.ClientAuth.NONE;
      if (subject != null) {
        return (token == null ? "" : "unknown bearer token, and ") + "client certificate '" + subject.getName()
            + "' is no principal's, for " + what + " (expected: a principal with \"certificate\": \""
            + subject.getName() + "\" in the credentials file)";
      }
      if (token == null) {
        return "missing bearer token for " + what + " (expected: Authorization: Bearer <secret> of a principal "
            + "with role " + io.mezzo.core.auth.Role.reaching(level) + (mutual ? ", or its client certificate" : "") + ")";
      }
      return "unknown bearer token for " + what + " (expected: the secret of a principal in the credentials file)";
    }

    /** The subject of the client certificate this connection presented and the handshake verified, or null. */
    private static javax.security.auth.x500.X500Principal peerSubject(ChannelHandlerContext ctx) {
      io.netty.handler.ssl.SslHandler ssl = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class);
      if (ssl == null) {
        return null;
      }
      try {
        java.security.cert.Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
        return chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate x
            ? x.getSubjectX500Principal() : null;
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        return null; // no certificate asked for, or none presented
      }
    }

    private Access levelOf(String method, String path) {
      if (path.equals(wsPath) && method.equals("GET")) {
        return wsAccess;
      }
      Bound b = find(method, path);
      return b == null ? null : b.route().access();
    }

    Bound find(String method, String path) {
      String key = method + " " + path;
      Bound exact = routes.get(key);
      if (exact != null) {
        return exact;
      }
      for (Map.Entry<String, Bound> e : prefixRoutes) {
        if (key.startsWith(e.getKey())) {
          return e.getValue();
        }
      }
      return null;
    }
  }

  private static final class Dispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final java.util.concurrent.atomic.AtomicReference<Gate> current;

    Dispatcher(java.util.concurrent.atomic.AtomicReference<Gate> current) {
      this.current = current;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
      boolean keepAlive = HttpUtil.isKeepAlive(msg);
      if (!msg.decoderResult().isSuccess()) {
        writeFull(ctx, malformed(msg.decoderResult().cause()), false);
        return;
      }
      QueryStringDecoder qs = new QueryStringDecoder(msg.uri());
      Map<String, String> headers = new HashMap<>();
      msg.headers().forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
      byte[] body = new byte[msg.content().readableBytes()];
      msg.content().readBytes(body);
      Principal who = ctx.channel().attr(PRINCIPAL).getAndSet(null);
      Gate checked = ctx.channel().attr(CHECKED_BY).getAndSet(null);
      Gate gate = checked != null ? checked : current.get();
      HttpRequest request = new HttpRequest(msg.method().name(), qs.path(), qs.parameters(),
          Map.copyOf(headers), body, (InetSocketAddress) ctx.channel().remoteAddress(),
          who == null ? Principal.ANONYMOUS : who);
      ctx.channel().config().setAutoRead(false);
      CompletionStage<HttpResponse> answer;
      try {
        Bound bound = gate.find(request.method(), request.path());
        answer = bound == null ? CompletableFuture.completedFuture(notFound(request)) : bound.handler().handle(request);
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

    /** 414 or 431 for a request line or headers over the limits, else 400; each names what was wrong. */
    private static HttpResponse malformed(Throwable cause) {
      if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
        return HttpResponse.text(414, "request line: longer than " + MAX_LINE_BYTES + " bytes (expected: at most "
            + MAX_LINE_BYTES + ")");
      }
      if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) {
        return HttpResponse.text(431, "request headers: more than " + MAX_HEADER_BYTES + " bytes (expected: at most "
            + MAX_HEADER_BYTES + ")");
      }
      return HttpResponse.text(400, "malformed HTTP request: " + cause);
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
      if (t instanceof Principal.Forbidden e) {
        return HttpResponse.text(403, e.getMessage());
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
      res.headers().set(HttpHeaderNames.DATE, io.netty.handler.codec.DateFormatter.format(new java.util.Date())); // clients compare clocks (mezzo doctor)
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
      RequestDeadline.remove(ctx); // a stream's connection lives as long as the stream
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

  /**
   * Netty's aggregator, answering an oversized body with a 413 that names the limit (Netty's own has
   * an empty body) and closing the connection, whose remaining bytes are not worth reading.
   */
  private static final class BoundedAggregator extends HttpObjectAggregator {
    private final int limit;

    BoundedAggregator(int limit) {
      super(limit);
      this.limit = limit;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, io.netty.handler.codec.http.HttpMessage oversized) {
      // the aggregator releases the oversized message itself
      Dispatcher.writeFull(ctx, HttpResponse.text(413, "request body: more than " + limit + " bytes (expected: at most "
          + limit + ")"), false);
    }
  }

  /**
   * Closes a connection whose request does not arrive whole in time: after a 408 when the request
   * began (a slowloris client trickling bytes), silently when it connected and sent nothing. Armed when the connection opens and
   * by the first bytes of each request (it sits before the HTTP codec, seeing raw bytes), disarmed by
   * its {@link #done} half, after the aggregator, when the whole request is there. Removed once the
   * connection streams a response or is upgraded to WebSocket. One per connection; runs on its event
   * loop.
   */
  private static final class RequestDeadline extends ChannelInboundHandlerAdapter {
    static final String NAME = "request-deadline";
    static final String DONE = "request-complete";
    private final long timeoutNanos;
    private io.netty.util.concurrent.ScheduledFuture<?> timer;
    /** Whether bytes of the awaited request arrived (else the connection is merely idle since it opened). */
    private boolean started;

    RequestDeadline(long timeoutNanos) {
      this.timeoutNanos = timeoutNanos;
    }

    static void remove(ChannelHandlerContext ctx) {
      var p = ctx.pipeline();
      if (p.get(NAME) instanceof RequestDeadline d) {
        d.disarm();
        p.remove(NAME);
      }
      if (p.get(DONE) != null) {
        p.remove(DONE);
      }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      arm(ctx);
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (timer == null) {
        arm(ctx);
      }
      started = true;
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      disarm();
      ctx.fireChannelInactive();
    }

    private void arm(ChannelHandlerContext ctx) {
      timer = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void disarm() {
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
      started = false;
    }

    private void expire(ChannelHandlerContext ctx) {
      timer = null;
      if (!ctx.channel().isActive()) {
        return;
      }
      long ms = TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
      LOG.debug("closing {}: no whole request within {} ms", ctx.channel().remoteAddress(), ms);
      if (!started) {
        ctx.close(); // connected but silent (a pool's spare connection, say): no answer to a request never made
        return;
      }
      byte[] body = ("request: not complete after " + ms + " ms (expected: a whole request within " + ms + " ms)")
          .getBytes(StandardCharsets.UTF_8);
      String head = "HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
          + body.length + "\r\nConnection: close\r\n\r\n";
      ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body))
          .addListener(ChannelFutureListener.CLOSE);
    }

    /** The half after the aggregator: a whole request disarms the timer. */
    ChannelHandler done() {
      return new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          if (msg instanceof FullHttpRequest) {
            disarm();
          }
          ctx.fireChannelRead(msg);
        }
      };
    }
  }

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
