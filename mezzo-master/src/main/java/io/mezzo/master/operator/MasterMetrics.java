package io.mezzo.master.operator;

import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskState;
import io.mezzo.master.state.AgentEntry;
import io.mezzo.master.state.FrameworkEntry;
import io.mezzo.master.state.TaskEntry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The master's counters and the window of allocation-run durations, and the {@code /metrics/snapshot}
 * map built from them and from the live state, with Mesos' key names ({@code master/cpus_total},
 * {@code allocator/mesos/allocation_run_ms/p99}, ...). Gauges are computed from the state at snapshot
 * time (an agent under maintenance is connected but not active, as in Mesos); counters (terminal
 * task states, allocation runs) accumulate from master start. Owned by the
 * master loop thread.
 */
public final class MasterMetrics {
  /** Allocation runs kept for percentiles (Mesos keeps a comparable window). */
  public static final int WINDOW = 1000;
  private static final String[] SCALARS = {"cpus", "mem", "disk", "gpus"};
  private static final double[] PERCENTILES = {50, 90, 95, 99, 99.9, 99.99};

  private final DurationWindow allocationRuns = new DurationWindow(WINDOW);
  private final Map<TaskState, Long> terminal = new EnumMap<>(TaskState.class);

  public void allocationRun(long nanos) {
    allocationRuns.record(nanos);
  }

  public void taskTerminal(TaskState state) {
    terminal.merge(state, 1L, Long::sum);
  }

  /** The flat key-to-number map Mesos serves at {@code /metrics/snapshot}. */
  public Map<String, Object> snapshot(ClusterView c, Map<AgentId, AgentMaintenance> maintenance, double uptimeSeconds,
      int operatorSubscribers) {
    Map<String, Object> m = new TreeMap<>();
    m.put("master/uptime_secs", uptimeSeconds);
    m.put("master/elected", 1.0);
    int active = 0;
    int inactive = 0;
    int connected = 0;
    int disconnected = 0;
    int unreachable = 0;
    Resources total = Resources.EMPTY;
    Resources used = Resources.EMPTY;
    for (AgentEntry a : c.agents().values()) {
      if (a.status == AgentEntry.Status.UNREACHABLE) {
        unreachable++;
        continue;
      }
      if (a.isActive()) {
        connected++;
        total = total.plus(a.total);
        used = used.plus(a.used);
      } else {
        disconnected++;
      }
      if (a.isActive() && !maintenance.containsKey(a.id)) {
        active++;
      } else {
        inactive++;
      }
    }
    m.put("master/slaves_active", (double) active);
    m.put("master/slaves_inactive", (double) inactive);
    m.put("master/slaves_connected", (double) connected);
    m.put("master/slaves_disconnected", (double) disconnected);
    m.put("master/slaves_unreachable", (double) unreachable);
    int fActive = 0;
    int fInactive = 0;
    int fConnected = 0;
    Map<TaskState, Integer> live = new EnumMap<>(TaskState.class);
    for (FrameworkEntry f : c.frameworks()) {
      if (f.isConnected()) {
        fConnected++;
      }
      if (f.isConnected() && !f.suppressed()) {
        fActive++;
      } else {
        fInactive++;
      }
      for (TaskEntry t : f.tasks.values()) {
        live.merge(t.state(), 1, Integer::sum);
      }
    }
    m.put("master/frameworks_active", (double) fActive);
    m.put("master/frameworks_inactive", (double) fInactive);
    m.put("master/frameworks_connected", (double) fConnected);
    m.put("master/frameworks_disconnected", (double) (c.frameworks().size() - fConnected));
    for (TaskState s : TaskState.values()) {
      String key = "master/" + s.name().toLowerCase(Locale.ROOT).replace("task_", "tasks_");
      m.put(key, s.isTerminal() ? (double) terminal.getOrDefault(s, 0L) : (double) live.getOrDefault(s, 0));
    }
    for (String r : SCALARS) {
      double t = total.scalar(r);
      double u = used.scalar(r);
      m.put("master/" + r + "_total", t);
      m.put("master/" + r + "_used", u);
      m.put("master/" + r + "_percent", t == 0 ? 0.0 : u / t);
    }
    m.put("master/outstanding_offers", (double) c.offers().size());
    m.put("master/operator_event_stream_subscribers", (double) operatorSubscribers);
    m.put("allocator/mesos/allocation_runs", (double) allocationRuns.count());
    long[] sorted = allocationRuns.sorted();
    if (sorted.length > 0) {
      String key = "allocator/mesos/allocation_run_ms";
      m.put(key, millis(allocationRuns.last()));
      m.put(key + "/count", (double) sorted.length);
      m.put(key + "/min", millis(sorted[0]));
      m.put(key + "/max", millis(sorted[sorted.length - 1]));
      for (double p : PERCENTILES) {
        String suffix = "/p" + (p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p).replace(".", ""));
        m.put(key + suffix, millis(DurationWindow.percentile(sorted, p)));
      }
    }
    return m;
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }
}
