package io.mezzo.balancer.algorithm;

import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.ToLongBiFunction;

/**
 * A seeded discrete-event simulation in virtual time for pickers that learn from load: requests arrive
 * as a Poisson process, each goes to the backend the picker chooses ({@code onStart}), and completes after
 * the latency that {@code latency(backend, arrivalNanos)} gives ({@code onComplete} at that virtual time).
 * Counts the picks per backend id; {@link #run} may be called repeatedly to look at successive windows.
 *
 * <p>Thread: single (test code).
 */
final class VirtualLoad {
  private record Completion(long atNanos, long latencyNanos, Backend backend) {}

  private final Picker picker;
  private final ToLongBiFunction<Backend, Long> latency;
  private final SplittableRandom random;
  private final double meanGapNanos;
  private final PriorityQueue<Completion> pending = new PriorityQueue<>((a, b) -> Long.compare(a.atNanos, b.atNanos));
  private long nowNanos;

  VirtualLoad(Picker picker, double requestsPerSecond, long seed, ToLongBiFunction<Backend, Long> latency) {
    this.picker = picker;
    this.latency = latency;
    this.random = new SplittableRandom(seed);
    this.meanGapNanos = 1e9 / requestsPerSecond;
  }

  /** Runs until virtual time {@code untilNanos}; the picks per backend id made in this run. */
  Map<String, Integer> run(long untilNanos) {
    Map<String, Integer> picks = new HashMap<>();
    while (true) {
      long gap = (long) (-Math.log(1 - random.nextDouble()) * meanGapNanos);
      long arrival = nowNanos + gap;
      if (arrival > untilNanos) {
        completeUpTo(untilNanos);
        nowNanos = untilNanos;
        return picks;
      }
      completeUpTo(arrival);
      nowNanos = arrival;
      Backend b = picker.pick(PickContext.at(nowNanos));
      b.stats().onStart();
      picks.merge(b.id(), 1, Integer::sum);
      long l = latency.applyAsLong(b, nowNanos);
      pending.add(new Completion(nowNanos + l, l, b));
    }
  }

  private void completeUpTo(long t) {
    while (!pending.isEmpty() && pending.peek().atNanos <= t) {
      Completion c = pending.poll();
      c.backend.stats().onComplete(c.latencyNanos, c.atNanos);
    }
  }

  static double share(Map<String, Integer> picks, String id) {
    int total = picks.values().stream().mapToInt(Integer::intValue).sum();
    return total == 0 ? 0 : picks.getOrDefault(id, 0) / (double) total;
  }
}
