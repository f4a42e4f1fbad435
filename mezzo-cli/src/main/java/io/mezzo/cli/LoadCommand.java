package io.mezzo.cli;

import io.mezzo.load.Interval;
import io.mezzo.load.LoadResult;
import io.mezzo.load.OpenLoopLoad;
import io.mezzo.load.RateProfile;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mezzo load}: an open-loop HTTP load generator ({@link OpenLoopLoad}) for driving an app, through
 * the load balancer or directly: requests go out on a schedule fixed by the rate (constant, a linear ramp
 * to {@code --ramp-to}, or {@code --ramp} steps), whatever the server's pace, and each latency counts from
 * the request's intended send time. Prints a line per second (target and achieved rate, p50/p95/p99 of
 * that second's answers, errors) and the run's summary ({@link LoadResult#line()}). Bad flags print
 * {@code mezzo load: message} and exit 2 ({@link CliCommand}'s frame); a finished run exits 0 whatever
 * the errors it counted.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = "Drive an HTTP URL with open-loop load (a constant rate, a linear ramp or steps), "
        + "printing each second and a summary.")
final class LoadCommand extends CliCommand {
  @Parameters(index = "0", paramLabel = "URL", description = "http://host[:port]/path to GET.")
  String url;

  @Option(names = "--rate", paramLabel = "R", description = "Requests/s (at the start, with --ramp-to).")
  Double rate;

  @Option(names = "--duration", paramLabel = "D", converter = DurationConverter.class,
      description = "How long to send (e.g. 30s, 2m).")
  Duration duration;

  @Option(names = "--ramp-to", paramLabel = "R2", description = "Change the rate linearly from R to R2 over D.")
  Double rampTo;

  @Option(names = "--ramp", paramLabel = "SPEC",
      description = "Steps of constant rate instead of --rate/--duration: RATE:DURATION,... e.g. 50:30s,200:60s,50:30s.")
  String ramp;

  @Option(names = "--connections", paramLabel = "C", defaultValue = "32",
      description = "Keep-alive connections to spread the requests over (default: ${DEFAULT-VALUE}); each carries "
          + "one request at a time, so C over the latency bounds the rate.")
  int connections;

  @Option(names = {"-H", "--host"}, paramLabel = "HEADER",
      description = "The Host header to send (a load balancer's vhost), e.g. demo.local; default: the URL's.")
  String host;

  @Option(names = "--warmup", paramLabel = "D", defaultValue = "0s", converter = DurationConverter.class,
      description = "Send at the first rate for D before measuring (default: ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(names = "--timeout", paramLabel = "D", defaultValue = "10s", converter = DurationConverter.class,
      description = "A request unanswered after D counts as a timeout (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--threads", paramLabel = "N", description = "Event loops (default: 2, or 1 on one core).")
  Integer threads;

  @Override
  int run(PrintWriter out) throws CliFailure, InterruptedException {
    OpenLoopLoad.Config config = config();
    out.printf(Locale.ROOT, "load %s%s: %s requests/s (%.1f/s on average, %.0f requests) over %d connections%n",
        config.url(), config.host() == null ? "" : " (Host: " + config.host() + ")", config.profile(), config.rate(),
        Math.ceil(config.profile().requests()), config.connections());
    out.println(Interval.HEADER);
    out.flush();
    LoadResult result = OpenLoopLoad.run(config, i -> {
      out.println(i.line());
      out.flush();
    });
    out.println(result.line());
    out.flush();
    return 0;
  }

  /** The run the flags ask for; a {@link CliFailure} (exit 2) naming the flag when they do not make one. */
  OpenLoopLoad.Config config() throws CliFailure {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new CliFailure(2, "URL: '" + url + "' (expected: http://host[:port]/path)");
    }
    try {
      RateProfile profile = profile();
      int loops = threads != null ? threads : Math.min(2, Runtime.getRuntime().availableProcessors());
      return new OpenLoopLoad.Config(uri, profile, connections, warmup, loops, timeout, hostHeader());
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      throw new CliFailure(2, m.startsWith("url:") ? "URL:" + m.substring(4) : "--" + m);
    }
  }

  private RateProfile profile() throws CliFailure {
    if (ramp != null) {
      if (rate != null || duration != null || rampTo != null) {
        throw new CliFailure(2, "--ramp: '" + ramp + "' gives the rates and durations (expected: no --rate, "
            + "--duration or --ramp-to with it)");
      }
      return RateProfile.steps(ramp);
    }
    if (rate == null) {
      throw new CliFailure(2, "--rate: missing (expected: requests/s, or --ramp SPEC)");
    }
    if (duration == null) {
      throw new CliFailure(2, "--duration: missing (expected: how long to send, e.g. 30s or 2m)");
    }
    return rampTo == null ? RateProfile.constant(rate, duration) : RateProfile.ramp(rate, rampTo, duration);
  }

  /** {@code --host}, also accepted as curl writes it ({@code "Host: demo.local"}). */
  private String hostHeader() {
    if (host == null) {
      return null;
    }
    String h = host.strip();
    return h.regionMatches(true, 0, "host:", 0, 5) ? h.substring(5).strip() : h;
  }
}
