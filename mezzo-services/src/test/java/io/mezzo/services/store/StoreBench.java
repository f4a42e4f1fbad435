package io.mezzo.services.store;

import io.mezzo.master.registry.EmbeddedZooKeeper;
import io.mezzo.services.app.AppDefinition;
import io.mezzo.services.app.AppValidator;
import io.mezzo.services.instance.Instance;
import io.mezzo.services.instance.InstanceState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the services store costs on one embedded ZooKeeper (its log on the local disk, fsync per
 * write): single and batched instance writes, app writes past the version cap, and the reads a
 * scheduler does when it recovers. Run by {@code bench/services-store}; not a test.
 */
public final class StoreBench {
  private StoreBench() {}

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int appCount = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    Path dir = Files.createTempDirectory("store-bench");
    try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir, 0);
         ServicesStore store = ServicesStore.connect(zk.connectString(), "/bench", Duration.ofSeconds(10))) {
      Instant now = Instant.parse("2026-11-27T05:30:00.123Z");
      List<Instance> all = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        all.add(new Instance(String.format("prod_web.%08d", i), "/prod/web", now.toString(), "agent-" + i % 50,
            "host-" + i % 50, List.of(31000 + i % 1000), InstanceState.RUNNING, true, now, now, now, "ok"));
      }
      int singles = Math.min(500, count);
      long[] single = new long[singles];
      for (int i = 0; i < singles; i++) {
        long t = System.nanoTime();
        store.putInstance(all.get(i));
        single[i] = System.nanoTime() - t;
      }
      Arrays.sort(single);
      System.out.printf("putInstance:  %d writes, median %.2f ms, p99 %.2f ms%n", singles,
          single[singles / 2] / 1e6, single[singles * 99 / 100] / 1e6);

      int batches = 0;
      long t0 = System.nanoTime();
      for (int i = singles; i < count; i += 500) {
        store.putInstances(all.subList(i, Math.min(count, i + 500)));
        batches++;
      }
      if (batches > 0) {
        System.out.printf("putInstances: %d batches of up to 500 new instances, %.1f ms per batch%n", batches,
            (System.nanoTime() - t0) / 1e6 / batches);
      }
      long t1 = System.nanoTime();
      store.putInstances(all.subList(0, Math.min(500, count))); // updates: the look-up path
      System.out.printf("putInstances: 1 batch of %d updates, %.1f ms%n", Math.min(500, count),
          (System.nanoTime() - t1) / 1e6);

      for (int warm = 0; warm < 3; warm++) {
        store.instances();
      }
      long t2 = System.nanoTime();
      int read = store.instances().size();
      System.out.printf("instances():  %d read in %.1f ms%n", read, (System.nanoTime() - t2) / 1e6);

      AppDefinition app = AppValidator.parse("{\"id\":\"/prod/web\",\"cmd\":\"sleep 1\",\"healthChecks\":"
          + "[{\"protocol\":\"HTTP\",\"path\":\"/health\"}],\"labels\":{\"team\":\"web\"}}");
      long t3 = System.nanoTime();
      for (int v = 0; v < 100; v++) {
        store.putApp(app.withInstances(v), now.plusSeconds(v).toString());
      }
      System.out.printf("putApp:       %.2f ms each over 100 versions (the last 50 each delete the oldest)%n",
          (System.nanoTime() - t3) / 1e6 / 100);
      for (int a = 0; a < appCount; a++) {
        store.putApp(AppValidator.parse("{\"id\":\"/g/app-" + a + "\",\"cmd\":\"sleep 1\"}"), now.toString());
      }
      for (int warm = 0; warm < 3; warm++) {
        store.apps();
      }
      long t4 = System.nanoTime();
      int apps = store.apps().size();
      System.out.printf("apps():       %d read and validated in %.1f ms%n", apps, (System.nanoTime() - t4) / 1e6);
    }
  }
}
