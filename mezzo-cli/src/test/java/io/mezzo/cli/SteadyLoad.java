package io.mezzo.cli;

import io.mezzo.load.Interval;
import io.mezzo.load.OpenLoopLoad;
import io.mezzo.load.RateProfile;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A steady open-loop load ({@link OpenLoopLoad}: requests at fixed intended times, so a stall counts
 * for every request it delays) at {@code rate} requests/s over keep-alive connections, on its own
 * thread until {@link #close}. It keeps what each second saw; {@link #mark} and {@link #since} cut
 * the run into the parts a test wants counted (a second belongs to the part in which it was reported).
 * Thread-safe: the load's thread appends, the test's thread reads.
 */
final class SteadyLoad implements AutoCloseable {
  private final List<Interval> seconds = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile Throwable failure;

  SteadyLoad(URI url, double rate, int connections) {
    OpenLoopLoad.Config config = new OpenLoopLoad.Config(url, RateProfile.constant(rate, Duration.ofHours(2)),
        connections, Duration.ZERO, 1, Duration.ofSeconds(5), null);
    thread = new Thread(() -> {
      try {
        OpenLoopLoad.run(config, seconds::add);
      } catch (InterruptedException e) {
        // closed
      } catch (RuntimeException | Error e) {
        failure = e;
      }
    }, "chaos-load");
    thread.setDaemon(true);
    thread.start();
  }

  /** How many seconds have been reported so far: the start of a part of the run. */
  int mark() {
    return seconds.size();
  }

  /** The requests answered and failed in the seconds reported since {@code mark}. */
  ChaosReport.LoadWindow since(int mark) {
    return between(mark, seconds.size());
  }

  ChaosReport.LoadWindow between(int from, int to) {
    long sent = 0;
    long failed = 0;
    for (Interval i : seconds.subList(from, to)) {
      sent += i.responses() + i.resets() + i.connectErrors() + i.timeouts();
      failed += i.errors();
    }
    return new ChaosReport.LoadWindow(sent, failed);
  }

  /** The seconds since {@code mark} that saw failures, one line each, for an assertion's message. */
  String failuresSince(int mark) {
    StringBuilder b = new StringBuilder();
    for (Interval i : seconds.subList(mark, seconds.size())) {
      if (i.errors() > 0) {
        b.append(String.format(java.util.Locale.ROOT, "%n  at %.0f s: %d non-2xx, %d resets, %d connect errors, %d timeouts",
            i.toSeconds(), i.non2xx(), i.resets(), i.connectErrors(), i.timeouts()));
      }
    }
    return b.toString();
  }

  /** Whether the load runs (it ends only when closed, or if it broke: see {@link #failure}). */
  boolean running() {
    return thread.isAlive();
  }

  Throwable failure() {
    return failure;
  }

  @Override
  public void close() throws InterruptedException {
    thread.interrupt();
    thread.join(15_000);
  }
}
