package io.mezzo.testkit.sim;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;

/**
 * One subscription connection: sends its SUBSCRIBE request once connected, then turns a 200 answer's
 * RecordIO body into records for the {@link Listener}. Any other answer is reported with its body and
 * the connection closed; so is a malformed stream. Whoever connects watches the channel's close
 * future to learn that the subscription ended. Runs on the channel's event loop.
 */
final class StreamHandler extends SimpleChannelInboundHandler<HttpObject> {
  /** What a subscriber hears, on the channel's event loop. */
  interface Listener {
    /** The master accepted the subscription (200); its headers, e.g. {@code Mesos-Stream-Id}. */
    void onOpened(HttpHeaders headers);

    /** One record of the event stream. */
    void onRecord(byte[] record);

    /**
     * The master answered {@code status} with {@code body} instead of a stream, or (status -1) the
     * connection failed; the connection is closed next.
     */
    void onRefused(int status, String body);
  }

  private final FullHttpRequest subscribe;
  private final Listener listener;
  private final RecordIoBuffer records = new RecordIoBuffer();
  private int status;
  private StringBuilder refusal;

  StreamHandler(FullHttpRequest subscribe, Listener listener) {
    this.subscribe = subscribe;
    this.listener = listener;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(subscribe);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
    if (msg instanceof HttpResponse r) {
      status = r.status().code();
      if (status == 200) {
        listener.onOpened(r.headers());
      } else {
        refusal = new StringBuilder();
      }
    }
    if (msg instanceof HttpContent c) {
      if (status == 200) {
        records.feed(c.content(), listener::onRecord);
      } else if (refusal != null && refusal.length() < 4096) {
        refusal.append(c.content().toString(StandardCharsets.UTF_8));
      }
      if (msg instanceof LastHttpContent) {
        if (status != 200) {
          listener.onRefused(status, refusal == null ? "" : refusal.toString());
        }
        ctx.close();
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    records.release();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    listener.onRefused(-1, cause.toString());
    ctx.close();
  }
}
