package io.mezzo.balancer.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;

/**
 * A WebSocket connection through the load balancer, once its backend has answered the upgrade request
 * with {@code 101 Switching Protocols}: the HTTP codecs leave both pipelines and bytes are relayed as
 * they come, both ways, each side's reads paused while the other side cannot write (autoRead follows
 * writability). When either side closes, the other is closed once what was read has been written.
 *
 * <p>The backend connection is never returned to the pool. The tunnel counts as one request in flight
 * on its backend until it closes, so a draining backend is reported idle only when its tunnels are
 * gone: long-lived WebSockets are left to finish on their own, and one that outlives the services
 * scheduler's drain deadline is cut when the instance is killed (its client then reconnects through
 * the balancer, to a serving backend).
 *
 * <p>Runs on the event loop of the client connection, which is also the backend connection's.
 */
final class WebSocketTunnel {
  private final LoadBalancer lb;
  private final BackendRef backend;
  private boolean closed;

  private WebSocketTunnel(LoadBalancer lb, BackendRef backend) {
    this.lb = lb;
    this.backend = backend;
  }

  /**
   * Whether {@code req} asks for a WebSocket ({@code Connection: Upgrade} and {@code Upgrade: websocket},
   * tokens compared without case). Requests without an {@code Upgrade} header cost one header lookup.
   */
  static boolean isUpgrade(HttpRequest req) {
    HttpHeaders h = req.headers();
    return h.contains(HttpHeaderNames.UPGRADE)
        && h.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
        && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
  }

  /**
   * Turns the HTTP exchange of {@code client} and {@code backendChannel} (whose 101 has been written to
   * the client, and whose handlers no longer own the exchange) into a byte relay; {@code b} has the
   * exchange counted in flight, and keeps it until the tunnel closes.
   */
  static void splice(LoadBalancer lb, BackendRef b, Channel client, Channel backendChannel) {
    WebSocketTunnel tunnel = new WebSocketTunnel(lb, b);
    ChannelPipeline cp = client.pipeline();
    ChannelPipeline bp = backendChannel.pipeline();
    // Encoders first: from here on, whatever either side writes is raw bytes.
    HttpServerCodec serverCodec = cp.get(HttpServerCodec.class);
    HttpClientCodec clientCodec = bp.get(HttpClientCodec.class);
    serverCodec.removeOutboundHandler();
    clientCodec.removeOutboundHandler();
    cp.addLast(tunnel.new Relay(backendChannel));
    bp.addLast(tunnel.new Relay(client));
    cp.remove(FrontendHandler.class);
    if (cp.get(HttpServerUpgradeHandler.class) != null) {
      cp.remove(HttpServerUpgradeHandler.class);
    }
    bp.remove(BackendHandler.class);
    // Removing a decoder hands the bytes it holds (sent right after the handshake) to the relay.
    cp.remove(serverCodec);
    bp.remove(clientCodec);
    client.config().setAutoRead(true);
    backendChannel.config().setAutoRead(true);
    if (!client.isActive() || !backendChannel.isActive()) { // gone meanwhile: no inactive event will come
      client.close();
      backendChannel.close();
      tunnel.onClose();
    }
  }

  private void onClose() {
    if (closed) {
      return;
    }
    closed = true;
    backend.inFlight.decrementAndGet();
    lb.onTunnelClosed(backend);
  }

  /** One side: what it reads goes to {@code peer}. */
  private final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel peer;

    Relay(Channel peer) {
      this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      peer.write(msg); // flushed at the end of the read burst, which may make it writable again
      if (!peer.isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      peer.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      peer.config().setAutoRead(ctx.channel().isWritable());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (peer.isActive()) {
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
      onClose();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
