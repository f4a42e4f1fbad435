package io.mezzo.load;

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
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * An open-loop HTTP/1.1 load generator that corrects for coordinated omission. Requests follow a
 * schedule fixed in advance by a {@link RateProfile} (constant, a linear ramp, or steps): request
 * {@code i} is intended at the time the profile has scheduled {@code i} requests ({@code start + i / rate}
 * for a constant rate), and the requests are spread round robin over {@code connections} keep-alive
 * connections (no pipelining: a request whose connection is still busy goes out as soon as it is free).
 * Each latency is measured from the request's intended time, so a server stall counts for every request
 * it delays, not only for the few in flight when it began, which is what a closed-loop tool (wrk)
 * reports. The first {@code warmup} of the schedule (at the profile's first rate) is sent but not
 * measured. Every request is a {@code GET} of the URL's path with a {@code Host} header (the URL's, or
 * the one configured). With an interval listener, {@link #run(Config, Consumer)} also hands over what
 * each second of the measured window saw ({@link Interval}), from the caller's thread.
 *
 * <p>Latencies are read with {@link System#nanoTime()} on purpose: this is a measuring instrument of
 * wall-clock time, not a component that decides anything from the clock.
 *
 * <pre>java ... io.mezzo.load.OpenLoopLoad URL RATE CONNECTIONS SECONDS WARMUP_SECONDS [THREADS] [TIMEOUT_SECONDS]</pre>
 *
 * prints one {@link LoadResult#line()}. {@link #run} blocks its caller; the connections run on their
 * own event loops (native epoll where available), which it stops before returning.
 */
public final class OpenLoopLoad {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private OpenLoopLoad() {}

  /**
   * One run.
   *
   * @param url an {@code http://host:port/path} URL
   * @param profile the request rate over the measured part of the schedule
   * @param connections keep-alive connections to spread the schedule over
   * @param warmup the part of the schedule before it, at the profile's first rate, sent but not measured
   * @param threads event loops the connections are spread over
   * @param timeout how long an answer may take (and a connect) before the request counts as timed out
   * @param host the {@code Host} header to send, or null for the URL's host and port
   */
  public record Config(URI url, RateProfile profile, int connections, Duration warmup, int threads,
      Duration timeout, String host) {
    public Config {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(profile, "profile");
      if (!"http".equals(url.getScheme()) || url.getHost() == null) {
        throw new IllegalArgumentException("url: " + url + " (expected: http://host[:port]/path)");
      }
      if (connections < 1) {
        throw new IllegalArgumentException("connections: " + connections + " (expected: >= 1)");
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
      if (host != null && (host.isBlank() || host.chars().anyMatch(ch -> ch < 0x20 || ch > 0x7e))) {
        throw new IllegalArgumentException("host: '" + host + "' (expected: a host name, printable ASCII)");
      }
    }

    /** A constant {@code rate} for {@code duration} after {@code warmup}, with the URL's host header. */
    public Config(URI url, double rate, int connections, Duration duration, Duration warmup, int threads,
        Duration timeout) {
      this(url, RateProfile.constant(rate, duration), connections, warmup, threads, timeout, null);
    }

    /** {@code rate} over {@code connections} for {@code duration} after {@code warmup}; two loops at most, 10 s timeout. */
    public static Config of(String url, double rate, int connections, Duration duration, Duration warmup) {
      return new Config(URI.create(url), rate, connections, duration, warmup, defaultThreads(), Duration.ofSeconds(10));
    }

    /** {@code profile} over {@code connections}, no warm-up; two loops at most, 10 s timeout. */
    public static Config of(String url, RateProfile profile, int connections) {
      return new Config(URI.create(url), profile, connections, Duration.ZERO, defaultThreads(), Duration.ofSeconds(10),
          null);
    }

    /** The mean rate of the measured part of the schedule, requests/s. */
    public double rate() {
      return profile.meanRate();
    }

    /** The length of the measured part of the schedule. */
    public Duration duration() {
      return profile.duration();
    }

    /** This configuration sending {@code host} as the {@code Host} header. */
    public Config withHost(String host) {
      return new Config(url, profile, connections, warmup, threads, timeout, host);
    }

    /** This configuration with {@code threads} event loops and {@code timeout} per request. */
    public Config with(int threads, Duration timeout) {
      return new Config(url, profile, connections, warmup, threads, timeout, host);
    }

    static int defaultThreads() {
      return Math.min(2, Runtime.getRuntime().availableProcessors());
    }
  }

  /** {@link #run(Config, Consumer)} without per-interval reports. */
  public static LoadResult run(Config config) throws InterruptedException {
    return run(config, null);
  }

  /**
   * Runs the schedule of {@code config} and returns what the measured part of it showed. Waits for
   * the answers to the last requests up to the timeout after the schedule's end (plus 5 s for a
   * backlog to drain); requests still unanswered then count as timed out. When {@code onInterval} is
   * not null it gets, on this thread, what each second of the measured window saw, as that second
   * ends, and last what came after the last whole second (answers to its late requests: reported as
   * a whole second, so this waits for that second to end).
   */
  public static LoadResult run(Config config, Consumer<Interval> onInterval) throws InterruptedException {
    URI u = config.url();
    int port = u.getPort() < 0 ? 80 : u.getPort();
    InetSocketAddress address = new InetSocketAddress(u.getHost(), port);
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    if (u.getRawQuery() != null) {
      path += "?" + u.getRawQuery();
    }
    String host = config.host() != null ? config.host() : u.getHost() + (u.getPort() < 0 ? "" : ":" + port);
    String head = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: mezzo-open-loop\r\n\r\n";
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
      Schedule schedule = new Schedule(start, config.profile().after(config.warmup()), config.connections(),
          measureFrom);
      for (ScheduledConnection conn : conns) {
        conn.loop().execute(() -> conn.start(schedule));
      }
      long deadline = schedule.end() + timeoutNanos + TimeUnit.SECONDS.toNanos(5);
      boolean finished = onInterval == null
          ? done.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)
          : awaitReporting(done, deadline, schedule, tallies, onInterval, () -> abort(conns));
      if (!finished) {
        abort(conns);
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

  /** Ends every connection's schedule on its loop (again is harmless): what is unanswered times out. */
  private static void abort(List<ScheduledConnection> conns) {
    for (ScheduledConnection conn : conns) {
      conn.loop().submit(conn::abort).syncUninterruptibly();
    }
  }

  /**
   * Waits for the run to finish (true) or the deadline to pass (false), handing each second of the
   * measured window to {@code onInterval} as it ends. What comes after the last whole second before
   * the run finished is reported as one more whole second, if anything came or the schedule was not
   * over by then (a profile lasting 2.5 s gets 3 reports); at the deadline the run
   * is aborted and the part second up to it reported with the timeouts that makes.
   */
  private static boolean awaitReporting(CountDownLatch done, long deadline, Schedule schedule,
      Map<EventLoop, Tally> tallies, Consumer<Interval> onInterval, Runnable abort) throws InterruptedException {
    long from = schedule.measureFrom();
    while (true) {
      long tick = from + SECOND;
      long now = System.nanoTime();
      if (done.await(Math.min(tick, deadline) - now, TimeUnit.NANOSECONDS)) {
        Tally.Window tail = take(tallies);
        if (!tail.isEmpty() || from < schedule.end()) {
          long left = tick - System.nanoTime();
          if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left); // the tail is reported as a whole second, like the others
          }
          report(schedule, from, tick, tail.add(take(tallies)), onInterval);
        }
        return true;
      }
      if (System.nanoTime() >= deadline) {
        abort.run();
        report(schedule, from, Math.min(tick, System.nanoTime()), take(tallies), onInterval);
        return false;
      }
      report(schedule, from, tick, take(tallies), onInterval);
      from = tick;
    }
  }

  /** The windows of every loop, taken on their loops, merged. */
  private static Tally.Window take(Map<EventLoop, Tally> tallies) {
    Tally.Window all = new Tally.Window();
    for (Map.Entry<EventLoop, Tally> e : tallies.entrySet()) {
      all.add(e.getKey().submit(e.getValue()::takeWindow).syncUninterruptibly().getNow());
    }
    return all;
  }

  private static void report(Schedule schedule, long from, long to, Tally.Window w, Consumer<Interval> onInterval) {
    long origin = schedule.measureFrom();
    onInterval.accept(new Interval((from - origin) / 1e9, (to - origin) / 1e9, schedule.targetRate(from, to),
        w.responses, w.non2xx, w.resets, w.connectErrors, w.timeouts, w.latency));
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
    Config config = defaults.with(args.length > 5 ? Integer.parseInt(args[5]) : defaults.threads(),
        args.length > 6 ? seconds(args[6]) : defaults.timeout());
    System.out.println(run(config).line());
  }

  private static Duration seconds(String s) {
    return Duration.ofNanos(Math.round(Double.parseDouble(s) * 1e9));
  }
}
