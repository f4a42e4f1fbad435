package io.mezzo.balancer.algorithm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * In-flight counting and the peak-EWMA estimate: spikes count at once, lower samples blend in, idle
 * estimates decay, concurrent updates are not lost.
 */
class BackendStatsTest {
  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000_000_000L;

  private static BackendStats stats() {
    return Fixtures.backend("b", 1).stats();
  }

  private static void sample(BackendStats stats, long latency, long now) {
    stats.onStart();
    stats.onComplete(latency, now);
  }

  @Test
  void aSpikeReplacesTheEstimateAtOnce() {
    BackendStats stats = stats();
    sample(stats, 10 * MS, 0);
    sample(stats, 300 * MS, 1 * MS);
    assertThat(stats.latencyNanos(1 * MS)).isEqualTo(300.0 * MS);
  }

  @Test
  void lowerSamplesBlendInByTheTimeSinceTheLastOne() {
    BackendStats stats = stats();
    sample(stats, 100 * MS, 0);
    sample(stats, 10 * MS, 10 * SECOND); // one time constant: weight of the old estimate e^-1
    double oldPart = 100.0 * MS * Math.exp(-1);
    assertThat(stats.latencyNanos(10 * SECOND)).isCloseTo(oldPart + 10.0 * MS * (1 - Math.exp(-1)), offset(1.0));
  }

  @Test
  void anIdleBackendsEstimateDecaysTowardsZero() {
    BackendStats stats = stats();
    sample(stats, 100 * MS, 0);
    assertThat(stats.latencyNanos(10 * SECOND)).isCloseTo(100.0 * MS * Math.exp(-1), offset(1.0));
    assertThat(stats.latencyNanos(60 * SECOND)).isLessThan(0.3 * MS);
    assertThat(stats.latencyNanos(-5 * SECOND)).as("a clock going backwards decays nothing").isEqualTo(100.0 * MS);
  }

  @Test
  void inFlightCountsStartsUntilCompletionOrCancel() {
    BackendStats stats = stats();
    stats.onStart();
    stats.onStart();
    assertThat(stats.inFlight()).isEqualTo(2);
    stats.onCancel();
    assertThat(stats.hasLatency()).isFalse();
    stats.onComplete(MS, 0);
    assertThat(stats.inFlight()).isZero();
    assertThat(stats.hasLatency()).isTrue();
  }

  @Test
  void concurrentUpdatesFromSeveralThreadsLoseNothing() throws Exception {
    BackendStats stats = stats();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      long latency = (t + 1) * MS;
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 50_000; i++) {
          stats.onStart();
          stats.onComplete(latency, i * 1_000L);
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(stats.inFlight()).isZero();
    assertThat(stats.latencyNanos(50_000_000L)).isBetween(1.0 * MS, 4.0 * MS);
  }

  @Test
  void endingARequestThatNeverStartedIsABug() {
    BackendStats stats = stats();
    assertThatThrownBy(stats::onCancel).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("BUG:");
    assertThat(stats.inFlight()).isZero();
    stats.onStart();
    assertThatThrownBy(() -> stats.onComplete(-1, 0)).hasMessage("latencyNanos: -1 (expected: >= 0)");
  }
}
