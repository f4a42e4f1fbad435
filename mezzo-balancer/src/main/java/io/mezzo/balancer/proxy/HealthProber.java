package io.mezzo.balancer.proxy;

import io.mezzo.balancer.health.ActiveHealth;
import io.mezzo.balancer.route.HealthCheckSpec;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The load balancer's active health checks: every serving backend of a route with checks on is probed
 * from one of the LB's own event loops (backends are spread over the loops; no thread per backend, no
 * blocking): an HTTP {@code GET path} that must answer 2xx or 3xx, or a TCP connect, within the check's
 * timeout; then the next check {@code interval} later (the first one at a random point of the first
 * interval, so that checks do not come in bursts). {@link ActiveHealth} turns the results into UP and
 * DOWN with rise and fall; each change is handed to the {@link Listener}.
 *
 * <p>A backend is probed from when it serves until it stops serving (draining, gone) or its route's check
 * changes (then a new probe starts from the backend's current status). New backends start UP: the
 * scheduler reported them healthy before they were routed to.
 *
 * <p>Threading: {@link #sync} and {@link #close} are called by the control thread (the load balancer's
 * {@code apply}, under its lock), which owns the probe map; each probe's state belongs to its event loop,
 * and stopping one is handed to that loop. The listener is called on the probe's loop.
 */
final class HealthProber {
  /** Told of every UP/DOWN change, on the probe's event loop. */
  interface Listener {
    void onTransition(BackendRef b, ActiveHealth.State state);
  }

  private final EventLoopGroup group;
  private final Listener listener;
  private final Map<String, Probe> probes = new HashMap<>(); // by backend key; control thread

  HealthProber(EventLoopGroup group, Listener listener) {
    this.group = group;
    this.listener = listener;
  }

  /** Makes {@code wanted} the probed backends, each with its route's check. */
  void sync(Map<BackendRef, HealthCheckSpec> wanted) {
    Map<String, BackendRef> byKey = new HashMap<>();
    wanted.keySet().forEach(b -> byKey.put(b.key, b));
    for (var it = probes.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      BackendRef b = byKey.get(e.getKey());
      if (b == null || b != e.getValue().backend || !wanted.get(b).equals(e.getValue().spec)) {
        e.getValue().stop();
        it.remove();
      }
    }
    wanted.forEach((b, spec) -> probes.computeIfAbsent(b.key, k -> {
      Probe p = new Probe(b, Objects.requireNonNull(spec, "spec"), group.next());
      p.start();
      return p;
    }));
  }

  void close() {
    probes.values().forEach(Probe::stop);
    probes.clear();
  }

  /** One backend's checks. Everything below runs on {@code loop}. */
  private final class Probe {
    final BackendRef backend;
    final HealthCheckSpec spec;
    final ActiveHealth rules;
    final EventLoop loop;
    private ActiveHealth.State state;
    private boolean stopped;
    private ScheduledFuture<?> next;
    /** The check in progress. */
    private Check check;

    Probe(BackendRef backend, HealthCheckSpec spec, EventLoop loop) {
      this.backend = backend;
      this.spec = spec;
      this.rules = ActiveHealth.of(spec.rise(), spec.fall());
      this.loop = loop;
      this.state = backend.down
          ? new ActiveHealth.State(ActiveHealth.Status.DOWN, 0, 0, backend.healthReason)
          : rules.initial(true);
    }

    void start() {
      long interval = spec.interval().toNanos();
      long first = ThreadLocalRandom.current().nextLong(interval);
      run(() -> next = loop.schedule(this::check, first, TimeUnit.NANOSECONDS));
    }

    void stop() {
      run(() -> {
        stopped = true;
        if (next != null) {
          next.cancel(false);
        }
        if (check != null) {
          check.abandon();
        }
      });
    }

    private void run(Runnable r) {
      try {
        loop.execute(r);
      } catch (RejectedExecutionException e) {
        // the load balancer is shutting down
      }
    }

    private void check() {
      next = null;
      if (!stopped) {
        Check c = new Check(this);
        check = c;
        c.start(); // may finish at once
      }
    }

    /** The result of {@code c}, once. */
    void done(Check c, boolean passed, String detail) {
      if (c != check) {
        return;
      }
      check = null;
      if (stopped) {
        return;
      }
      ActiveHealth.Transition t = rules.onCheck(state, passed, detail);
      state = t.state();
      if (t.changed()) {
        listener.onTransition(backend, state);
      }
      next = loop.schedule(this::check, spec.interval().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** One check of one backend: a connection, an optional HTTP exchange, a timeout. On the probe's loop. */
  private static final class Check extends ChannelInboundHandlerAdapter {
    private final Probe probe;
    private ScheduledFuture<?> timeout;
    private Channel channel;
    private boolean finished;

    Check(Probe probe) {
      this.probe = probe;
    }

    void start() {
      HealthCheckSpec spec = probe.spec;
      long timeoutMillis = Math.max(1, spec.timeout().toMillis());
      this.timeout = probe.loop.schedule(() -> finish(false, "no answer within " + RouteGuard.fmt(spec.timeout())),
          timeoutMillis, TimeUnit.MILLISECONDS);
      Check self = this;
      var connect = new Bootstrap()
          .group(probe.loop)
          .channel(Transport.clientChannel())
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              if (spec.http()) {
                ch.pipeline().addLast(new HttpClientCodec(4096, 8192, 8192)).addLast(self);
              } else {
                ch.pipeline().addLast(self);
              }
            }
          })
          .connect(probe.backend.host, probe.backend.port);
      this.channel = connect.channel();
      connect.addListener((ChannelFutureListener) f -> {
        if (!f.isSuccess()) {
          Throwable cause = f.cause();
          finish(false, "connect failed: " + (cause == null ? "cancelled" : cause.getMessage()));
        } else if (!spec.http()) {
          finish(true, "TCP connect succeeded");
        } else {
          FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, spec.path());
          req.headers().set(HttpHeaderNames.HOST, probe.backend.address)
              .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
              .set(HttpHeaderNames.USER_AGENT, "mezzo-lb-health")
              .set(HttpHeaderNames.CONTENT_LENGTH, 0);
          f.channel().writeAndFlush(req);
        }
      });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpResponse r) {
          int status = r.status().code();
          finish(status >= 200 && status < 400, "HTTP " + status + " for GET " + probe.spec.path());
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      finish(false, "connection closed before an answer to GET " + probe.spec.path());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      finish(false, String.valueOf(cause.getMessage()));
    }

    /** Stops without a result (the probe stopped). */
    void abandon() {
      finished = true;
      timeout.cancel(false);
      channel.close();
    }

    private void finish(boolean passed, String detail) {
      if (finished) {
        return;
      }
      finished = true;
      timeout.cancel(false);
      if (channel != null) {
        channel.close();
      }
      probe.done(this, passed, detail);
    }
  }
}
