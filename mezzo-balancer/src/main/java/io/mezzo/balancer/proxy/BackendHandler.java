package io.mezzo.balancer.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

/**
 * The end of a backend connection: hands the response parts to the exchange that currently owns the
 * connection. A connection idle in the pool has no owner; anything it receives then (it should not)
 * is dropped and the connection closed. Runs on the connection's event loop, which is also its
 * owner's.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
  private FrontendHandler owner;

  void own(FrontendHandler exchange) {
    this.owner = exchange;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    FrontendHandler o = owner;
    if (o == null) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    if (msg instanceof HttpResponse r) {
      o.onBackendResponse(r);
    }
    if (msg instanceof HttpContent c) {
      o.onBackendContent(c);
    } else if (!(msg instanceof HttpResponse)) {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    FrontendHandler o = owner;
    if (o != null) {
      o.onBackendWritability(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    FrontendHandler o = owner;
    owner = null;
    if (o != null) {
      o.onBackendClosed();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
