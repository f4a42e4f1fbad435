package io.mezzo.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One keep-alive client connection of an open-loop run, carrying its share of the {@link Schedule}:
 * its next request goes out at its intended time, or at once when that time has passed while the
 * previous exchange was still going on (no pipelining: a busy connection delays the request, and
 * the delay counts in its latency because latency is measured from the intended time). A request
 * fails, and the schedule moves on, when its connection cannot be opened, breaks before the answer
 * is complete, or takes longer than the timeout (the connection is then closed and the next request
 * opens a new one, as does an answer with {@code Connection: close}). It is through when the schedule
 * ends (not at its own last request: a profile ending in a pause is waited out).
 *
 * <p>Runs on its event loop only; {@code done} runs there too, once, when the schedule is through.
 */
final class ScheduledConnection {
  private final int index;
  private final EventLoop loop;
  private final InetSocketAddress address;
  private final ByteBuf request;
  private final long timeoutNanos;
  private final Tally tally;
  private final Runnable done;

  private long k;
  private Channel channel;
  private boolean connecting;
  private boolean timerArmed;
  private boolean inFlight;
  private boolean finished;
  private long intended;
  private long sent;
  private int status;
  private boolean keepAlive;
  private ScheduledFuture<?> watchdog;
  private Schedule schedule;

  ScheduledConnection(int index, EventLoop loop, InetSocketAddress address, ByteBuf request,
      long timeoutNanos, Tally tally, Runnable done) {
    this.index = index;
    this.loop = loop;
    this.address = address;
    this.request = request;
    this.timeoutNanos = timeoutNanos;
    this.tally = tally;
    this.done = done;
  }

  /** Opens the connection ahead of the schedule (a failure here is retried when the first request is due). */
  ChannelFuture preconnect() {
    connecting = true;
    return connect().addListener(f -> {
      connecting = false;
      if (f.isSuccess()) {
        channel = ((ChannelFuture) f).channel();
      }
    });
  }

  EventLoop loop() {
    return loop;
  }

  /** Starts following {@code schedule}; call on the loop. */
  void start(Schedule schedule) {
    this.schedule = schedule;
    long period = Math.max(TimeUnit.MILLISECONDS.toNanos(20), timeoutNanos / 10);
    watchdog = loop.scheduleAtFixedRate(this::checkTimeout, period, period, TimeUnit.NANOSECONDS);
    step();
  }

  /**
   * Ends the run early: the measured requests not answered yet, in flight or never sent, count as
   * timed out. Call on the loop.
   */
  void abort() {
    if (finished) {
      return;
    }
    if (inFlight && schedule.measured(intended)) {
      tally.timeouts(1);
    }
    tally.timeouts(schedule.measuredFrom(index, inFlight ? k + 1 : k));
    finish();
  }

  private void step() {
    if (finished || inFlight || connecting) {
      return;
    }
    long t = schedule.intended(index, k);
    long now = System.nanoTime();
    long wake = Math.min(t, schedule.end()); // past its last request, a connection waits out the schedule
    if (wake > now) {
      if (!timerArmed) {
        timerArmed = true;
        loop.schedule(() -> {
          timerArmed = false;
          step();
        }, wake - now, TimeUnit.NANOSECONDS);
      }
      return;
    }
    if (t >= schedule.end()) {
      finish();
      return;
    }
    intended = t;
    if (channel != null && channel.isActive()) {
      send();
      return;
    }
    connecting = true;
    connect().addListener(f -> {
      connecting = false;
      if (finished) {
        ((ChannelFuture) f).channel().close();
      } else if (f.isSuccess()) {
        channel = ((ChannelFuture) f).channel();
        send();
      } else {
        if (schedule.measured(intended)) {
          tally.connectError();
        }
        next();
      }
    });
  }

  private ChannelFuture connect() {
    return new Bootstrap()
        .group(loop)
        .channel(Transports.clientChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpResponseDecoder()).addLast(new Exchange(ch));
          }
        })
        .connect(address);
  }

  private void send() {
    inFlight = true;
    status = 0;
    keepAlive = true;
    sent = System.nanoTime();
    channel.writeAndFlush(request.retainedDuplicate());
  }

  /** The request is through (answered or failed): on to the next one, outside the caller's stack. */
  private void next() {
    inFlight = false;
    k++;
    loop.execute(this::step);
  }

  private void checkTimeout() {
    if (inFlight && System.nanoTime() - sent > timeoutNanos) {
      if (schedule.measured(intended)) {
        tally.timeouts(1);
      }
      drop();
      next();
    }
  }

  /** Forgets the current channel, closing it, so that its closing is not taken for a reset. */
  private void drop() {
    Channel ch = channel;
    channel = null;
    if (ch != null) {
      ch.close();
    }
  }

  private void finish() {
    finished = true;
    if (watchdog != null) {
      watchdog.cancel(false);
    }
    drop();
    done.run();
  }

  /** The handler of one channel of this connection; events of a channel already dropped are ignored. */
  private final class Exchange extends SimpleChannelInboundHandler<HttpObject> {
    private final Channel ch;

    Exchange(Channel ch) {
      this.ch = ch;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (ch != channel || !inFlight) {
        return;
      }
      if (msg.decoderResult().isFailure()) {
        ctx.close();
        return;
      }
      if (msg instanceof HttpResponse r) {
        status = r.status().code();
        keepAlive = HttpUtil.isKeepAlive(r);
      }
      if (msg instanceof LastHttpContent) {
        long now = System.nanoTime();
        if (schedule.measured(intended)) {
          tally.answer(intended, sent, now, status);
        }
        if (!keepAlive) {
          drop();
        }
        next();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (ch != channel) {
        return;
      }
      channel = null;
      if (inFlight) {
        if (schedule.measured(intended)) {
          tally.reset();
        }
        next();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
