package io.mezzo.balancer.proxy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A microbenchmark (no JMH) of the per-response metrics call {@link LbMetrics#response} as the event loops
 * make it: THREADS threads (default 2, like the LB's two loops here) each answering CALLS responses of one
 * backend of one route, while a reader takes {@link LbMetrics#sample} every 10 ms and {@link
 * LbMetrics#stats} plus {@link LbMetrics#prometheus} every 100 ms (far more often than production). Prints
 * the ns per call of each timed run and their median. Wall-clock figures: run on an idle machine.
 *
 * <p>{@code java -cp <mezzo-balancer test classpath> io.mezzo.balancer.proxy.LbMetricsBench [calls] [runs] [threads]}
 */
public final class LbMetricsBench {
  private LbMetricsBench() {}

  public static void main(String[] args) throws InterruptedException {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 3_000_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    LbMetrics metrics = new LbMetrics();
    metrics.route("/app:0");
    BackendRef b = new BackendRef("i1", "127.0.0.1", 8080, "/app:0");
    metrics.add(b);
    List<Double> perCall = new ArrayList<>();
    for (int run = -2; run < runs; run++) { // two warm-up runs
      double ns = run(metrics, b, calls, threads);
      if (run >= 0) {
        perCall.add(ns);
        System.out.printf("run %d: %.1f ns/response%n", run, ns);
      }
    }
    double[] sorted = perCall.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    System.out.printf("median %.1f ns/response (%d runs of %d calls on each of %d threads)%n",
        sorted[sorted.length / 2], runs, calls, threads);
    System.out.println(Arrays.toString(sorted));
  }

  private static double run(LbMetrics metrics, BackendRef b, int calls, int threads) throws InterruptedException {
    Thread[] loops = new Thread[threads];
    long[] took = new long[threads];
    for (int t = 0; t < threads; t++) {
      int me = t;
      loops[t] = new Thread(() -> {
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
          metrics.response(b, 200, 80_000 + (i & 1023) * 500L);
        }
        took[me] = System.nanoTime() - start;
      });
    }
    for (Thread t : loops) {
      t.start();
    }
    int tick = 0;
    while (Arrays.stream(loops).anyMatch(Thread::isAlive)) {
      loops[0].join(10); // the reader's cadence: every 10 ms, or sooner once the first loop ends
      metrics.sample(System.nanoTime());
      if (++tick % 10 == 0) {
        metrics.stats();
        metrics.prometheus();
      }
    }
    return Arrays.stream(took).average().orElse(0) / calls;
  }
}
