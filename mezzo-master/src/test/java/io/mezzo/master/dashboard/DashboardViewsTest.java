package io.mezzo.master.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.http.HttpStream;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.AgentInfo;
import io.mezzo.core.model.CommandInfo;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.FrameworkInfo;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskId;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.core.model.TaskState;
import io.mezzo.core.model.TaskStatus;
import io.mezzo.master.operator.AgentMaintenance;
import io.mezzo.master.operator.ClusterView;
import io.mezzo.master.state.AgentEntry;
import io.mezzo.master.state.FrameworkEntry;
import io.mezzo.master.state.TaskEntry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dashboard's views built from hand-made master entries. */
class DashboardViewsTest {
  private static final HttpStream OPEN = new HttpStream() {
    @Override
    public boolean send(byte[] chunk) {
      return true;
    }

    @Override
    public void close() {}

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void onClose(Runnable callback) {}
  };

  private final Map<AgentId, AgentEntry> agents = new LinkedHashMap<>();
  private final Map<AgentId, AgentMaintenance> maintenance = new LinkedHashMap<>();

  private AgentEntry agent(String id, String resources, boolean connected) {
    AgentEntry a = new AgentEntry(new AgentId(id), new AgentInfo(new AgentId(id), "10.0.0." + (agents.size() + 1),
        5051, Resources.parse(resources).toList()));
    a.stream = connected ? OPEN : null;
    a.countedInTotal = connected;
    agents.put(a.id, a);
    return a;
  }

  private static FrameworkEntry framework(String id, String role) {
    FrameworkEntry f = new FrameworkEntry(new FrameworkId(id), new FrameworkInfo("u", id + "-name", new FrameworkId(id),
        60.0, false, role, null, null, "p-" + id, null, List.of()));
    f.stream = OPEN;
    return f;
  }

  private static TaskEntry task(FrameworkEntry f, AgentEntry a, String id, String resources, TaskState state) {
    TaskId tid = TaskId.of(id);
    TaskEntry t = new TaskEntry(new TaskInfo(id, tid, a.id, Resources.parse(resources).toList(),
        CommandInfo.shell("true"), null, null, null), f.id, a.id, Resources.parse(resources), "*",
        new TaskStatus(tid, state, null, TaskStatus.Source.SOURCE_MASTER, null, a.id, 1.0, null, null));
    f.tasks.put(tid, t);
    a.tasks.add(t);
    return t;
  }

  private static JsonNode json(Object o) {
    return Json.MAPPER.valueToTree(o);
  }

