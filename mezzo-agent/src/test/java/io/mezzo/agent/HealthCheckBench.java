package io.mezzo.agent;

import io.mezzo.core.model.CheckInfo;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.HealthCheck;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;

/**
 * What health checking costs the agent: one real agent (in this JVM) against {@link FakeMaster} runs
 * N {@code sleep} tasks, each with a health check every second, for a measuring window, and prints
 * the CPU the agent JVM used, the CPU its reaped children (COMMAND probes, {@code kill}) used, and
 * the live thread count. HTTP probes hit one small server in this JVM that answers 200.
 *
 * <p>Run by {@code bench/health-checks [tasks] [seconds] [HTTP|TCP|COMMAND]}; not a test.
 */
public final class HealthCheckBench {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    CheckInfo.Type type = CheckInfo.Type.valueOf(args.length > 2 ? args[2] : "HTTP");
    com.sun.net.httpserver.HttpServer target = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    target.createContext("/", ex -> {
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    target.start();
    int port = target.getAddress().getPort();
    FakeMaster master = new FakeMaster();
    master.beforeEach(null);
    master.sendHeartbeats = true;
    Path dir = Files.createTempDirectory("health-bench");
    try {
      master.startSubscribedAgent(dir);
      for (int i = 0; i < n; i++) {
        HealthCheck check = switch (type) {
          case HTTP -> new HealthCheck(type, new HealthCheck.Http(port, "/health", null, null), null, null, 0.0, 1.0, 5.0, 3, 10.0);
          case TCP -> new HealthCheck(type, null, new HealthCheck.Tcp(port), null, 0.0, 1.0, 5.0, 3, 10.0);
          default -> new HealthCheck(type, null, null, CommandInfo.shell("true"), 0.0, 1.0, 5.0, 3, 10.0);
        };
        TaskInfo plain = FakeMaster.shellTask("t" + i, "sleep 1000");
        master.launch(new TaskInfo(plain.name(), plain.taskId(), null, plain.resources(), plain.command(),
            null, null, null, null, check, null));
      }
      Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> healthy(master, n) == n);
      long[] before = cpu();
      long wallBefore = System.nanoTime();
      Thread.sleep(seconds * 1000L); // a measuring window, not a wait for a condition
      long[] after = cpu();
      double wall = (System.nanoTime() - wallBefore) / 1e9;
      double self = (after[0] - before[0]) / 100.0;
      double children = (after[1] - before[1]) / 100.0;
      System.out.printf("%d tasks, %s health check every 1 s, %.0f s window: agent JVM %.1f%% of a core, "
          + "reaped children %.1f%% of a core, %d live threads, all %d healthy%n",
          n, type, wall, 100 * self / wall, 100 * children / wall, Thread.activeCount(), healthy(master, n));
    } finally {
      master.afterEach(null);
      target.stop(0);
    }
  }

  private static long healthy(FakeMaster master, int n) {
    long count = 0;
    for (int i = 0; i < n; i++) {
      TaskInfo t = FakeMaster.shellTask("t" + i, "x");
      List<io.mezzo.core.model.TaskStatus> updates = master.distinctUpdates(t.taskId().value());
      if (updates.stream().anyMatch(s -> Boolean.TRUE.equals(s.healthy()) && s.state() == TaskState.TASK_RUNNING)) {
        count++;
      }
    }
    return count;
  }

  /** {utime+stime, cutime+cstime} of this process, in clock ticks (1/100 s), from /proc/self/stat. */
  private static long[] cpu() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // fields after "(comm)": state is f[0]; utime=14th overall -> f[11], stime f[12], cutime f[13], cstime f[14]
    return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])};
  }
}
