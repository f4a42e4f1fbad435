package io.mezzo.balancer.algorithm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A microbenchmark (no JMH) of one pick per algorithm, single thread, for 4 and 100 backends: the
 * median ns/pick of several timed runs after a warm-up, printed as a table. Least request and ewma run
 * with varied in-flight counts and latency samples; consistent_hash with a new key per pick; the
 * "+slow start" rows have one backend ramping. Production randomness (thread-local). Wall-clock figures:
 * run on an idle machine, through {@code bench/lb-algorithms [picks per run] [runs]}.
 *
 * <p>Thread: single (a main).
 */
public final class PickerBench {
  private static volatile long sink;

  private PickerBench() {}

  public static void main(String[] args) {
    int picks = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    System.out.printf("%-36s %8s %10s   (median of %d runs of %d picks, 1 thread)%n", "algorithm", "backends",
        "ns/pick", runs, picks);
    for (int n : new int[] {4, 100}) {
      bench("round_robin", n, false, false, picks, runs);
      bench("round_robin", n, true, false, picks, runs);
      bench("round_robin", n, false, true, picks, runs);
      bench("least_request", n, false, false, picks, runs);
      bench("least_request", n, true, true, picks, runs);
      bench("ewma", n, false, false, picks, runs);
      bench("consistent_hash", n, false, false, picks, runs);
      bench("random", n, false, false, picks, runs);
      bench("random", n, true, false, picks, runs);
    }
    if (sink == 42) {
      System.out.println(); // keeps the JIT from discarding the picks
    }
  }

  private static void bench(String name, int n, boolean weighted, boolean slowStart, int picks, int runs) {
    long start = 1_000_000_000_000L;
    List<Backend> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(Backend.of(String.format("instance-%03d", i), "10.0.0." + i, 31000 + i, weighted ? 1 + i % 5 : 1));
    }
    BackendSet set = BackendSet.of(list.subList(0, n - 1)).next(list, start);
    AlgorithmOptions options = slowStart
        ? AlgorithmOptions.defaults().withSlowStart(SlowStart.linear(Duration.ofSeconds(30)))
        : AlgorithmOptions.defaults();
    Picker picker = Algorithms.of(name, options).newPicker(set);
    SplittableRandom random = new SplittableRandom(1);
    for (Backend b : set.asList()) {
      int inFlight = random.nextInt(8);
      for (int i = 0; i < inFlight + 1; i++) {
        b.stats().onStart();
      }
      b.stats().onComplete(1_000_000L + random.nextInt(20_000_000), start - 1_000_000L);
    }
    long now = start + 10_000_000_000L; // 10 s into the slow start window
    long[] keys = new long[4096];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = random.nextLong();
    }
    run(picker, now, keys, picks); // warm-up
    run(picker, now, keys, picks);
    double[] nsPerPick = new double[runs];
    for (int r = 0; r < runs; r++) {
      long t0 = System.nanoTime();
      run(picker, now, keys, picks);
      nsPerPick[r] = (System.nanoTime() - t0) / (double) picks;
    }
    Arrays.sort(nsPerPick);
    String label = name + (weighted ? " weighted" : "") + (slowStart ? " +slow start" : "");
    System.out.printf("%-36s %8d %10.1f%n", label, n, nsPerPick[runs / 2]);
  }

  private static void run(Picker picker, long now, long[] keys, int picks) {
    long acc = 0;
    for (int i = 0; i < picks; i++) {
      Backend b = picker.pick(PickContext.hashed(keys[i & (keys.length - 1)], now + i));
      acc += b.port();
    }
    sink += acc;
  }
}
