package io.mezzo.testkit.sim;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A bounded pool of keep-alive HTTP connections to the master for one-shot calls (agent HEARTBEAT and
 * UPDATE, scheduler ACCEPT and ACKNOWLEDGE). Each connection carries one request at a time, as the
 * master's server answers them one by one; queued calls wait on the connection with the shortest
 * queue. A lost connection fails its call in flight (status -1) and reconnects while calls wait.
 *
 * <p>Owner: one event loop; {@link #post} must be called on it, and replies run on it.
 */
final class CallPool {
  /** The answer to a call: an HTTP status (-1 when the connection failed) and the body text. */
  @FunctionalInterface
  interface Reply {
    void done(int status, String body);
  }

  private record Pending(String path, byte[] json, String streamId, Reply reply) {}

  private final SimNet net;
  private final EventLoop loop;
  private final Connection[] connections;

  CallPool(SimNet net, EventLoop loop, int size) {
    if (size < 1) {
      throw new IllegalArgumentException("call connections: " + size + " (expected: >= 1)");
    }
    this.net = net;
    this.loop = loop;
    this.connections = new Connection[size];
    for (int i = 0; i < size; i++) {
      connections[i] = new Connection();
    }
  }

  /** Queues {@code POST path} with {@code json}; {@code reply} runs on the loop. */
  void post(String path, byte[] json, String streamId, Reply reply) {
    Connection best = connections[0];
    for (Connection c : connections) {
      if (c.load() < best.load()) {
        best = c;
      }
    }
    best.queue.add(new Pending(path, json, streamId, reply));
    best.pump();
  }

  /** Calls queued or in flight, over all connections. */
  int backlog() {
    int n = 0;
    for (Connection c : connections) {
      n += c.load();
    }
    return n;
  }

  void close() {
    for (Connection c : connections) {
      c.closed = true;
      if (c.channel != null) {
        c.channel.close();
      }
    }
  }

  private final class Connection {
    final ArrayDeque<Pending> queue = new ArrayDeque<>();
    Channel channel;
    boolean ready;
    boolean closed;
    Pending inFlight;

    int load() {
      return queue.size() + (inFlight == null ? 0 : 1);
    }

    void pump() {
      if (closed || inFlight != null || queue.isEmpty()) {
        return;
      }
      if (channel == null) {
        open();
        return;
      }
      if (!ready) {
        return;
      }
      inFlight = queue.poll();
      channel.writeAndFlush(net.post(inFlight.path(), inFlight.json(), inFlight.streamId()));
    }

    private void open() {
      Channel ch = net.connect(loop, null, () -> new Handler(this)).channel();
      channel = ch;
      ready = false;
      ch.closeFuture().addListener(f -> lost(ch));
    }

    void active(Channel ch) {
      if (ch == channel) {
        ready = true;
        pump();
      }
    }

    void answered(Channel ch, int status, String body) {
      if (ch != channel || inFlight == null) {
        return;
      }
      Pending done = inFlight;
      inFlight = null;
      done.reply().done(status, body);
      pump();
    }

    private void lost(Channel ch) {
      if (ch != channel) {
        return;
      }
      channel = null;
      ready = false;
      if (inFlight != null) {
        Pending failed = inFlight;
        inFlight = null;
        failed.reply().done(-1, "connection to the master lost");
      }
      if (!closed && !queue.isEmpty()) {
        loop.schedule(this::pump, 100, TimeUnit.MILLISECONDS);
      }
    }
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final Connection connection;

    Handler(Connection connection) {
      this.connection = connection;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      ctx.pipeline().addBefore(ctx.name(), null, new HttpObjectAggregator(1024 * 1024));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      connection.active(ctx.channel());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
      connection.answered(ctx.channel(), msg.status().code(), msg.content().toString(StandardCharsets.UTF_8));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
