package io.mezzo.balancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link LatencyWindow}: per-thread recording summed at read time, and the window that slides by 20 s slots. */
class LatencyWindowTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;

  @Test
  void latenciesLeaveTheWindowOnceTheirSlotIsThreeSlotsOld() {
    LatencyWindow w = new LatencyWindow();
    w.read(0); // the first slot starts at 0
    for (int i = 0; i < 100; i++) {
      w.record(50 * MS);
    }
    assertThat(w.read(10 * S).p95()).isBetween(49_500L, 50_500L);

    for (int i = 0; i < 10; i++) {
      w.record(MS);
    }
    // t=59 s: the slot of 0-20 s is still in the window
    LatencyWindow.Figures before = w.read(59 * S);
    assertThat(before.p50()).isBetween(49_500L, 50_500L);
    assertThat(before.count()).isEqualTo(110);

    // t=60 s: it has turned over; the 1 ms ones went into the slot of 40-60 s
    for (int i = 0; i < 10; i++) {
      w.record(2 * MS);
    }
    LatencyWindow.Figures after = w.read(60 * S);
    assertThat(after.p50()).isBetween(990L, 1_010L);
    assertThat(after.max()).isBetween(1_980L, 2_020L);
    assertThat(after.count()).isEqualTo(120); // counts and sums are since the start
    assertThat(after.sumNanos()).isEqualTo(100 * 50 * MS + 10 * MS + 20 * MS);

    assertThat(w.read(200 * S).p99()).isZero(); // nothing in the window: 0
    assertThat(w.read(10 * S).count()).isEqualTo(120); // a clock that went back turns nothing over
  }

  @Test
  void eachThreadRecordsOnItsOwnAndReadsAddThemUpAlsoAfterTheThreadsEnd() throws InterruptedException {
    LatencyWindow w = new LatencyWindow();
    int perThread = 200_000;
    Thread[] loops = new Thread[4];
    for (int t = 0; t < loops.length; t++) {
      long nanos = (t + 1) * MS;
      loops[t] = new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          w.record(nanos);
        }
      });
      loops[t].start();
    }
    long seen = 0;
    while (seen < perThread) { // reads while they record: what is counted only grows
      long c = w.count(0);
      assertThat(c).isGreaterThanOrEqualTo(seen);
      seen = c;
      Thread.onSpinWait();
    }
    for (Thread t : loops) {
      t.join();
    }

    for (int read = 0; read < 2; read++) { // the second read is after the ended threads' recorders are gone
      LatencyWindow.Figures f = w.read(0);
      assertThat(f.count()).isEqualTo(4L * perThread);
      assertThat(f.sumNanos()).isEqualTo(perThread * (1 + 2 + 3 + 4) * MS);
      assertThat(f.max()).isBetween(3_960L, 4_040L);
    }
  }
}
