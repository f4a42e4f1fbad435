package io.mezzo.balancer.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.balancer.health.OutlierDetector.Config;
import io.mezzo.balancer.health.OutlierDetector.Ejection;
import io.mezzo.balancer.health.OutlierDetector.Reason;
import io.mezzo.balancer.health.OutlierDetector.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OutlierDetectorTest {

  private static final long S = 1_000_000_000L;
  private static final long T0 = 123 * S;

  private static OutlierDetector detector(Config config, int backends) {
    OutlierDetector d = OutlierDetector.create(config);
    d.retain(ids(backends));
    return d;
  }

  static Set<String> ids(int n) {
    Set<String> ids = new LinkedHashSet<>();
    for (int i = 0; i < n; i++) {
      ids.add("b" + i);
    }
    return ids;
  }

  /** Feeds {@code times} results and returns the last decision. */
  private static Optional<Ejection> feed(OutlierDetector d, String id, Result r, int times, long now) {
    Optional<Ejection> last = Optional.empty();
    for (int i = 0; i < times; i++) {
      last = d.onResult(id, r, now);
    }
    return last;
  }

  @Test
  void fiveConsecutive5xxEjectTheBackend() {
    OutlierDetector d = detector(Config.defaults(), 10);

    assertThat(feed(d, "b3", Result.HTTP_5XX, 4, T0)).isEmpty();
    assertThat(d.isEjected("b3", T0)).isFalse();
    Optional<Ejection> e = d.onResult("b3", Result.HTTP_5XX, T0);

    assertThat(e).hasValueSatisfying(ej -> {
      assertThat(ej.backendId()).isEqualTo("b3");
      assertThat(ej.reason()).isEqualTo(Reason.CONSECUTIVE_5XX);
      assertThat(ej.multiplier()).isEqualTo(1);
      assertThat(ej.duration()).isEqualTo(Duration.ofSeconds(30));
      assertThat(ej.totalEjections()).isEqualTo(1);
    });
    assertThat(d.isEjected("b3", T0)).isTrue();
    assertThat(d.ejectedIds(T0)).containsExactly("b3");
    assertThat(d.ejections("b3")).isEqualTo(1);
  }

  @Test
  void successResetsTheCount() {
    OutlierDetector d = detector(Config.defaults(), 10);

    feed(d, "b1", Result.HTTP_5XX, 4, T0);
    d.onResult("b1", Result.SUCCESS, T0);
    assertThat(feed(d, "b1", Result.HTTP_5XX, 4, T0)).isEmpty();

    assertThat(d.isEjected("b1", T0)).isFalse();
    assertThat(d.stats(T0).get("b1").consecutive5xx()).isEqualTo(4);
  }

  @Test
  void connectFailuresAndTimeoutsCountAsGatewayFailures() {
    Config config = Config.defaults().withConsecutive5xx(0).withConsecutiveGatewayFailure(3);
    OutlierDetector d = detector(config, 10);

    d.onResult("b0", Result.CONNECT_FAILURE, T0);
    d.onResult("b0", Result.TIMEOUT, T0);
    Optional<Ejection> e = d.onResult("b0", Result.GATEWAY_5XX, T0);

    assertThat(e).map(Ejection::reason).contains(Reason.CONSECUTIVE_GATEWAY_FAILURE);
  }

  @Test
  void aPlain500BreaksTheGatewayStreakButNotThe5xxStreak() {
    Config config = Config.defaults().withConsecutiveGatewayFailure(3);
    OutlierDetector d = detector(config, 10);

    feed(d, "b0", Result.CONNECT_FAILURE, 2, T0);
    d.onResult("b0", Result.HTTP_5XX, T0);
    assertThat(d.onResult("b0", Result.CONNECT_FAILURE, T0)).isEmpty(); // gateway streak is 1, 5xx streak 4
    Optional<Ejection> e = d.onResult("b0", Result.CONNECT_FAILURE, T0); // 5xx streak reaches 5

    assertThat(e).map(Ejection::reason).contains(Reason.CONSECUTIVE_5XX);
  }

  @Test
  void ejectedBackendReturnsAfterItsTime() {
    OutlierDetector d = detector(Config.defaults(), 10);
    feed(d, "b2", Result.HTTP_5XX, 5, T0);

    assertThat(d.isEjected("b2", T0 + 30 * S - 1)).isTrue();
    assertThat(d.isEjected("b2", T0 + 30 * S)).isFalse();
    assertThat(d.ejectedIds(T0 + 30 * S)).isEmpty();
    assertThat(d.stats(T0 + 30 * S).get("b2").consecutive5xx()).isZero();
  }

  @Test
  void resultsWhileEjectedAreIgnored() {
    OutlierDetector d = detector(Config.defaults(), 10);
    feed(d, "b2", Result.HTTP_5XX, 5, T0);

    assertThat(feed(d, "b2", Result.HTTP_5XX, 20, T0 + S)).isEmpty();

    assertThat(d.ejections("b2")).isEqualTo(1);
    // back after 30 s with a clean slate: four more failures do not eject again
    assertThat(feed(d, "b2", Result.HTTP_5XX, 4, T0 + 30 * S)).isEmpty();
    assertThat(d.isEjected("b2", T0 + 30 * S)).isFalse();
  }

  @Test
  void ejectionTimeGrowsWithEachEjection() {
    OutlierDetector d = detector(Config.defaults(), 10);
    long now = T0;
    List<Duration> durations = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Ejection e = feed(d, "b5", Result.HTTP_5XX, 5, now).orElseThrow();
      durations.add(e.duration());
      now = e.untilNanos(); // fails again the moment it returns
    }

    assertThat(durations).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(90));
  }

  @Test
  void ejectionTimeIsCappedByMaxEjectionTime() {
    Config config = Config.defaults().withMaxEjectionTime(Duration.ofSeconds(100));
    OutlierDetector d = detector(config, 10);
    long now = T0;
    List<Duration> durations = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Ejection e = feed(d, "b5", Result.HTTP_5XX, 5, now).orElseThrow();
      durations.add(e.duration());
      now = e.untilNanos();
    }

    assertThat(durations).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(90),
        Duration.ofSeconds(100), Duration.ofSeconds(100), Duration.ofSeconds(100));
  }

  @Test
  void multiplierDecaysWhileTheBackendStaysHealthy() {
    OutlierDetector d = detector(Config.defaults(), 10);
    long now = T0;
    for (int i = 0; i < 3; i++) {
      now = feed(d, "b5", Result.HTTP_5XX, 5, now).orElseThrow().untilNanos();
    }
    // multiplier 3; healthy for 2 full decay intervals (and a bit) -> 1, so the next ejection counts as 2
    Ejection next = feed(d, "b5", Result.HTTP_5XX, 5, now + 25 * S).orElseThrow();
    assertThat(next.multiplier()).isEqualTo(2);
    assertThat(next.duration()).isEqualTo(Duration.ofSeconds(60));

    // healthy for a long time: back to the base
    Ejection fresh = feed(d, "b5", Result.HTTP_5XX, 5, next.untilNanos() + 3600 * S).orElseThrow();
    assertThat(fresh.multiplier()).isEqualTo(1);
    assertThat(fresh.totalEjections()).isEqualTo(5);
  }

  @Test
  void neverEjectsMoreThanMaxEjectionPercent() {
    OutlierDetector d = detector(Config.defaults(), 20); // 10% of 20 = 2

    assertThat(feed(d, "b0", Result.HTTP_5XX, 5, T0)).isPresent();
    assertThat(feed(d, "b1", Result.HTTP_5XX, 5, T0)).isPresent();
    assertThat(feed(d, "b2", Result.HTTP_5XX, 5, T0)).isEmpty();

    assertThat(d.ejectedIds(T0)).containsExactly("b0", "b1");
    assertThat(d.overflows()).isEqualTo(1);
    // the refused outlier keeps its streak: its next failure after room frees up ejects it
    assertThat(d.onResult("b2", Result.HTTP_5XX, T0 + 30 * S)).isPresent();
  }

  @Test
  void oneOfTwoBackendsMayBeEjectedButASoleBackendIsNot() {
    OutlierDetector two = detector(Config.defaults(), 2); // 10% of 2 = 0, but one is always allowed
    assertThat(feed(two, "b0", Result.HTTP_5XX, 5, T0)).isPresent();
    assertThat(feed(two, "b1", Result.HTTP_5XX, 5, T0)).isEmpty();

    OutlierDetector one = detector(Config.defaults(), 1);
    assertThat(feed(one, "b0", Result.HTTP_5XX, 50, T0)).isEmpty();
    assertThat(one.isEjected("b0", T0)).isFalse();
  }

  @Test
  void maxEjectedIsTheFlooredShareWithOneAllowedFromTwoBackends() {
    Config c = Config.defaults();
    assertThat(List.of(c.maxEjected(0), c.maxEjected(1), c.maxEjected(2), c.maxEjected(19), c.maxEjected(20),
        c.maxEjected(35))).containsExactly(0, 0, 1, 1, 2, 3);
    Config all = Config.defaults().withMaxEjectionPercent(100);
    assertThat(all.maxEjected(1)).isEqualTo(1);
  }

  @Test
  void zeroMaxEjectionPercentDisablesEjection() {
    Config config = Config.defaults().withMaxEjectionPercent(0);
    OutlierDetector d = detector(config, 10);

    assertThat(feed(d, "b0", Result.HTTP_5XX, 50, T0)).isEmpty();
    assertThat(d.ejectedIds(T0)).isEmpty();
  }

  @Test
  void backendsThatLeftDiscoveryAreForgotten() {
    OutlierDetector d = detector(Config.defaults(), 3);
    feed(d, "b0", Result.HTTP_5XX, 5, T0);

    d.retain(Set.of("b1", "b2", "b9"));

    assertThat(d.backends()).containsExactly("b1", "b2", "b9");
    assertThat(d.isEjected("b0", T0)).isFalse();
    assertThat(feed(d, "b0", Result.HTTP_5XX, 10, T0)).isEmpty(); // a late result does not bring it back
    assertThat(d.backends()).doesNotContain("b0");
    assertThat(feed(d, "b9", Result.HTTP_5XX, 5, T0)).isPresent(); // a new one is counted
  }

  @Test
  void retainKeepsTheHistoryOfBackendsThatStay() {
    OutlierDetector d = detector(Config.defaults(), 3);
    feed(d, "b0", Result.HTTP_5XX, 5, T0);

    d.retain(Set.of("b0", "b1", "b2", "b3"));

    assertThat(d.isEjected("b0", T0 + S)).isTrue();
    assertThat(d.ejections("b0")).isEqualTo(1);
  }

  @Test
  void statusCodesMapToResults() {
    assertThat(Result.ofStatus(200)).isEqualTo(Result.SUCCESS);
    assertThat(Result.ofStatus(404)).isEqualTo(Result.SUCCESS);
    assertThat(Result.ofStatus(500)).isEqualTo(Result.HTTP_5XX);
    assertThat(Result.ofStatus(503)).isEqualTo(Result.GATEWAY_5XX);
    assertThatThrownBy(() -> Result.ofStatus(42)).hasMessage("status: 42 (expected: 100..599)");
  }

  @Test
  void badConfigNamesTheField() {
    assertThatThrownBy(() -> new Config(-1, 5, Duration.ofSeconds(30), Duration.ofSeconds(300), 10,
        Duration.ofSeconds(10))).hasMessage("consecutive5xx: -1 (expected: >= 0)");
    assertThatThrownBy(() -> new Config(5, 5, Duration.ofSeconds(30), Duration.ofSeconds(300), 101,
        Duration.ofSeconds(10))).hasMessage("maxEjectionPercent: 101 (expected: 0..100)");
    assertThatThrownBy(() -> Config.defaults().withBaseEjectionTime(Duration.ZERO))
        .hasMessage("baseEjectionTime: PT0S (expected: > 0)");
  }

  @Test
  void concurrentFailuresFromManyThreadsNeverEjectBeyondTheShare() throws Exception {
    OutlierDetector d = detector(Config.defaults(), 20); // at most 2
    int threads = 4;
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger ejections = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        for (int round = 0; round < 2_000; round++) {
          for (int b = 0; b < 20; b++) {
            if (d.onResult("b" + b, Result.HTTP_5XX, T0).isPresent()) {
              ejections.incrementAndGet();
            }
          }
        }
      });
      w.start();
      workers.add(w);
    }
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }

    assertThat(d.ejectedIds(T0)).hasSize(2);
    assertThat(ejections.get()).isEqualTo(2);
  }
}
