package io.mezzo.balancer.proxy;

import io.mezzo.balancer.health.RetryPolicy;
import io.mezzo.balancer.route.RouteSpec;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One client connection of an HTTP listener. Requests are proxied one at a time: the route comes from the {@code Host} and path, the
 * backend from the route's picker, the backend connection from the loop's {@link BackendPool}.
 * Bodies stream in both directions without being gathered, with backpressure (a side that cannot
 * write stops the other side's reads). A connection failure before the request was sent is retried on
 * another backend; the request's parts are held until a backend takes them (only the parts already
 * read: reading pauses while no backend is connected).
 *
 * <p>Reading: the connection reads (auto-read) while it is idle and while one exchange is in flight,
 * so a kept-alive exchange changes no epoll interest. Reading pauses only while the request in progress
 * waits for a backend or a slot (it is not read beyond its own messages), while its backend cannot take
 * more of its body, while an upgrade request's connection is about to become a tunnel, and while
 * pipelined requests are queued. Pipelining: requests a client sends before the previous answer came
 * are queued as decoded (their parts, in order) and replayed one exchange at a time once the exchange
 * in flight is over, so each is answered in the order it came; as reading pauses when the queue
 * starts, it holds at most what the reads already done brought (and Netty's codec refuses more than
 * 128 unanswered requests).
 *
 * <p>Failures: a connect failure, a backend closing the connection before answering (idempotent
 * requests whose body was not sent) and, when the route opts in ({@code MEZZO_LB_RETRY_ON_n}), a listed
 * 5xx answer to an idempotent request whose body was not sent, are retried on another backend as the
 * route's {@link RetryPolicy} and retry budget allow ({@link RouteGuard}). With a per-try timeout
 * ({@code MEZZO_LB_TRY_TIMEOUT_n}), an attempt whose request was written to its end and got no response
 * head in that time is abandoned: its backend connection is detached and closed (a late answer is dropped),
 * the backend counts a timeout for outlier detection, and the request goes to another backend as a
 * {@link RetryPolicy.FailureKind#TIMEOUT} allows, else is answered 504. Upgrades are not timed. Each backend attempt holds a
 * slot of the backend's admission limit; when it is full the request waits in its bounded queue
 * ({@link Waiting}; reading pauses meanwhile), and while the route has no backend it waits for one, up
 * to the route's queue timeout.
 *
 * <p>Answers of its own: 404 when no route matches, 503 when the route has no backend (after the queue
 * timeout) or the backend's queue is full or timed out, 502 when no backend could be reached, one broke
 * the exchange before answering, or the retry budget is spent, 504 when an attempt timed out and was not
 * retried; each with a one-line body.
 * Runs on the connection's event loop only.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter implements Waiting.Owner {
  private static final CharSequence[] HOP_BY_HOP = {HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
      HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.TE,
      HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE, "Proxy-Connection"};
  private static final HttpConversionUtil.ExtensionHeaderNames[] H2_EXTENSION_HEADERS =
      HttpConversionUtil.ExtensionHeaderNames.values();
  private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
  private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
  private static final AsciiString X_FORWARDED_PORT = AsciiString.cached("X-Forwarded-Port");
  private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
  private static final AsciiString HTTP = AsciiString.cached("http");
  private final LoadBalancer lb;
  private ChannelHandlerContext ctx;
  private int localPort;
  /** This connection's own X-Forwarded-For and X-Forwarded-Port values, built at its first request. */
  private AsciiString forwardedFor;
  private AsciiString forwardedPort;

  // The exchange in progress (null request: none, or answered by the LB itself).
  private HttpRequest request;
  /** The head sent to backends for {@code request}, once built (retries send it again). */
  private HttpRequest forwardedHead;
  /**
   * An exchange is in progress: from its request's head until both its response has been written to its
   * end and its request read to its end ({@code requestComplete}); what comes meanwhile is pipelined.
   */
  private boolean active;
  /** The response of the exchange in progress has been written to its end. */
  private boolean responded;
  /** The connection closes once the response being written is out: nothing more is read or answered. */
  private boolean closing;
  /** Parts of requests that came while one was in flight (pipelining), in order. */
  private final ArrayDeque<Object> pipelined = new ArrayDeque<>();
  private boolean replaying;
  private final List<HttpContent> held = new ArrayList<>();
  private boolean requestComplete;
  private boolean discarding;
  private boolean clientKeepAlive;
  private boolean responseStarted;
  private boolean backendKeepAlive;
  private LoadBalancer.Route route;
  private BackendRef backend;
  private Channel backendChannel;
  private BackendHandler backendHandler;
  private final Set<BackendRef> tried = new HashSet<>();
  /** Retries of the exchange so far. */
  private int retries;
  /** The admission slot its backend attempt holds, if any. */
  private final RouteGuard.Slot slot = new RouteGuard.Slot();
  /** A retried 5xx answer is being read and dropped; then the request goes to {@code retryNext}. */
  private boolean discardingAnswer;
  private BackendRef retryNext;
  private Waiting waiting;
  private long startNanos;
  private boolean bodySent;
  /** The per-try timer of the attempt in flight (armed once its request is written to its end), or null. */
  private ScheduledFuture<?> tryTimer;
  /** The hash key of this exchange (a header's or cookie's, else {@link #addressKey}). */
  private long clientKey;
  /** The hash key of the client's address. */
  private long addressKey;
  private String clientAddress;
  private int responseStatus;
  /** Inside a read burst: writes to the backend are flushed once, at its end. */
  private boolean reading;
  /** The request asks for a WebSocket; {@code tunnel}: its backend said 101. */
  private boolean upgrade;
  private boolean tunnel;
  /** The sticky token the request carried (sticky routes only), or null. */
  private String stickyToken;
  /** Null without an access log; otherwise what the line of the exchange in progress needs. */
  private final AccessLog accessLog;
  private HttpRequest loggedRequest;
  private long startMillis;
  private long responseBytes;

  /** The exchanges of one HTTP/2 stream rather than of an HTTP/1.1 connection. */
  private final boolean h2;

  FrontendHandler(LoadBalancer lb) {
    this(lb, false);
  }

  FrontendHandler(LoadBalancer lb, boolean h2) {
    this.lb = lb;
    this.accessLog = lb.accessLog;
    this.h2 = h2;
  }

  @Override
  public void channelActive(ChannelHandlerContext c) {
    this.ctx = c;
    this.localPort = ((InetSocketAddress) c.channel().localAddress()).getPort();
    this.clientAddress = ((InetSocketAddress) c.channel().remoteAddress()).getAddress().getHostAddress();
    this.addressKey = io.mezzo.balancer.algorithm.HashKeys.of(clientAddress);
    this.clientKey = addressKey;
    this.waiting = new Waiting(c.channel().eventLoop(), this);
    c.fireChannelActive();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext c) {
    this.ctx = c;
  }

  @Override
  public void channelRead(ChannelHandlerContext c, Object msg) {
    reading = true;
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!pipelined.isEmpty() || active && requestComplete) {
      // A pipelined request: it waits for the exchange in flight, and reading pauses until its turn.
      pipelined.add(msg);
      updateReads();
      return;
    }
    dispatch(msg);
    updateReads();
  }

  /**
   * Reads unless pipelined requests are queued, or the request in progress waits for a backend or a slot,
   * or its backend cannot take more of its body, or it is an upgrade read to its end (the bytes after it
   * are the tunnel's). Changes the channel's auto-read (an epoll interest change) only when it differs.
   */
  private void updateReads() {
    boolean read = pipelined.isEmpty() && !(active && !responded && !discarding && (backendChannel == null
        || upgrade && requestComplete || !requestComplete && !backendChannel.isWritable()));
    ChannelConfig config = c().config();
    if (config.isAutoRead() != read) {
      config.setAutoRead(read);
    }
  }

  /** A part of the request in progress, or the head of the next one. */
  private void dispatch(Object msg) {
    if (msg instanceof HttpRequest req) {
      onRequest(req);
    }
    if (msg instanceof HttpContent content) {
      // A whole request in one message (an HTTP/2 stream, an aggregated upgrade request) goes on as its
      // body: the headers go out apart, rebuilt by forwarded().
      onRequestContent(msg instanceof FullHttpRequest full
          ? new DefaultLastHttpContent(full.content(), full.trailingHeaders()) : content);
    } else if (!(msg instanceof HttpRequest)) {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onRequest(HttpRequest req) {
    active = true;
    forwardedHead = null;
    responded = false;
    requestComplete = false;
    upgrade = false;
    if (accessLog != null) {
      loggedRequest = req;
      startMillis = System.currentTimeMillis();
      startNanos = System.nanoTime();
      responseBytes = 0;
      route = null;
    }
    if (!req.decoderResult().isSuccess()) {
      discarding = true;
      clientKeepAlive = false;
      answer(HttpResponseStatus.BAD_REQUEST, "malformed request: " + req.decoderResult().cause());
      return;
    }
    request = req;
    requestComplete = false;
    responseStarted = false;
    clientKeepAlive = HttpUtil.isKeepAlive(req);
    upgrade = WebSocketTunnel.isUpgrade(req);
    tried.clear();
    retries = 0;
    discardingAnswer = false;
    retryNext = null;
    waiting.newRequest();
    bodySent = false;
    startNanos = System.nanoTime();
    String host = req.headers().get(HttpHeaderNames.HOST);
    String uri = req.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    route = lb.httpRoute(localPort, host, path);
    if (route == null) {
      discarding = true;
      answer(HttpResponseStatus.NOT_FOUND, "no route for host '" + (host == null ? "" : host) + "' path '" + path
          + "' on port " + localPort);
      return;
    }
    clientKey = route.requestKey(req.headers(), addressKey);
    route.guard().deposit(startNanos);
    connectTo(route.spec().sticky() ? stickyPick(req) : route.pick(tried, clientKey, startNanos));
  }

  /** The backend of the request's sticky cookie while it serves, else the algorithm's pick. */
  private BackendRef stickyPick(HttpRequest req) {
    stickyToken = StickyCookie.fromRequest(req.headers());
    BackendRef b = stickyToken == null ? null : route.sticky(stickyToken);
    return b != null ? b : route.pick(tried, clientKey, startNanos);
  }

  private void onRequestContent(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    if (discarding) {
      content.release();
      if (last) {
        discarding = false;
        requestComplete = true;
        if (responded) {
          endExchange();
        }
      }
      return;
    }
    if (request == null) {
      content.release();
      return;
    }
    if (last) {
      requestComplete = true;
    }
    if (backendChannel != null && backendChannel.isActive() && held.isEmpty()) {
      bodySent |= content.content().isReadable();
      backendChannel.write(content, backendChannel.voidPromise());
      if (!reading) {
        backendChannel.flush();
      }
      if (last) {
        armTryTimer();
      }
    } else {
      held.add(content);
    }
  }

  /** Sends the request to {@code b} (null: none left) once a slot is free, or answers why it cannot. */
  private void connectTo(BackendRef b) {
    connectOrWait(b);
    updateReads();
  }

  private void connectOrWait(BackendRef b) {
    if (b == null) {
      if (tried.isEmpty()) { // nothing routable yet: wait for a backend, 503 after the queue timeout
        LoadBalancer.Route waitedFor = route;
        waiting.park(route.guard(), () -> lb.routableOrGone(waitedFor));
        return;
      }
      failExchange(HttpResponseStatus.BAD_GATEWAY, "no backend of " + route.spec().key() + " could be reached");
      return;
    }
    b = route.withRoom(b, tried, clientKey);
    if (waiting.admit(route.guard(), b)) {
      onSlot(route.guard(), b);
    } // else it waits for a slot (onSlot) or was answered 503
  }

  @Override
  public boolean active() {
    return c().isActive();
  }

  @Override
  public void onWaitFailed(String message) {
    failExchange(HttpResponseStatus.SERVICE_UNAVAILABLE, message);
  }

  @Override
  public void onWaitStarted() {
    c().eventLoop().execute(() -> { // after the rest of this read burst (a request's end comes with it)
      if (request != null && requestComplete && backend == null && c().isActive()) {
        c().read(); // nothing more is expected: only the end of the stream, if the client leaves
      }
    });
  }

  @Override
  public void onRouteChanged() {
    LoadBalancer.Route now = lb.currentRoute(route);
    if (now == null) {
      failExchange(HttpResponseStatus.SERVICE_UNAVAILABLE, "no healthy backend for " + route.spec().key());
      return;
    }
    route = now;
    connectTo(route.pick(tried, clientKey));
  }

  /** The attempt on {@code failed} failed: the next one if the route's policy and budget allow, else 502. */
  private void retryAfter(BackendRef failed, RetryPolicy.FailureKind kind) {
    BackendRef next = route.pick(tried, clientKey);
    if (next == null) {
      connectTo(null);
      return;
    }
    RetryPolicy.Decision d = route.guard().retry(request.method().name(), retries, kind, bodySent, System.nanoTime());
    if (d.retry()) {
      retries++;
      lb.metrics().retry(failed);
      connectTo(next);
    } else if (d == RetryPolicy.Decision.BUDGET_EXHAUSTED) {
      failExchange(HttpResponseStatus.BAD_GATEWAY, "backend " + failed.address + " could not be reached and "
          + route.guard().budgetSpent());
    } else {
      connectTo(null);
    }
  }

  @Override
  public void onSlot(RouteGuard guard, BackendRef b) {
    slot.take(guard, b);
    tried.add(b);
    backend = b;
    BackendPool pool = lb.pool(c().eventLoop());
    Channel idle = pool.takeIdle(b);
    if (idle != null) {
      attach(idle, (BackendHandler) idle.pipeline().last());
      return;
    }
    BackendHandler handler = new BackendHandler();
    pool.connect(b, handler).addListener((ChannelFutureListener) f -> {
      if (f.isSuccess()) {
        if (backend != b) { // the client left while it connected
          lb.pool(c().eventLoop()).release(b, f.channel());
          return;
        }
        attach(f.channel(), handler);
      } else {
        slot.release(b);
        lb.onConnectFailure(b);
        backend = null;
        if (!c().isActive()) {
          releaseHeld();
          return;
        }
        retryAfter(b, RetryPolicy.FailureKind.CONNECT_FAILURE);
      }
    });
  }

  private void attach(Channel ch, BackendHandler handler) {
    if (!c().isActive()) {
      slot.release(backend);
      lb.onAbandon(backend);
      lb.pool(c().eventLoop()).release(backend, ch);
      releaseHeld();
      return;
    }
    backendChannel = ch;
    backendHandler = handler;
    handler.own(this);
    ch.write(forwarded(request), ch.voidPromise());
    for (HttpContent h : held) {
      bodySent |= h.content().isReadable();
      ch.write(h, ch.voidPromise());
    }
    held.clear();
    if (!reading) {
      ch.flush(); // connected asynchronously: nothing else will flush
    }
    if (requestComplete) {
      armTryTimer();
    }
    updateReads(); // streams the rest of the body, if any
  }

  /**
   * Starts the per-try timer of the attempt in flight, whose request has just been written to its end, if
   * the route has a per-try timeout (not for upgrades: a tunnel's backend answers when it likes).
   */
  private void armTryTimer() {
    Duration timeout = route.guard().policy().tryTimeout();
    if (timeout == null || upgrade || tryTimer != null || backendChannel == null) {
      return;
    }
    Channel attempt = backendChannel;
    tryTimer = c().eventLoop().schedule(() -> onTryTimeout(attempt, timeout), timeout.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  private void cancelTryTimer() {
    if (tryTimer != null) {
      tryTimer.cancel(false);
      tryTimer = null;
    }
  }

  /**
   * The attempt on {@code attempt} got no response head within {@code timeout}: the connection is detached
   * (a late answer goes nowhere) and closed, and the request goes to another backend if the policy allows a
   * {@link RetryPolicy.FailureKind#TIMEOUT} retry, else the client gets 504.
   */
  private void onTryTimeout(Channel attempt, Duration timeout) {
    tryTimer = null;
    if (backendChannel != attempt || responseStarted || discardingAnswer || backend == null) {
      return; // a stale timer: that attempt is over
    }
    BackendRef b = backend;
    backendHandler.own(null);
    attempt.close(); // mid-exchange: never back to the pool
    slot.release(b);
    lb.onTryTimeout(b, System.nanoTime() - startNanos);
    backend = null;
    backendChannel = null;
    backendHandler = null;
    BackendRef next = c().isActive() ? route.pick(tried, clientKey) : null;
    RetryPolicy.Decision d = next == null ? RetryPolicy.Decision.ATTEMPTS_EXHAUSTED
        : route.guard().retry(request.method().name(), retries, RetryPolicy.FailureKind.TIMEOUT, bodySent,
            System.nanoTime());
    if (d.retry()) {
      retries++;
      lb.metrics().retry(b);
      held.add(LastHttpContent.EMPTY_LAST_CONTENT); // the head goes again, then this end
      connectTo(next);
      return;
    }
    failExchange(HttpResponseStatus.GATEWAY_TIMEOUT, "backend " + b.address + " did not answer within "
        + format(timeout) + (d == RetryPolicy.Decision.BUDGET_EXHAUSTED ? "; " + route.guard().budgetSpent() : ""));
  }

  /** {@code 300ms}, {@code 1s}, {@code 1.5s}. */
  static String format(Duration d) {
    long millis = d.toMillis();
    if (millis < 1000) {
      return millis + "ms";
    }
    return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + "s";
  }

  /**
   * The request's head as the backend gets it: hop-by-hop headers dropped, X-Forwarded-* added,
   * HTTP/1.1 (kept alive). The decoded request's headers are edited in place (they are this exchange's
   * own; what the exchange needs from them was read in {@link #onRequest}), once: a retry sends the same
   * head again. A new head object all the same, so that a whole request's body (HTTP/2, an aggregated
   * upgrade) goes on apart.
   */
  private HttpRequest forwarded(HttpRequest in) {
    if (forwardedHead != null) {
      return forwardedHead;
    }
    if (forwardedFor == null) {
      forwardedFor = new AsciiString(clientAddress);
      forwardedPort = new AsciiString(String.valueOf(localPort));
    }
    HttpHeaders h = in.headers();
    String upgradeTo = upgrade ? h.get(HttpHeaderNames.UPGRADE) : null;
    for (CharSequence hop : HOP_BY_HOP) {
      h.remove(hop);
    }
    if (h2) {
      for (HttpConversionUtil.ExtensionHeaderNames x : H2_EXTENSION_HEADERS) {
        h.remove(x.text()); // the HTTP/2 codec's own (x-http2-stream-id, x-http2-scheme, ...)
      }
    }
    if (upgrade) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
      h.set(HttpHeaderNames.UPGRADE, upgradeTo);
    }
    String prior = h.get(X_FORWARDED_FOR);
    h.set(X_FORWARDED_FOR, prior == null ? forwardedFor : prior + ", " + clientAddress);
    h.set(X_FORWARDED_PROTO, HTTP);
    h.set(X_FORWARDED_PORT, forwardedPort);
    String host = h.get(HttpHeaderNames.HOST);
    if (host != null) {
      h.set(X_FORWARDED_HOST, host);
    }
    forwardedHead = new DefaultHttpRequest(HttpVersion.HTTP_1_1, in.method(), in.uri(), h);
    return forwardedHead;
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext c) {
    reading = false;
    if (backendChannel != null) {
      backendChannel.flush();
    }
    c.fireChannelReadComplete();
  }

  void onBackendResponse(HttpResponse r) {
    cancelTryTimer();
    if (retryAnswer(r)) {
      return;
    }
    responseStarted = true;
    responseStatus = r.status().code();
    if (route.spec().sticky()) {
      String token = StickyCookie.token(backend);
      if (!token.equals(stickyToken)) {
        r.headers().add(HttpHeaderNames.SET_COOKIE, StickyCookie.setCookie(token));
      }
    }
    if (upgrade && responseStatus == 101) {
      tunnel = true; // relayed as it is, Connection and Upgrade included; the tunnel starts after it
      c().write(r, c().voidPromise());
      return;
    }
    backendKeepAlive = HttpUtil.isKeepAlive(r);
    HttpHeaders h = r.headers();
    h.remove(HttpHeaderNames.CONNECTION);
    h.remove(HttpHeaderNames.KEEP_ALIVE);
    boolean framed = HttpUtil.isContentLengthSet(r) || HttpUtil.isTransferEncodingChunked(r)
        || r.status().code() == 204 || r.status().code() == 304;
    if (!framed) {
      clientKeepAlive = false; // the body ends when the connection closes
    }
    if (clientKeepAlive && request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    } else if (!clientKeepAlive) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    c().write(r, c().voidPromise());
  }

  void onBackendContent(HttpContent content) {
    if (discardingAnswer) {
      discardAnswer(content);
      return;
    }
    boolean last = content instanceof LastHttpContent;
    if (accessLog != null) {
      responseBytes += content.content().readableBytes();
    }
    if (tunnel) {
      startTunnel(content, last);
      return;
    }
    if (!last) {
      c().writeAndFlush(content, c().voidPromise());
      if (!c().isWritable() && backendChannel != null) {
        backendChannel.config().setAutoRead(false);
      }
      return;
    }
    BackendRef b = backend;
    Channel bc = backendChannel;
    BackendHandler bh = backendHandler;
    finishExchange();
    bh.own(null);
    if (backendKeepAlive && requestComplete) {
      bc.config().setAutoRead(true);
      lb.pool(c().eventLoop()).release(b, bc);
    } else {
      bc.close();
    }
    long now = System.nanoTime();
    long nanos = now - startNanos;
    lb.onComplete(b, nanos, now);
    lb.onResponse(b, responseStatus, nanos, now);
    if (accessLog != null) {
      logAccess(responseStatus, b);
    }
    if (clientKeepAlive) {
      c().writeAndFlush(content, c().voidPromise());
      responseDone();
    } else {
      closing = true;
      c().writeAndFlush(content).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** After the backend's 101: the exchange becomes a {@link WebSocketTunnel}, still in flight on its backend. */
  private void startTunnel(HttpContent content, boolean last) {
    c().write(content);
    if (!last) {
      return; // a 101 has no body: not expected
    }
    BackendRef b = backend;
    Channel bc = backendChannel;
    backendHandler.own(null);
    lb.onResponse(b, 101, System.nanoTime() - startNanos);
    if (accessLog != null) {
      logAccess(101, b);
    }
    c().flush();
    backend = null;
    backendChannel = null;
    backendHandler = null;
    request = null;
    tunnel = false;
    active = false;
    WebSocketTunnel.splice(lb, b, c(), bc);
  }

  void onBackendWritability(boolean writable) {
    updateReads();
  }

  void onBackendClosed() {
    if (backend == null) {
      return;
    }
    cancelTryTimer();
    BackendRef b = backend;
    RetryPolicy.Decision d = !responseStarted && !bodySent && requestComplete && !discardingAnswer && c().isActive()
        ? route.guard().retry(request.method().name(), retries, RetryPolicy.FailureKind.RESET, false, System.nanoTime())
        : RetryPolicy.Decision.ATTEMPTS_EXHAUSTED;
    if (d.retry()) {
      // A kept-alive connection the backend closed as the request went out: nothing was processed
      // that matters twice, so the request goes to another backend (or a fresh connection).
      retries++;
      lb.metrics().retry(b);
      slot.release(b);
      lb.onConnectFailure(b);
      backend = null;
      backendChannel = null;
      backendHandler = null;
      held.add(LastHttpContent.EMPTY_LAST_CONTENT);
      BackendRef next = route.pick(tried, clientKey);
      connectTo(next != null ? next : route.pickAny(clientKey));
      return;
    }
    finishExchange();
    lb.onComplete(b, System.nanoTime() - startNanos);
    if (!responseStarted) {
      failExchange(HttpResponseStatus.BAD_GATEWAY, "backend " + b.address + " closed the connection before answering"
          + (d == RetryPolicy.Decision.BUDGET_EXHAUSTED ? "; " + route.guard().budgetSpent() : ""));
    } else {
      if (accessLog != null) {
        logAccess(responseStatus, b);
      }
      c().close(); // the response is cut: so must the client's be
    }
  }

  /**
   * Whether the backend's answer {@code r} is dropped for a retry: its status is one the route retries
   * ({@code MEZZO_LB_RETRY_ON_n}), the request is idempotent and complete and sent no body, another
   * backend is there, and the policy and budget allow. Then {@link #discardAnswer} reads the answer
   * to its end (the connection stays reusable) and sends the request on.
   */
  private boolean retryAnswer(HttpResponse r) {
    int status = r.status().code();
    if (discardingAnswer || bodySent || !requestComplete || !route.guard().policy().retryOn().contains(status)) {
      return false;
    }
    BackendRef next = route.pick(tried, clientKey);
    if (next == null || !route.guard().retry(request.method().name(), retries, RetryPolicy.FailureKind.HTTP_5XX,
        false, System.nanoTime()).retry()) {
      return false;
    }
    retries++;
    lb.metrics().retry(backend);
    discardingAnswer = true;
    retryNext = next;
    responseStatus = status;
    backendKeepAlive = HttpUtil.isKeepAlive(r);
    return true;
  }

  private void discardAnswer(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    content.release();
    if (!last) {
      return;
    }
    discardingAnswer = false;
    BackendRef b = backend;
    Channel bc = backendChannel;
    BackendHandler bh = backendHandler;
    slot.release(b);
    backend = null;
    backendChannel = null;
    backendHandler = null;
    bh.own(null);
    if (backendKeepAlive) {
      lb.pool(c().eventLoop()).release(b, bc);
    } else {
      bc.close();
    }
    long nanos = System.nanoTime() - startNanos;
    lb.onComplete(b, nanos);
    lb.onResponse(b, responseStatus, nanos);
    BackendRef next = retryNext;
    retryNext = null;
    held.add(LastHttpContent.EMPTY_LAST_CONTENT);
    connectTo(next);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext c) {
    if (backendChannel != null && responseStarted) {
      backendChannel.config().setAutoRead(c.channel().isWritable());
    }
    c.fireChannelWritabilityChanged();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext c) {
    releasePipelined(); // a tunnel or HTTP/2 takes the connection over
  }

  @Override
  public void channelInactive(ChannelHandlerContext c) {
    if (waiting != null) {
      waiting.leave();
    }
    releasePipelined();
    discardingAnswer = false;
    releaseHeld();
    if (backend != null) {
      BackendRef b = backend;
      Channel bc = backendChannel;
      finishExchange();
      if (bc != null) {
        ((BackendHandler) bc.pipeline().last()).own(null);
        bc.close(); // mid-exchange: not reusable
      }
      lb.onComplete(b, System.nanoTime() - startNanos);
    }
    c.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
    c.close();
  }

  private void finishExchange() {
    cancelTryTimer();
    if (backend != null) {
      slot.release(backend);
    }
    backend = null;
    backendChannel = null;
    backendHandler = null;
    request = null;
  }

  private void failExchange(HttpResponseStatus status, String message) {
    releaseHeld();
    if (!requestComplete) {
      discarding = true; // the rest of the body is read and dropped
    }
    request = null;
    answer(status, message);
  }

  /** Answers on its own and goes on with the next request (or closes, without keep-alive). */
  private void answer(HttpResponseStatus status, String message) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    HttpUtil.setContentLength(r, r.content().readableBytes());
    lb.onLocalAnswer(status.code());
    if (accessLog != null) {
      responseBytes = r.content().readableBytes();
      logAccess(status.code(), null);
    }
    if (!clientKeepAlive) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      closing = true;
      c().writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    c().writeAndFlush(r, c().voidPromise());
    responseDone();
  }

  /**
   * The response's end is written (kept alive): the exchange is over, or, when the request has not been
   * read to its end, it will be once the rest of its body has been read and dropped.
   */
  private void responseDone() {
    responded = true;
    if (requestComplete) {
      endExchange();
    } else {
      discarding = true;
      updateReads();
    }
  }

  /** The exchange is over: the pipelined requests go on, else reading resumes. */
  private void endExchange() {
    active = false;
    responded = false;
    if (!replaying && !pipelined.isEmpty()) {
      replay();
    }
    updateReads();
  }

  /**
   * Hands the queued parts of pipelined requests on, in order, until one of them is in flight with its
   * request read to its end (the rest waits for it) or none is left. Writes to the backend are flushed
   * once, at the end.
   */
  private void replay() {
    replaying = true;
    boolean wasReading = reading;
    reading = true;
    try {
      while (!pipelined.isEmpty() && !(active && requestComplete) && !closing) {
        dispatch(pipelined.poll());
      }
    } finally {
      replaying = false;
      reading = wasReading;
    }
    if (!reading && backendChannel != null) {
      backendChannel.flush();
    }
  }

  /** The access log line of the exchange that ends now with {@code status}, served by {@code b} (null: none). */
  private void logAccess(int status, BackendRef b) {
    HttpRequest r = loggedRequest;
    String protocol = r == null ? "-" : h2 ? "HTTP/2.0" : r.protocolVersion().text();
    accessLog.log(new AccessLog.Entry(clientAddress, startMillis, r == null ? "-" : r.method().name(),
        r == null ? "-" : r.uri(), protocol, status, responseBytes, System.nanoTime() - startNanos,
        route == null ? null : route.spec().key(), b == null ? null : b.address, tried.size()));
  }

  private void releasePipelined() {
    Object m;
    while ((m = pipelined.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
  }

  private void releaseHeld() {
    for (HttpContent h : held) {
      h.release();
    }
    held.clear();
  }

  private Channel c() {
    return ctx.channel();
  }
}
