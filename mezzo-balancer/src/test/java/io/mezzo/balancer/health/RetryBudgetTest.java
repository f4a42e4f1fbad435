package io.mezzo.balancer.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.balancer.health.RetryBudget.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;
  private static final long T0 = 7_777 * S;

  private static int withdrawAll(RetryBudget budget, long now) {
    int n = 0;
    while (budget.tryWithdraw(now)) {
      n++;
      if (n > 1_000_000) {
        throw new AssertionError("budget never ran out");
      }
    }
    return n;
  }

  @Test
  void retriesStopWhenTheBudgetIsSpent() {
    RetryBudget budget = RetryBudget.create(Config.defaults()); // floor: 10/s over 10 s = 100

    assertThat(withdrawAll(budget, T0)).isEqualTo(100);
    assertThat(budget.tryWithdraw(T0 + 5 * S)).isFalse();
    assertThat(budget.remaining(T0 + 5 * S)).isZero();
  }

  @Test
  void requestsRaiseTheBudgetToTheirShare() {
    RetryBudget budget = RetryBudget.create(Config.defaults());
    for (int i = 0; i < 2_000; i++) {
      budget.deposit(T0 + i * MS); // 2000 requests over 2 s
    }

    assertThat(withdrawAll(budget, T0 + 2 * S)).isEqualTo(400); // 20% of 2000 > the floor of 100
  }

  @Test
  void theBudgetRefillsAsTheWindowSlides() {
    RetryBudget budget = RetryBudget.create(Config.defaults());
    withdrawAll(budget, T0);

    assertThat(budget.tryWithdraw(T0 + 9 * S)).isFalse();
    assertThat(budget.tryWithdraw(T0 + 10 * S + 500 * MS)).isTrue(); // the spent retries left the window
  }

  @Test
  void aZeroFloorWithNoTrafficAllowsNoRetry() {
    RetryBudget budget = RetryBudget.create(new Config(20, 0, Duration.ofSeconds(10)));

    assertThat(budget.tryWithdraw(T0)).isFalse();
    for (int i = 0; i < 5; i++) {
      budget.deposit(T0);
    }
    assertThat(withdrawAll(budget, T0)).isEqualTo(1);
  }

  @Test
  void depositsFromManyThreadsAreAllCounted() throws Exception {
    RetryBudget budget = RetryBudget.create(new Config(10, 0, Duration.ofSeconds(10)));
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread w = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        for (int i = 0; i < 25_000; i++) {
          budget.deposit(T0 + (i % 1000) * MS); // all inside one second: a few buckets shared by all
        }
      });
      w.start();
      threads.add(w);
    }
    start.countDown();
    for (Thread w : threads) {
      w.join();
    }

    assertThat(budget.remaining(T0 + S)).isEqualTo(10_000); // 10% of 100,000
  }

  @Test
  void badConfigNamesTheField() {
    assertThatThrownBy(() -> new Config(-1, 10, Duration.ofSeconds(10)))
        .hasMessage("retryPercent: -1.0 (expected: 0..1000)");
    assertThatThrownBy(() -> new Config(20, -2, Duration.ofSeconds(10)))
        .hasMessage("minRetriesPerSecond: -2 (expected: >= 0)");
    assertThatThrownBy(() -> new Config(20, 10, Duration.ofNanos(1_500_000)))
        .hasMessage("window: PT0.0015S (expected: a whole number of milliseconds, 1 ms..1 h)");
  }

  /**
   * Each step: bit 0 = deposit (0) or withdraw (1), the rest = milliseconds since the previous step. At
   * every allowed retry at time t, the retries allowed in (t - window, t] stay within the bound computed
   * from the requests in that same window, counted exactly.
   */
  @Property
  void budgetNeverAllowsMoreThanItsBoundOverAnyWindow(
      @ForAll @IntRange(min = 0, max = 100) int percent,
      @ForAll @IntRange(min = 0, max = 5) int minPerSecond,
      @ForAll @IntRange(min = 1, max = 3000) int windowMillis,
      @ForAll @Size(max = 600) List<@IntRange(min = 0, max = 800) Integer> steps) {
    Config config = new Config(percent, minPerSecond, Duration.ofMillis(windowMillis));
    RetryBudget budget = RetryBudget.create(config);
    long window = windowMillis * MS;
    List<Long> deposits = new ArrayList<>();
    List<Long> retries = new ArrayList<>();
    long now = -3 * S; // nanoTime may be negative
    for (int step : steps) {
      now += (step >>> 1) * MS / 4; // quarter milliseconds, to land inside buckets too
      if ((step & 1) == 0) {
        budget.deposit(now);
        deposits.add(now);
        continue;
      }
      if (!budget.tryWithdraw(now)) {
        continue;
      }
      retries.add(now);
      long from = now - window;
      long inWindow = retries.stream().filter(t -> t > from).count();
      long requests = deposits.stream().filter(t -> t > from).count();
      long bound = Math.max(config.reserve(), (long) Math.floor(requests * percent / 100.0));
      assertThat(inWindow).isLessThanOrEqualTo(bound);
    }
  }

  /** Not too strict either: a retry is refused only if the exact count over a window 5% longer is spent. */
  @Property
  void budgetRefusesOnlyWhenNearlySpent(
      @ForAll @IntRange(min = 0, max = 100) int percent,
      @ForAll @IntRange(min = 0, max = 5) int minPerSecond,
      @ForAll @Size(max = 600) List<@IntRange(min = 0, max = 800) Integer> steps) {
    Config config = new Config(percent, minPerSecond, Duration.ofSeconds(2));
    RetryBudget budget = RetryBudget.create(config);
    long window = 2 * S;
    long bucket = window / 20;
    List<Long> deposits = new ArrayList<>();
    List<Long> retries = new ArrayList<>();
    long now = 0;
    for (int step : steps) {
      now += (step >>> 1) * MS;
      if ((step & 1) == 0) {
        budget.deposit(now);
        deposits.add(now);
        continue;
      }
      if (budget.tryWithdraw(now)) {
        retries.add(now);
        continue;
      }
      long t = now;
      long retriesLonger = retries.stream().filter(r -> r > t - window - bucket).count();
      long requestsShorter = deposits.stream().filter(d -> d > t - window + bucket).count();
      long boundShorter = Math.max(config.reserve(), (long) Math.floor(requestsShorter * percent / 100.0));
      assertThat(retriesLonger + 1).isGreaterThan(boundShorter);
    }
  }
}
