package io.mezzo.testkit.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * An open-loop HTTP/1.1 load generator that corrects for coordinated omission. Requests follow a
 * fixed schedule, request {@code i} intended at {@code start + i / rate}, spread round robin over
 * {@code connections} keep-alive connections (no pipelining: a request whose connection is still busy
 * goes out as soon as it is free). Each latency is measured from the request's intended time, so a
 * server stall counts for every request it delays, not only for the few in flight when it began, which
 * is what a closed-loop tool (wrk) reports. The first {@code warmup} of the schedule is sent but not
 * measured. Every request is a {@code GET} of the URL's path with a {@code Host} header.
 *
 * <p>Latencies are read with {@link System#nanoTime()} on purpose: this is a measuring instrument of
 * wall-clock time, not a component that decides anything from the clock.
 *
 * <pre>java ... io.mezzo.testkit.load.OpenLoopLoad URL RATE CONNECTIONS SECONDS WARMUP_SECONDS [THREADS] [TIMEOUT_SECONDS]</pre>
 *
 * prints one {@link LoadResult#line()}. {@link #run} blocks its caller; the connections run on their
 * own event loops (native epoll where available), which it stops before returning.
 */
public final class OpenLoopLoad {
  private OpenLoopLoad() {}

  /**
   * One run.
   *
   * @param url an {@code http://host:port/path} URL
   * @param rate requests per second, over all connections
   * @param connections keep-alive connections to spread the schedule over
   * @param duration the measured part of the schedule
   * @param warmup the part of the schedule before it, sent but not measured
   * @param threads event loops the connections are spread over
   * @param timeout how long an answer may take (and a connect) before the request counts as timed out
   */
  public record Config(URI url, double rate, int connections, Duration duration, Duration warmup, int threads,
      Duration timeout) {
    public Config {
      Objects.requireNonNull(url, "url");
      if (!"http".equals(url.getScheme()) || url.getHost() == null) {
        throw new IllegalArgumentException("url: " + url + " (expected: http://host[:port]/path)");
      }
      if (!(rate > 0) || Double.isInfinite(rate)) {
        throw new IllegalArgumentException("rate: " + rate + " (expected: > 0 requests/s)");
      }
      if (connections < 1) {
        throw new IllegalArgumentException("connections: " + connections + " (expected: >= 1)");
      }
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("duration: " + duration + " (expected: > 0)");
      }
      if (warmup.isNegative()) {
        throw new IllegalArgumentException("warmup: " + warmup + " (expected: >= 0)");
      }
      if (threads < 1) {
        throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
      }
    }

    /** {@code rate} over {@code connections} for {@code duration} after {@code warmup}; two loops at most, 10 s timeout. */
    public static Config of(String url, double rate, int connections, Duration duration, Duration warmup) {
      return new Config(URI.create(url), rate, connections, duration, warmup,
          Math.min(2, Runtime.getRuntime().availableProcessors()), Duration.ofSeconds(10));
    }
  }

  /**
   * Runs the schedule of {@code config} and returns what the measured part of it showed. Waits for
   * the answers to the last requests up to the timeout after the schedule's end (plus 5 s for a
   * backlog to drain); requests still unanswered then count as timed out.
   */
  public static LoadResult run(Config config) throws InterruptedException {
    URI u = config.url();
    int port = u.getPort() < 0 ? 80 : u.getPort();
    InetSocketAddress address = new InetSocketAddress(u.getHost(), port);
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    if (u.getRawQuery() != null) {
      path += "?" + u.getRawQuery();
    }
    String head = "GET " + path + " HTTP/1.1\r\nHost: " + u.getHost() + (u.getPort() < 0 ? "" : ":" + port)
        + "\r\nUser-Agent: mezzo-open-loop\r\n\r\n";
    ByteBuf request = Unpooled.directBuffer().writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    long timeoutNanos = config.timeout().toNanos();
    EventLoopGroup group = Transports.group(config.threads());
    Map<EventLoop, Tally> tallies = new IdentityHashMap<>();
    try {
      List<EventLoop> loops = new ArrayList<>();
      for (EventExecutor e : group) {
        loops.add((EventLoop) e);
        tallies.put((EventLoop) e, new Tally());
      }
      CountDownLatch done = new CountDownLatch(config.connections());
      List<ScheduledConnection> conns = new ArrayList<>();
      List<ChannelFuture> opening = new ArrayList<>();
      for (int c = 0; c < config.connections(); c++) {
        EventLoop loop = loops.get(c % loops.size());
        ScheduledConnection conn = new ScheduledConnection(c, loop, address, request, timeoutNanos, tallies.get(loop),
            done::countDown);
        conns.add(conn);
        opening.add(loop.submit(conn::preconnect).syncUninterruptibly().getNow());
      }
      for (ChannelFuture f : opening) {
        f.awaitUninterruptibly(timeoutNanos, TimeUnit.NANOSECONDS);
      }
      long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
      long measureFrom = start + config.warmup().toNanos();
      Schedule schedule = new Schedule(start, config.rate(), config.connections(), measureFrom,
          measureFrom + config.duration().toNanos());
      for (ScheduledConnection conn : conns) {
        conn.loop().execute(() -> conn.start(schedule));
      }
      long deadline = schedule.end() + timeoutNanos + TimeUnit.SECONDS.toNanos(5);
      if (!done.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
        for (ScheduledConnection conn : conns) {
          conn.loop().submit(conn::abort).syncUninterruptibly();
        }
      }
      long scheduled = 0;
      for (int c = 0; c < config.connections(); c++) {
        scheduled += schedule.measuredFrom(c, 0);
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      return result(config, schedule, scheduled, tallies.values());
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      request.release();
    }
  }

  private static LoadResult result(Config config, Schedule schedule, long scheduled, Iterable<Tally> tallies) {
    Histogram latency = new Histogram(Tally.HIGHEST_MICROS, 3);
    Histogram uncorrected = new Histogram(Tally.HIGHEST_MICROS, 3);
    long responses = 0;
    long non2xx = 0;
    long resets = 0;
    long connectErrors = 0;
    long timeouts = 0;
    long lastAnswer = schedule.end();
    for (Tally t : tallies) {
      latency.add(t.corrected);
      uncorrected.add(t.uncorrected);
      responses += t.responses;
      non2xx += t.non2xx;
      resets += t.resets;
      connectErrors += t.connectErrors;
      timeouts += t.timeouts;
      lastAnswer = Math.max(lastAnswer, t.lastAnswer);
    }
    double window = (lastAnswer - schedule.measureFrom()) / 1e9;
    return new LoadResult(config.url().toString(), config.rate(), config.connections(),
        config.duration().toNanos() / 1e9, scheduled, responses, non2xx, resets, connectErrors, timeouts,
        responses / window, latency, uncorrected);
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 5 || args.length > 7) {
      System.err.println("usage: OpenLoopLoad URL RATE CONNECTIONS SECONDS WARMUP_SECONDS [THREADS] [TIMEOUT_SECONDS]");
      System.exit(2);
    }
    Config defaults = Config.of(args[0], Double.parseDouble(args[1]), Integer.parseInt(args[2]),
        seconds(args[3]), seconds(args[4]));
    Config config = new Config(defaults.url(), defaults.rate(), defaults.connections(), defaults.duration(),
        defaults.warmup(), args.length > 5 ? Integer.parseInt(args[5]) : defaults.threads(),
        args.length > 6 ? seconds(args[6]) : defaults.timeout());
    System.out.println(run(config).line());
  }

  private static Duration seconds(String s) {
    return Duration.ofNanos(Math.round(Double.parseDouble(s) * 1e9));
  }
}
