package io.mezzo.balancer.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * HTTP/2 over cleartext (h2c) for the clients of HTTP listeners, on by default: each stream is proxied as
 * one HTTP/1.1 exchange ({@link FrontendHandler} on the stream's child channel, behind
 * {@link Http2StreamFrameToHttpObjectCodec}) to a backend over the pooled HTTP/1.1 connections; streams
 * of one connection run concurrently, each with HTTP/2 flow control as its backpressure.
 *
 * <p>A listener connection starts with a {@link Sniffer} in front of the HTTP/1.1 codec, which looks at
 * the first bytes only and then leaves the pipeline, so HTTP/1.1 connections pay nothing per request:
 * <ul>
 *   <li>the HTTP/2 connection preface (prior knowledge, {@code curl --http2-prior-knowledge}): the
 *       connection becomes HTTP/2 ({@link Http2FrameCodec} + {@link Http2MultiplexHandler});
 *   <li>a first read that mentions {@code h2c} (a first request with {@code Upgrade: h2c}, as the JDK client
 *       and {@code curl --http2} send it): Netty's {@link HttpServerUpgradeHandler} joins the HTTP/1.1
 *       pipeline for that connection and answers the upgrade with 101; the upgrade request becomes stream
 *       1. Only a bodiless request is upgraded (the JDK client asks for h2c on its first request, whatever it
 *       is); an upgrade request with a body, an {@code Upgrade: h2c} on a later request, or one split past
 *       the first read is served as HTTP/1.1 (allowed: a server may ignore Upgrade). Such a connection
 *       keeps the upgrade handler, a pass-through for requests that do not ask for h2c;
 *   <li>anything else: HTTP/1.1 as before.
 * </ul>
 *
 * <p>Not supported on HTTP/2: WebSockets (RFC 8441 extended CONNECT) and server push. Runs on the
 * connection's event loop.
 */
final class Http2Frontend {
  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] H2C = {'h', '2', 'c'};
  private static final int MAX_UPGRADE_BODY = 64 * 1024;
  private static final int MAX_CONCURRENT_STREAMS = 256;

  private Http2Frontend() {}

  /** The first handler of an HTTP listener connection, before its {@link HttpServerCodec}. */
  static final class Sniffer extends ByteToMessageDecoder {
    private final LoadBalancer lb;

    Sniffer(LoadBalancer lb) {
      this.lb = lb;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      int n = Math.min(in.readableBytes(), PREFACE.length);
      for (int i = 0; i < n; i++) {
        if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
          if (mentionsH2c(in)) {
            addUpgrade(ctx.pipeline(), lb);
          }
          ctx.pipeline().remove(this); // what it read goes on to the HTTP/1.1 codec
          return;
        }
      }
      if (n == PREFACE.length) {
        ChannelPipeline p = ctx.pipeline();
        p.addAfter(ctx.name(), "h2", frameCodec());
        p.addAfter("h2", "h2-streams", new Http2MultiplexHandler(streams(lb)));
        p.remove(HttpServerCodec.class);
        p.remove(FrontendHandler.class);
        p.remove(this); // the preface and what follows go on to the HTTP/2 codec
      }
    }
  }

  private static boolean mentionsH2c(ByteBuf in) {
    int end = in.writerIndex() - H2C.length;
    for (int i = in.readerIndex(); i <= end; i++) {
      if ((in.getByte(i) | 0x20) == 'h' && in.getByte(i + 1) == '2' && (in.getByte(i + 2) | 0x20) == 'c') {
        return true;
      }
    }
    return false;
  }

  private static void addUpgrade(ChannelPipeline p, LoadBalancer lb) {
    HttpServerCodec codec = p.get(HttpServerCodec.class);
    HttpServerUpgradeHandler upgrade = new HttpServerUpgradeHandler(codec, protocol ->
        AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
            ? new Http2ServerUpgradeCodec(frameCodec(), new Http2MultiplexHandler(streams(lb)), new DropHttp1())
            : null, MAX_UPGRADE_BODY) {
      /** Only bodiless h2c upgrades: the others (WebSocket, a first POST) pass on unaggregated, as HTTP/1.1. */
      @Override
      protected boolean shouldHandleUpgradeRequest(HttpRequest req) {
        return req.headers().containsValue(HttpHeaderNames.UPGRADE, "h2c", true)
            && !HttpUtil.isTransferEncodingChunked(req) && HttpUtil.getContentLength(req, 0L) == 0L
            && super.shouldHandleUpgradeRequest(req);
      }
    };
    p.addAfter(p.context(codec).name(), null, upgrade);
  }

  /** Added after an upgrade: the connection's HTTP/1.1 exchange handler has nothing left to do. */
  private static final class DropHttp1 extends ChannelHandlerAdapter {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      if (ctx.pipeline().get(FrontendHandler.class) != null) {
        ctx.pipeline().remove(FrontendHandler.class);
      }
      ctx.pipeline().remove(this);
    }
  }

  private static Http2FrameCodec frameCodec() {
    return Http2FrameCodecBuilder.forServer()
        .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(MAX_CONCURRENT_STREAMS))
        .build();
  }

  /** Each stream: HTTP/2 frames as HTTP/1.1 objects, and the same exchange logic as an HTTP/1.1 connection. */
  private static ChannelHandler streams(LoadBalancer lb) {
    return new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel ch) {
        ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new FrontendHandler(lb, true));
      }
    };
  }
}
