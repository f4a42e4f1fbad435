package io.mezzo.balancer.algorithm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Every algorithm under real threads, as the proxy drives it: four "event loops" pick, start and
 * complete requests while a fifth swaps the backend set (stats carried over) and its picker; nothing
 * throws, every pick is a member of a published set, and every backend ends with nothing in flight.
 */
class ConcurrentPicksTest {
  @Test
  void picksStayValidWhileTheSetIsSwappedUnderThem() throws Exception {
    for (String name : new String[] {"round_robin", "least_request", "ewma", "consistent_hash", "random"}) {
      Algorithm algorithm = Algorithms.of(name,
          AlgorithmOptions.defaults().withSlowStart(SlowStart.linear(Duration.ofMillis(5))));
      List<Backend> all = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        all.add(Fixtures.backend(String.format("b%02d", i), 1 + i % 3));
      }
      AtomicReference<Picker> picker = new AtomicReference<>(algorithm.newPicker(BackendSet.of(all.subList(0, 8))));
      AtomicLong clock = new AtomicLong();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Backend> everUsed = new ConcurrentLinkedQueue<>();
      List<Thread> loops = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long seed = t;
        loops.add(new Thread(() -> {
          try {
            for (int i = 0; i < 20_000; i++) {
              long now = clock.addAndGet(1_000);
              Picker current = picker.get();
              Backend b = current.pick(PickContext.hashed(seed * 31 + i, now));
              assertThat(b).isNotNull();
              assertThat(current.backends().byId(b.id())).isSameAs(b);
              b.stats().onStart();
              if (i % 7 == 0) {
                everUsed.add(b);
              }
              b.stats().onComplete((i % 5) * 100_000L, now + 1);
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        }));
      }
      loops.add(new Thread(() -> {
        try {
          BackendSet set = picker.get().backends();
          for (int i = 0; i < 200; i++) {
            int from = i % 4;
            set = set.next(all.subList(from, from + 8), clock.get());
            picker.set(algorithm.newPicker(set));
            Thread.yield();
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      }));
      loops.forEach(Thread::start);
      for (Thread loop : loops) {
        loop.join();
      }
      assertThat(failures).as(name).isEmpty();
      for (Backend b : everUsed) {
        assertThat(b.stats().inFlight()).as(name + " " + b).isZero();
      }
    }
  }
}
