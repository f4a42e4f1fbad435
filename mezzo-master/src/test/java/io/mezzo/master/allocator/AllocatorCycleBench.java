package io.mezzo.master.allocator;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.Resources;
import io.mezzo.master.allocator.AllocationView.AgentView;
import io.mezzo.master.allocator.AllocationView.FrameworkView;
import io.mezzo.master.allocator.AllocationView.RoleConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Wall-clock figures for one full allocation cycle (not a test): {@code main [agents...]} prints the
 * median and p99 of {@link Allocator#allocate} over many cycles for each agent count, with 100
 * frameworks in 10 roles (two with quota, one with a limit), agents partly used and a few reserved.
 *
 * <p>Run: {@code mvn -o -q -pl mezzo-master -am test-compile} then
 * {@code java -cp mezzo-master/target/test-classes:mezzo-master/target/classes:mezzo-core/target/classes:<deps>
 * io.mezzo.master.allocator.AllocatorCycleBench 1000 10000 50000}.
 */
public final class AllocatorCycleBench {
  private AllocatorCycleBench() {}

  public static void main(String[] args) {
    int[] counts = args.length == 0 ? new int[] {1000, 10000, 50000}
        : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    Allocator allocator = Allocator.drf();
    for (int agents : counts) {
      AllocationView view = view(agents, 100, new Random(agents));
      int cycles = Math.max(20, 2_000_000 / agents);
      for (int i = 0; i < cycles / 2 + 5; i++) {
        allocator.allocate(view); // warm up
      }
      long[] nanos = new long[cycles];
      int offers = 0;
      for (int i = 0; i < cycles; i++) {
        long start = System.nanoTime();
        offers = allocator.allocate(view).size();
        nanos[i] = System.nanoTime() - start;
      }
      Arrays.sort(nanos);
      System.out.printf("agents=%d frameworks=100 cycles=%d offers/cycle=%d median=%.2f ms p99=%.2f ms%n",
          agents, cycles, offers, nanos[cycles / 2] / 1e6, nanos[(int) Math.min(cycles - 1, Math.ceil(cycles * 0.99) - 1)] / 1e6);
    }
  }

  static AllocationView view(int agents, int frameworks, Random r) {
    List<AgentView> as = new ArrayList<>(agents);
    Resources.Builder total = new Resources.Builder();
    Resources used = Resources.parse("cpus:4;mem:16384;ports:[31000-31099]");
    for (int i = 0; i < agents; i++) {
      String text = "cpus:16;mem:65536;disk:100000;ports:[31000-32000]";
      if (i % 50 == 0) {
        text += ";cpus(role" + (i / 50 % 10) + "):2;mem(role" + (i / 50 % 10) + "):4096";
      }
      Resources t = Resources.parse(text);
      as.add(new AgentView(new AgentId("agent-" + i), t, r.nextBoolean() ? t.minus(used) : t));
      total.add(t);
    }
    Map<String, RoleConfig> roles = new HashMap<>();
    roles.put("role0", new RoleConfig(2, Map.of("cpus", agents * 0.5, "mem", agents * 2048.0), Map.of()));
    roles.put("role1", new RoleConfig(1, Map.of("cpus", agents * 0.25), Map.of()));
    roles.put("role2", new RoleConfig(1, Map.of(), Map.of("cpus", agents * 2.0)));
    List<FrameworkView> fs = new ArrayList<>(frameworks);
    for (int i = 0; i < frameworks; i++) {
      String role = "role" + (i % 10);
      Resources held = Resources.parse("cpus:" + r.nextInt(agents / 10 + 1) + ";mem:" + 1024 * r.nextInt(agents / 10 + 1));
      fs.add(new FrameworkView(new FrameworkId("framework-" + i), List.of(role),
          held.isEmpty() ? Map.of() : Map.of(role, held), Set.of(), Map.of()));
    }
    return new AllocationView(total.build(), as, roles, fs, 0);
  }
}
