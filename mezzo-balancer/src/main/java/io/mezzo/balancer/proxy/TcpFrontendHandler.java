package io.mezzo.balancer.proxy;

import io.mezzo.balancer.algorithm.HashKeys;
import io.mezzo.balancer.health.OutlierDetector;
import io.mezzo.balancer.health.RetryPolicy;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;

/**
 * One client connection of a TCP listener: a backend is picked by the route's algorithm when the
 * client connects (reading pauses until the backend connection is up; a refused connect moves to
 * another backend), then bytes are relayed both ways, each side's reads paused while the other side
 * cannot write. When either side closes, the other is closed once what was read has been written.
 * The connection counts as one request in flight on its backend for its whole life, so draining
 * waits for it, and holds one slot of the backend's connection limit ({@code MEZZO_LB_MAX_CONN_n}): when
 * the backend is full the connection waits in its queue, and while the route has no routable backend it
 * waits for one, up to the queue timeout ({@link Waiting}); then it is closed. Picks skip backends DOWN
 * or ejected unless the route panics; connect failures are retried within the route's retry budget.
 * Runs on the client connection's event loop; the backend connection uses the same loop.
 */
final class TcpFrontendHandler extends ChannelInboundHandlerAdapter implements Waiting.Owner {
  private final LoadBalancer lb;
  private Waiting waiting;
  /** The connection slot on its backend, once it has one. */
  private final RouteGuard.Slot slot = new RouteGuard.Slot();
  private int retries;
  private final Set<BackendRef> tried = new HashSet<>();
  private Channel client;
  private Channel backendChannel;
  private BackendRef backend;
  private LoadBalancer.Route route;
  private long startNanos;
  private long clientKey;

  TcpFrontendHandler(LoadBalancer lb) {
    this.lb = lb;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    client = ctx.channel();
    client.config().setAutoRead(false);
    int port = ((InetSocketAddress) client.localAddress()).getPort();
    clientKey = HashKeys.of(((InetSocketAddress) client.remoteAddress()).getAddress().getHostAddress());
    startNanos = System.nanoTime();
    route = lb.tcpRoute(port);
    if (route == null) {
      client.close();
      return;
    }
    waiting = new Waiting(client.eventLoop(), this);
    waiting.newRequest();
    route.guard().deposit(startNanos);
    connect(route.pick(tried, clientKey));
  }

  private void connect(BackendRef b) {
    if (b == null) {
      if (tried.isEmpty()) { // nothing routable yet: wait for a backend, up to the queue timeout
        LoadBalancer.Route waitedFor = route;
        waiting.park(route.guard(), () -> lb.routableOrGone(waitedFor));
        return;
      }
      lb.onLocalAnswer(502);
      client.close();
      return;
    }
    b = route.withRoom(b, tried, clientKey);
    if (waiting.admit(route.guard(), b)) {
      onSlot(route.guard(), b);
    } // else it waits for a slot (onSlot) or was closed
  }

  @Override
  public boolean active() {
    return client.isActive();
  }

  @Override
  public void onWaitFailed(String message) {
    lb.onLocalAnswer(503);
    client.close();
  }

  @Override
  public void onWaitStarted() {
    // Nothing: reading would bring the client's bytes, with no backend to take them. A client that leaves
    // meanwhile is noticed when its wait ends (its slot is then given back at once).
  }

  @Override
  public void onRouteChanged() {
    LoadBalancer.Route now = lb.currentRoute(route);
    if (now == null) {
      onWaitFailed("route " + route.spec().key() + " is gone");
      return;
    }
    route = now;
    connect(route.pick(tried, clientKey));
  }

  @Override
  public void onSlot(RouteGuard guard, BackendRef b) {
    slot.take(guard, b);
    tried.add(b);
    backend = b;
    new Bootstrap().group(client.eventLoop()).channel(Transport.clientChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
        .handler(new Relay(client))
        .connect(b.host, b.port)
        .addListener((ChannelFutureListener) f -> {
          if (f.isSuccess()) {
            backendChannel = f.channel();
            if (!client.isActive()) {
              backendChannel.close();
              return;
            }
            client.config().setAutoRead(true);
            backendChannel.config().setAutoRead(true);
          } else {
            slot.release(b);
            lb.onConnectFailure(b);
            backend = null;
            if (client.isActive()) {
              retryAfter(b);
            }
          }
        });
  }

  /** A connect to {@code failed} failed: another backend if the route's retry policy and budget allow. */
  private void retryAfter(BackendRef failed) {
    BackendRef next = route.pick(tried, clientKey);
    if (next == null) {
      connect(null);
      return;
    }
    if (route.guard().retry("CONNECT", retries, RetryPolicy.FailureKind.CONNECT_FAILURE, false, System.nanoTime())
        .retry()) {
      retries++;
      lb.metrics().retry(failed);
      connect(next);
    } else {
      lb.onLocalAnswer(502);
      client.close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel out = backendChannel;
    out.writeAndFlush(msg);
    if (!out.isWritable()) {
      client.config().setAutoRead(false);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (backendChannel != null) {
      backendChannel.config().setAutoRead(ctx.channel().isWritable());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (waiting != null) {
      waiting.leave();
    }
    if (backendChannel != null) {
      closeAfterFlush(backendChannel);
    }
    if (backend != null) {
      BackendRef b = backend;
      backend = null;
      slot.release(b);
      lb.onComplete(b, System.nanoTime() - startNanos);
      lb.onResult(b, OutlierDetector.Result.SUCCESS);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    closeAfterFlush(ctx.channel());
  }

  static void closeAfterFlush(Channel ch) {
    if (ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** The backend side: relays to the client, with the same backpressure the other way. */
  private static final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel client;

    Relay(Channel client) {
      this.client = client;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      client.writeAndFlush(msg);
      if (!client.isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      client.config().setAutoRead(ctx.channel().isWritable());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closeAfterFlush(client);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
