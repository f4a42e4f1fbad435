package io.mezzo.agent;

import io.mezzo.core.model.CommandInfo;
import io.mezzo.testkit.LocalRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/**
 * How long a container task takes to start on one real agent (runc, cgroups v1 isolation), with the
 * busybox test image in a local registry: cold (an empty image store: pull, verify, unpack, then start)
 * and warm (the image cached). Each run is measured from sending LAUNCH to the container's first line
 * in the sandbox's stdout; prints every run and the median of {@code runs} (default 10).
 *
 * <p>Run by {@code bench/container-start [runs]}; not a test.
 */
public final class ContainerStartBench {
  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Path dir = Files.createTempDirectory("container-bench");
    FakeMaster master = new FakeMaster();
    master.beforeEach(null);
    try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"))) {
      String image = io.mezzo.testkit.TestImages.pushBusybox(registry, "bench/busybox", "1").reference();
      String container = "{\"type\":\"DOCKER\",\"docker\":{\"image\":\"" + image + "\"}}";
      List<Double> cold = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        Path work = dir.resolve("cold-" + i);
        Agent agent = master.startSubscribedAgent(work, IsolationTest.ACTIVE);
        cold.add(startMillis(master, work, "cold-" + i, container));
        agent.close();
        TestImages.cleanUp(work);
      }
      Path work = dir.resolve("warm");
      master.startSubscribedAgent(work, IsolationTest.ACTIVE);
      startMillis(master, work, "warm-up", container);
      List<Double> warm = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        warm.add(startMillis(master, work, "warm-" + i, container));
      }
      System.out.printf("cold pull-and-start ms: %s%n  median %.0f ms%n", cold, median(cold));
      System.out.printf("warm start ms: %s%n  median %.0f ms%n", warm, median(warm));
      master.afterEach(null);
      TestImages.cleanUp(work);
    } finally {
      new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }
  }

  private static double startMillis(FakeMaster master, Path work, String id, String container) throws Exception {
    long t0 = System.nanoTime();
    master.launch(ContainerTaskTest.task(id, container, CommandInfo.shell("echo started; sleep 0.2"), 32, null));
    // the first output marks the start; polled every 2 ms so that the figure is not rounded up by the wait
    org.awaitility.Awaitility.await(id + " printed its first line").atMost(java.time.Duration.ofSeconds(120))
        .pollDelay(java.time.Duration.ZERO).pollInterval(java.time.Duration.ofMillis(2))
        .until(() -> {
          Path stdout = stdout(work, id);
          return stdout != null && Files.readString(stdout).contains("started");
        });
    double ms = (System.nanoTime() - t0) / 1e6;
    org.awaitility.Awaitility.await(id + " ended").atMost(java.time.Duration.ofSeconds(120))
        .pollInterval(java.time.Duration.ofMillis(10))
        .until(() -> master.states(id).stream().anyMatch(s -> s.isTerminal()));
    return Math.round(ms * 10) / 10.0;
  }

  private static Path stdout(Path work, String id) throws Exception {
    Path runs = work.resolve("frameworks/fw-1/tasks/" + id + "/runs");
    if (!Files.isDirectory(runs)) {
      return null;
    }
    try (Stream<Path> s = Files.list(runs)) {
      return s.findFirst().map(r -> r.resolve("stdout")).filter(Files::exists).orElse(null);
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
