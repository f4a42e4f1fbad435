package io.mezzo.balancer.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mezzo.balancer.health.AdmissionQueue.Handoff;
import io.mezzo.balancer.health.AdmissionQueue.Limits;
import io.mezzo.balancer.health.AdmissionQueue.Outcome;
import io.mezzo.balancer.health.AdmissionQueue.Status;
import io.mezzo.balancer.health.AdmissionQueue.Verdict;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AdmissionQueueTest {

  private static final long MS = 1_000_000L;

  private static AdmissionQueue<String> queue(int maxConnections, int maxPending) {
    return AdmissionQueue.create(new Limits(maxConnections, maxPending, Duration.ofMillis(100)));
  }

  @Test
  void admitsUpToMaxConnectionsThenQueuesThenRejects() {
    AdmissionQueue<String> q = queue(2, 1);

    assertThat(q.tryAcquire("b", "r1", 0).status()).isEqualTo(Status.ADMITTED);
    assertThat(q.tryAcquire("b", "r2", 0).status()).isEqualTo(Status.ADMITTED);
    assertThat(q.tryAcquire("b", "r3", 0).status()).isEqualTo(Status.QUEUED);
    assertThat(q.tryAcquire("b", "r4", 0).status()).isEqualTo(Status.REJECTED); // queue full: 503 now

    assertThat(q.active("b")).isEqualTo(2);
    assertThat(q.pending("b")).isEqualTo(1);
    assertThat(q.tryAcquire("other", "r5", 0).status()).isEqualTo(Status.ADMITTED); // limits are per backend
  }

  @Test
  void releaseHandsTheSlotToTheOldestWaiter() {
    AdmissionQueue<String> q = queue(1, 5);
    q.tryAcquire("b", "r1", 0);
    q.tryAcquire("b", "r2", 1);
    q.tryAcquire("b", "r3", 2);

    Handoff<String> h = q.release("b", 10);

    assertThat(h.granted()).containsExactly("r2");
    assertThat(q.active("b")).isEqualTo(1);
    assertThat(q.pending("b")).isEqualTo(1);
    assertThat(q.release("b", 11).granted()).containsExactly("r3");
    assertThat(q.release("b", 12).isEmpty()).isTrue();
    assertThat(q.active("b")).isZero();
  }

  @Test
  void newcomersDoNotJumpTheQueue() {
    AdmissionQueue<String> q = queue(1, 5);
    q.tryAcquire("b", "r1", 0);
    Outcome<String> waiting = q.tryAcquire("b", "r2", 0);
    assertThat(waiting.status()).isEqualTo(Status.QUEUED);

    assertThat(AdmissionQueue.verdict(0, 1, q.limits())).isEqualTo(Verdict.QUEUE);
    assertThat(AdmissionQueue.verdict(0, 0, q.limits())).isEqualTo(Verdict.ADMIT);
    assertThat(AdmissionQueue.verdict(1, 5, q.limits())).isEqualTo(Verdict.REJECT);
  }

  @Test
  void aWaiterPastTheQueueTimeoutGets503InsteadOfTheSlot() {
    AdmissionQueue<String> q = queue(1, 5);
    q.tryAcquire("b", "r1", 0);
    q.tryAcquire("b", "old", 0);
    q.tryAcquire("b", "young", 50 * MS);

    Handoff<String> h = q.release("b", 120 * MS);

    assertThat(h.timedOut()).containsExactly("old");
    assertThat(h.granted()).containsExactly("young");
    assertThat(q.pending("b")).isZero();
  }

  @Test
  void expireSweepsTimedOutWaiters() {
    AdmissionQueue<String> q = queue(1, 5);
    q.tryAcquire("b", "r1", 0);
    q.tryAcquire("b", "r2", 0);
    q.tryAcquire("b", "r3", 60 * MS);

    assertThat(q.expire(99 * MS)).isEmpty();
    assertThat(q.expire(100 * MS)).containsExactly("r2");
    assertThat(q.pending("b")).isEqualTo(1);
    assertThat(q.tryAcquire("b", "r4", 100 * MS).status()).isEqualTo(Status.QUEUED);
  }

  @Test
  void aCancelledWaiterIsSkipped() {
    AdmissionQueue<String> q = queue(1, 5);
    q.tryAcquire("b", "r1", 0);
    Outcome<String> r2 = q.tryAcquire("b", "r2", 0);
    q.tryAcquire("b", "r3", 0);

    assertThat(r2.ticket().cancel()).isTrue();
    assertThat(r2.ticket().cancel()).isFalse();

    assertThat(q.release("b", 1).granted()).containsExactly("r3");
  }

  @Test
  void aGrantedWaiterCannotBeCancelled() {
    AdmissionQueue<String> q = queue(1, 5);
    q.tryAcquire("b", "r1", 0);
    Outcome<String> r2 = q.tryAcquire("b", "r2", 0);
    q.release("b", 1);

    assertThat(r2.ticket().cancel()).isFalse(); // the timer fired too late: r2 holds the slot, no 503
    assertThat(q.active("b")).isEqualTo(1);
  }

  @Test
  void waitersOfBackendsThatLeftAreHandedBack() {
    AdmissionQueue<String> q = queue(1, 5);
    q.tryAcquire("gone", "r1", 0);
    q.tryAcquire("gone", "r2", 0);
    q.tryAcquire("stays", "r3", 0);

    assertThat(q.retain(Set.of("stays"))).containsExactly("r2");

    assertThat(q.release("gone", 1).isEmpty()).isTrue(); // a late release of a departed backend is ignored
    assertThat(q.active("stays")).isEqualTo(1);
  }

  @Test
  void evictingTheWaitersOfADrainingBackendKeepsItsSlotsCounted() {
    AdmissionQueue<String> q = queue(1, 5);
    q.tryAcquire("draining", "r1", 0);
    q.tryAcquire("draining", "r2", 0);
    q.tryAcquire("draining", "r3", 0);

    assertThat(q.evictWaiters("draining")).containsExactly("r2", "r3");

    assertThat(q.pending("draining")).isZero();
    assertThat(q.active("draining")).isEqualTo(1); // r1 finishes there
    assertThat(q.release("draining", 1).isEmpty()).isTrue();
    assertThat(q.active("draining")).isZero();
  }

  @Test
  void releaseWithoutASlotIsABug() {
    AdmissionQueue<String> q = queue(1, 5);
    q.tryAcquire("b", "r1", 0);
    q.release("b", 0);

    assertThatThrownBy(() -> q.release("b", 0)).hasMessage("BUG: release of b without a slot held");
    assertThat(q.active("b")).isZero();
  }

  @Test
  void badLimitsNameTheField() {
    assertThatThrownBy(() -> new Limits(0, 1, Duration.ofSeconds(1)))
        .hasMessage("maxConnections: 0 (expected: >= 1)");
    assertThatThrownBy(() -> new Limits(1, -1, Duration.ofSeconds(1))).hasMessage("maxPending: -1 (expected: >= 0)");
    assertThatThrownBy(() -> new Limits(1, 1, Duration.ZERO)).hasMessage("queueTimeout: PT0S (expected: > 0)");
  }

  /**
   * Rounds of four threads pushing requests through one backend (1 slot and a queue of 64, then 3 slots
   * and a queue of 8), on real threads: never more holders than slots, every request ends admitted,
   * granted or rejected, and when a round's threads are done nothing is held or queued (a waiter stranded
   * while a slot was free would stay; dropping the drain after an enqueue makes this test fail).
   */
  @Test
  void manyThreadsNeverExceedTheLimitAndNoWaiterIsStranded() throws Exception {
    for (int round = 0; round < 400; round++) {
      Limits limits = round % 2 == 0
          ? new Limits(1, 64, Duration.ofDays(1))
          : new Limits(3, 8, Duration.ofDays(1));
      AdmissionQueue<Integer> q = AdmissionQueue.create(limits);
      AtomicInteger holding = new AtomicInteger();
      AtomicInteger maxHolding = new AtomicInteger();
      AtomicInteger rejected = new AtomicInteger();
      Set<Integer> served = ConcurrentHashMap.newKeySet();
      int threads = 4;
      int perThread = 300;
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * perThread;
        Thread w = new Thread(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          Deque<Integer> toRun = new ArrayDeque<>();
          for (int i = 0; i < perThread; i++) {
            Outcome<Integer> o = q.tryAcquire("b", base + i, 0);
            if (o.status() == Status.REJECTED) {
              rejected.incrementAndGet();
            } else if (o.status() == Status.ADMITTED) {
              toRun.add(base + i);
            }
            toRun.addAll(o.handoff().granted());
            // run what this thread holds: each run releases, which may hand slots to more waiters
            while (!toRun.isEmpty()) {
              int id = toRun.poll();
              int now = holding.incrementAndGet();
              maxHolding.accumulateAndGet(Math.max(now, q.active("b")), Math::max);
              served.add(id);
              holding.decrementAndGet();
              toRun.addAll(q.release("b", 0).granted());
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

      assertThat(maxHolding.get()).as("round %d", round).isLessThanOrEqualTo(limits.maxConnections());
      assertThat(served.size() + rejected.get()).as("round %d", round).isEqualTo(threads * perThread);
      assertThat(q.pending("b")).as("round %d: stranded waiters", round).isZero();
      assertThat(q.active("b")).as("round %d", round).isZero();
    }
  }
}
