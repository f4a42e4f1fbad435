package io.mezzo.cli.sample;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * The sample server's WebSocket echo ({@code GET /ws}): every data frame it gets (text, binary, or a
 * continuation of either) goes back unchanged, fragments included, so a client reads what it sent.
 * Control frames never reach it (the handshake's handler answers pings and closes). One per
 * connection, on that connection's event loop.
 */
final class WebSocketEcho extends SimpleChannelInboundHandler<WebSocketFrame> {
  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    ctx.writeAndFlush(frame.retain());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
