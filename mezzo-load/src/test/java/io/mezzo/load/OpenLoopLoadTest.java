package io.mezzo.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenLoopLoadTest {

  /**
   * 200 requests/s over 4 connections for 5 s after a 1 s warm-up; the server stalls for 1 s at its
   * 600th request (about 2 s into the measured window). The ~200 requests intended during the stall
   * all wait for it, so measured from their intended times the slowest 1% took nearly the whole second;
   * measured from when they actually went out (as a closed-loop tool does) only the 4 requests in flight
   * saw it, well under 1% of 1000, and the p99 stays at the service time.
   */
  @Test
  void aStallCountsForEveryRequestItDelays() throws InterruptedException {
    try (TestServer server = TestServer.stalling(600, Duration.ofSeconds(1))) {
      LoadResult r = OpenLoopLoad.run(OpenLoopLoad.Config.of(server.url(), 200, 4, Duration.ofSeconds(5),
          Duration.ofSeconds(1)));

      System.out.println(r.line());
      assertThat(r.errors()).as(r.line()).isZero();
      assertThat(r.responses()).as(r.line()).isEqualTo(r.scheduled()).isBetween(999L, 1001L);
      assertThat(r.uncorrected().getMaxValue()).as("the stall was seen: " + r.line()).isGreaterThan(900_000);
      assertThat(r.uncorrectedMs(99)).as("uncorrected p99: " + r.line()).isLessThan(250);
      assertThat(r.latencyMs(99)).as("corrected p99: " + r.line()).isGreaterThan(900);
      assertThat(r.latencyMs(90)).as("corrected p90: " + r.line()).isGreaterThan(300);
    }
  }

  @Test
  void achievedRateFollowsTheTargetAgainstAFastServer() throws InterruptedException {
    try (TestServer server = TestServer.answering(200)) {
      LoadResult r = OpenLoopLoad.run(OpenLoopLoad.Config.of(server.url(), 2000, 8, Duration.ofSeconds(3),
          Duration.ofSeconds(1)));

      System.out.println(r.line());
      assertThat(r.errors()).as(r.line()).isZero();
      assertThat(r.scheduled()).isBetween(5999L, 6001L);
      assertThat(r.responses()).isEqualTo(r.scheduled());
      assertThat(r.achievedRate()).as(r.line()).isBetween(1400.0, 2050.0); // loose: a stalled machine delays the last answers
    }
  }

  /**
   * A ramp from 100 to 300 requests/s over 3 s: each second's report asks for the integral of the rate
   * over it (133.3, 200, 266.7), and the seconds' answers add up to the run's, all of them timed.
   */
  @Test
  void aRampIsReportedSecondBySecond() throws InterruptedException {
    try (TestServer server = TestServer.answering(200)) {
      List<Interval> seconds = new ArrayList<>();
      LoadResult r = OpenLoopLoad.run(OpenLoopLoad.Config.of(server.url(),
          RateProfile.ramp(100, 300, Duration.ofSeconds(3)), 4), seconds::add);

      System.out.println(r.line());
      seconds.forEach(i -> System.out.println(i.line()));
      assertThat(r.errors()).as(r.line()).isZero();
      assertThat(r.scheduled()).isEqualTo(600);
      assertThat(r.responses()).isEqualTo(600);
      assertThat(r.targetRate()).isEqualTo(200);
      assertThat(seconds).hasSizeBetween(3, 4);
      double[] targets = {400.0 / 3, 200, 800.0 / 3};
      for (int k = 0; k < 3; k++) {
        assertThat(seconds.get(k).targetRate()).as("second %d", k + 1).isCloseTo(targets[k], within(1e-6));
      }
      assertThat(seconds).extracting(Interval::toSeconds).startsWith(1.0, 2.0, 3.0);
      assertThat(seconds.stream().mapToLong(Interval::responses).sum()).isEqualTo(600);
      assertThat(seconds.stream().mapToLong(i -> i.latency().getTotalCount()).sum()).isEqualTo(600);
      assertThat(seconds).allSatisfy(i -> assertThat(i.errors()).isZero());
    }
  }

  @Test
  void aProfileEndingInAPauseIsWaitedOutAndReported() throws InterruptedException {
    try (TestServer server = TestServer.answering(200)) {
      List<Interval> seconds = new ArrayList<>();
      LoadResult r = OpenLoopLoad.run(OpenLoopLoad.Config.of(server.url(), RateProfile.steps("50:1s,0:1s"), 2),
          seconds::add);

      assertThat(r.responses()).as(r.line()).isEqualTo(50);
      assertThat(seconds).hasSizeBetween(2, 3);
      assertThat(seconds).extracting(Interval::targetRate).startsWith(50.0, 0.0);
      assertThat(seconds.stream().mapToLong(Interval::responses).sum()).isEqualTo(50);
    }
  }

  @Test
  void theHostHeaderCanBeSet() throws InterruptedException {
    try (TestServer server = TestServer.answering(200)) {
      LoadResult r = OpenLoopLoad.run(OpenLoopLoad.Config.of(server.url(), RateProfile.constant(20,
          Duration.ofSeconds(1)), 1).withHost("demo.local"));

      assertThat(r.responses()).isEqualTo(20);
      assertThat(server.hosts()).containsOnly("demo.local");
    }
  }

  @Test
  void non2xxAnswersAreCountedAsErrorsButStillTimed() throws InterruptedException {
    try (TestServer server = TestServer.answering(503)) {
      LoadResult r = OpenLoopLoad.run(OpenLoopLoad.Config.of(server.url(), 100, 2, Duration.ofSeconds(1),
          Duration.ZERO));

      assertThat(r.non2xx()).isEqualTo(r.responses()).isEqualTo(r.scheduled()).isEqualTo(100);
      assertThat(r.errors()).isEqualTo(100);
      assertThat(r.latency().getTotalCount()).isEqualTo(100);
      assertThat(r.line()).contains("errors=100 non2xx=100 resets=0 connect_errors=0 timeouts=0");
    }
  }

  @Test
  void unansweredRequestsTimeOutAndTheScheduleGoesOn() throws InterruptedException {
    try (TestServer server = new TestServer(TestServer.Behaviour.SILENT, 200, 0, Duration.ZERO)) {
      LoadResult r = OpenLoopLoad.run(new OpenLoopLoad.Config(URI.create(server.url()), 20, 2, Duration.ofSeconds(1),
          Duration.ZERO, 1, Duration.ofMillis(100)));

      assertThat(r.scheduled()).isEqualTo(20);
      assertThat(r.timeouts()).as(r.line()).isEqualTo(20);
      assertThat(r.responses()).isZero();
    }
  }

  /**
   * 200 requests on one connection to a server that never answers, each given 100 ms: timing them out
   * one after the other would take 20 s, so the run is cut off at its deadline (6.1 s) and the rest
   * count as timeouts, in the summary and in the seconds' reports.
   */
  @Test
  void aRunCutOffAtItsDeadlineReportsEveryTimeout() throws InterruptedException {
    try (TestServer server = new TestServer(TestServer.Behaviour.SILENT, 200, 0, Duration.ZERO)) {
      List<Interval> seconds = new ArrayList<>();
      LoadResult r = OpenLoopLoad.run(new OpenLoopLoad.Config(URI.create(server.url()), 200, 1, Duration.ofSeconds(1),
          Duration.ZERO, 1, Duration.ofMillis(100)), seconds::add);

      assertThat(r.scheduled()).isEqualTo(200);
      assertThat(r.timeouts()).as(r.line()).isEqualTo(200);
      assertThat(seconds.stream().mapToLong(Interval::timeouts).sum()).isEqualTo(200);
      assertThat(seconds.get(seconds.size() - 1).toSeconds()).as("the last report ends at the deadline, a part second")
          .isBetween(6.1, 7.0);
    }
  }

  @Test
  void connectionsClosedBeforeTheAnswerAreCountedAsResets() throws InterruptedException {
    try (TestServer server = new TestServer(TestServer.Behaviour.CLOSE, 200, 0, Duration.ZERO)) {
      LoadResult r = OpenLoopLoad.run(OpenLoopLoad.Config.of(server.url(), 50, 2, Duration.ofSeconds(1),
          Duration.ZERO));

      assertThat(r.resets()).as(r.line()).isEqualTo(50);
      assertThat(r.errors()).isEqualTo(50);
    }
  }

  @Test
  void aRefusedConnectionIsAConnectError() throws InterruptedException {
    String url;
    try (TestServer server = TestServer.answering(200)) {
      url = server.url(); // a port nothing listens on once the server is closed
    }
    LoadResult r = OpenLoopLoad.run(OpenLoopLoad.Config.of(url, 20, 1, Duration.ofSeconds(1), Duration.ZERO));

    assertThat(r.connectErrors()).as(r.line()).isEqualTo(20);
  }

  @Test
  void aBadConfigurationNamesTheFieldAndWhatWasExpected() {
    assertThatThrownBy(() -> OpenLoopLoad.Config.of("http://127.0.0.1:1/", 0, 1, Duration.ofSeconds(1), Duration.ZERO))
        .hasMessage("rate: 0.0 (expected: > 0 requests/s)");
    assertThatThrownBy(() -> OpenLoopLoad.Config.of("https://127.0.0.1:1/", 1, 1, Duration.ofSeconds(1), Duration.ZERO))
        .hasMessage("url: https://127.0.0.1:1/ (expected: http://host[:port]/path)");
    assertThatThrownBy(() -> OpenLoopLoad.Config.of("http://127.0.0.1:1/", 1, 0, Duration.ofSeconds(1), Duration.ZERO))
        .hasMessage("connections: 0 (expected: >= 1)");
  }
}