  /** {@code o} as it goes on the wire (the mapper leaves null values out), read back. */
  private static JsonNode wire(Object o) {
    try {
      return Json.MAPPER.readTree(Json.write(o));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void agentsAreCountedByStateAndResourcesOverTheReachableOnes() {
    AgentEntry active = agent("a1", "cpus:4;mem:1000;disk:10;ports:[1-10]", true);
    agent("a2", "cpus:4;mem:1000;disk:10;ports:[11-20]", true);
    AgentEntry draining = agent("a3", "cpus:4;mem:1000", true);
    AgentEntry lost = agent("a4", "cpus:100;mem:100000", false);
    lost.status = AgentEntry.Status.UNREACHABLE;
    agent("a5", "cpus:1;mem:100", false);
    maintenance.put(draining.id, new AgentMaintenance(AgentMaintenance.Mode.DRAINING, null, false));
    active.used = Resources.parse("cpus:1;mem:250;ports:[1-2]");
    active.offered = Resources.parse("cpus:3");

    JsonNode o = json(DashboardViews.overview(new ClusterView(agents, List.of(), List.of(), List.of()), maintenance));

    assertThat(o.path("agents")).isEqualTo(json(Map.of("active", 2, "draining", 1, "unreachable", 1,
        "deactivated", 0, "disconnected", 1)));
    assertThat(o.path("resources").path("cpus")).isEqualTo(json(Map.of("total", 13.0, "used", 1.0, "offered", 3.0)));
    JsonNode ports = o.path("resources").path("ports");
    assertThat(List.of(ports.path("total").asLong(), ports.path("used").asLong(), ports.path("offered").asLong()))
        .containsExactly(20L, 2L, 0L);
    assertThat(o.path("resources").path("disk").path("total").asDouble()).isEqualTo(20.0);
    assertThat(DashboardViews.state(draining, maintenance.get(draining.id))).isEqualTo("DRAINING");
    assertThat(DashboardViews.state(lost, null)).isEqualTo("UNREACHABLE");
    assertThat(DashboardViews.state(agents.get(new AgentId("a5")), null)).isEqualTo("DISCONNECTED");
  }

  @Test
  void aFrameworksDominantShareIsOverTheAgentsTheAllocatorCountsAndAllItsRoles() {
    agent("a1", "cpus:4;mem:1000", true);
    agent("a2", "cpus:4;mem:1000", true);
    agent("a3", "cpus:8;mem:8000", false); // not counted in the total shares are relative to
    FrameworkEntry f = framework("f1", "web");
    f.hold("web", Resources.parse("cpus:1;mem:100"));
    f.hold("batch", Resources.parse("cpus:1;mem:900"));
    FrameworkEntry idle = framework("f2", null);
    idle.stream = null;

    JsonNode fws = json(DashboardViews.overview(new ClusterView(agents, List.of(f, idle), List.of(), List.of()),
        maintenance)).path("frameworks");

    assertThat(fws).hasSize(2);
    assertThat(fws.get(0).path("dominant_share").asDouble()).isEqualTo(0.5); // 1000 of 2000 mem
    assertThat(fws.get(0).path("roles")).isEqualTo(json(List.of("web")));
    assertThat(fws.get(0).path("principal").asText()).isEqualTo("p-f1");
    assertThat(fws.get(1).path("dominant_share").asDouble()).isZero();
    assertThat(fws.get(1).path("active").asBoolean()).isFalse();
    assertThat(fws.get(1).path("roles")).isEqualTo(json(List.of("*")));
  }

  @Test
  void anAgentListsItsLiveTasksAndItsHeartbeatUsageSummed() {
    AgentEntry a = agent("a1", "cpus:4;mem:1000", true);
    FrameworkEntry f = framework("f1", null);
    task(f, a, "t1", "cpus:1;mem:100", TaskState.TASK_RUNNING);
    task(f, a, "t2", "cpus:1;mem:100", TaskState.TASK_STAGING);
    a.usage = List.of(
        new io.mezzo.core.agentapi.AgentCall.TaskUsage(f.id, TaskId.of("t1"), 0.5, 1, 1, 100, 200L, 10.0),
        new io.mezzo.core.agentapi.AgentCall.TaskUsage(f.id, TaskId.of("t2"), 0.25, 1, 1, 50, null, 11.0));

    JsonNode view = wire(DashboardViews.agent(a, null, DashboardViews.heartbeatUsage(a)));

    assertThat(view.path("address").asText()).isEqualTo("10.0.0.1:5051");
    assertThat(view.path("state").asText()).isEqualTo("ACTIVE");
    assertThat(view.path("tasks").findValuesAsText("id")).containsExactly("t1", "t2");
    assertThat(view.path("tasks").get(1).path("state").asText()).isEqualTo("TASK_STAGING");
    assertThat(view.path("usage").path("cpus_used").asDouble()).isEqualTo(0.75);
    assertThat(view.path("usage").path("mem_rss_bytes").asLong()).isEqualTo(150);
    assertThat(view.path("usage").path("timestamp").asDouble()).isEqualTo(11.0);
    assertThat(view.path("usage").path("tasks").get(1).path("mem_limit_bytes").isNull()).isTrue();
    a.usage = List.of();
    assertThat(DashboardViews.heartbeatUsage(a)).as("tasks, but no usage heartbeat yet").isNull();
    assertThat(wire(DashboardViews.agent(a, null, null)).path("usage").isNull()).as("a key with null").isTrue();
    AgentEntry idle = agent("a2", "cpus:4;mem:1000", true);
    JsonNode none = wire(DashboardViews.heartbeatUsage(idle));
    assertThat(none.path("cpus_used").asDouble()).isZero();
    assertThat(none.path("tasks")).isEmpty();
    assertThat(none.path("timestamp").isNull()).isTrue();
  }

  @Test
  void aSandboxIsFoundAmongLiveTasksFirstThenTheNewestCompletedOne() {
    AgentEntry a1 = agent("a1", "cpus:4;mem:1000", true);
    AgentEntry a2 = agent("a2", "cpus:4;mem:1000", true);
    FrameworkEntry f = framework("f1", null);
    FrameworkEntry g = framework("g1", null);
    TaskEntry old = task(f, a1, "t1", "cpus:1", TaskState.TASK_FINISHED);
    f.complete(old);
    TaskEntry newer = task(f, a2, "t1", "cpus:1", TaskState.TASK_FAILED);
    f.complete(newer);
    task(g, a1, "t9", "cpus:1", TaskState.TASK_RUNNING);
    ClusterView c = new ClusterView(agents, List.of(f, g), List.of(), List.of());

    assertThat(DashboardViews.sandbox(c, "t1", null))
        .isEqualTo(new DashboardViews.Sandbox("a2", "f1", "/frameworks/f1/tasks/t1/runs/latest", "TASK_FAILED"));
    assertThat(DashboardViews.sandbox(c, "t9", null).path()).isEqualTo("/frameworks/g1/tasks/t9/runs/latest");
    assertThat(DashboardViews.sandbox(c, "t9", "f1")).isNull();
    assertThat(DashboardViews.sandbox(c, "nope", null)).isNull();
  }

  @Test
  void monitorStatisticsAreSummedPerAgent() {
    JsonNode entries = Json.MAPPER.valueToTree(List.of(
        Map.of("executor_id", "t1", "framework_id", "f", "statistics", Map.of("timestamp", 5.0,
            "cpus_user_time_secs", 1.0, "cpus_system_time_secs", 0.5, "mem_rss_bytes", 100, "mem_limit_bytes", 400)),
        Map.of("executor_id", "t2", "framework_id", "f", "statistics", Map.of("timestamp", 6.0,
            "cpus_user_time_secs", 2.0, "mem_rss_bytes", 50))));

    JsonNode usage = wire(AgentFiles.summed(entries));

    assertThat(usage.path("source").asText()).isEqualTo("agent");
    assertThat(usage.path("mem_rss_bytes").asLong()).isEqualTo(150);
    assertThat(usage.path("cpus_time_secs").asDouble()).isEqualTo(3.5);
    assertThat(usage.path("timestamp").asDouble()).isEqualTo(6.0);
    assertThat(usage.path("cpus_used").isNull()).isTrue();
    assertThat(usage.path("tasks").get(0).path("mem_limit_bytes").asLong()).isEqualTo(400);
    assertThat(usage.path("tasks").get(1).path("mem_limit_bytes").isNull()).isTrue();
    assertThat(AgentFiles.summed(Json.MAPPER.valueToTree(Map.of("not", "a list")))).isNull();
  }
}
