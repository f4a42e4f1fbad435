package io.mezzo.services.launch;

import static io.mezzo.services.launch.Fixtures.app;
import static io.mezzo.services.launch.Fixtures.env;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.AgentId;
import io.mezzo.core.model.CheckInfo;
import io.mezzo.core.model.HealthCheck;
import io.mezzo.core.model.Resource;
import io.mezzo.core.model.Resources;
import io.mezzo.core.model.TaskInfo;
import io.mezzo.services.app.AppDefinition;
import io.mezzo.services.app.AppValidator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskFactoryTest {
  private static final String V1 = "2026-11-27T05:00:00.000Z";
  private static final AgentId AGENT = AgentId.of("agent-1");

  private static TaskInfo task(AppDefinition app, List<Integer> hostPorts) {
    List<Resource> resources = Resources.parse("cpus:1;mem:128").toList();
    return TaskFactory.task(app, V1, TaskFactory.instanceId(app.id(), () -> "u1"), AGENT, resources, hostPorts, "h1");
  }

  private static String healthChecks(String... checks) {
    return "\"portDefinitions\":[{\"port\":0},{\"port\":0}],\"healthChecks\":[" + String.join(",", checks) + "]";
  }

  @Test
  void taskIsNamedAndIdentifiedLikeMarathons() {
    TaskInfo t = task(app("/prod/web", ""), List.of(31000));

    assertThat(t.name()).isEqualTo("web.prod");
    assertThat(t.taskId().value()).isEqualTo("prod_web.u1");
    assertThat(t.agentId()).isEqualTo(AGENT);
    assertThat(TaskFactory.taskName("/top")).isEqualTo("top");
    assertThat(TaskFactory.instanceId("/a/b/c", () -> "x")).isEqualTo("a_b_c.x");
  }

  @Test
  void cmdRunsUnderAShell() {
    TaskInfo t = task(app("/c", ""), List.of(31000));

    assertThat(t.command().value()).isEqualTo("sleep 1000");
    assertThat(t.command().isShell()).isTrue();
    assertThat(t.command().arguments()).isNull();
  }

  @Test
  void argsRunWithoutAShellWithArgvZeroFirst() {
    AppDefinition app = AppValidator.parse("{\"id\":\"/argv\",\"args\":[\"/bin/echo\",\"a b\",\"$HOME\"]}");

    TaskInfo t = task(app, List.of(31000));

    assertThat(t.command().isShell()).isFalse();
    assertThat(t.command().value()).isEqualTo("/bin/echo");
    assertThat(t.command().arguments()).containsExactly("/bin/echo", "a b", "$HOME");
  }

  @Test
  void emptyArgsAreRefusedNamingTheField() {
    AppDefinition app = AppValidator.parse("{\"id\":\"/argv\",\"args\":[\"x\"]}").withArgs(List.of());

    assertThatThrownBy(() -> task(app, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/argv: args: []");
  }

  @Test
  void envCarriesMarathonsAppMetadata() {
    AppDefinition app = app("/prod/web", "\"cpus\":0.5,\"mem\":64,\"disk\":10,"
        + "\"labels\":{\"team\":\"core\",\"HAPROXY_0.vhost\":\"web.example\"},"
        + "\"portDefinitions\":[{\"port\":10000,\"name\":\"http-api\"},{\"port\":0,\"name\":\"admin\"},{\"port\":0}]");

    Map<String, String> env = env(task(app, List.of(31000, 31001, 31002)));

    assertThat(env).containsEntry("MARATHON_APP_ID", "/prod/web")
        .containsEntry("MARATHON_APP_VERSION", V1)
        .containsEntry("MARATHON_APP_RESOURCE_CPUS", "0.5")
        .containsEntry("MARATHON_APP_RESOURCE_MEM", "64.0")
        .containsEntry("MARATHON_APP_RESOURCE_DISK", "10.0")
        .containsEntry("MARATHON_APP_LABELS", "HAPROXY_0_VHOST TEAM")
        .containsEntry("MARATHON_APP_LABEL_HAPROXY_0_VHOST", "web.example")
        .containsEntry("MARATHON_APP_LABEL_TEAM", "core")
        .containsEntry("PORT_10000", "31000")
        .containsEntry("PORT_HTTP-API", "31000")
        .containsEntry("PORT_ADMIN", "31001");
  }

  @Test
  void variablesTheAgentSetsAreLeftToIt() {
    Map<String, String> env = env(task(app("/a", ""), List.of(31000)));

    assertThat(env).doesNotContainKeys("MESOS_TASK_ID", "HOST", "PORT", "PORT0", "PORTS");
  }

  @Test
  void overlongLabelsStayOutOfTheEnvironment() {
    String longValue = "v".repeat(512);
    AppDefinition app = app("/l", "\"labels\":{\"big\":\"" + longValue + "\",\"ok\":\"1\"}");

    Map<String, String> env = env(task(app, List.of(31000)));

    assertThat(env).containsEntry("MARATHON_APP_LABELS", "OK").doesNotContainKey("MARATHON_APP_LABEL_BIG");
    assertThat(task(app, List.of(31000)).labels().labels())
        .contains(new TaskInfo.Label("big", longValue));
  }

  @Test
  void theAppsEnvWinsOverMarathonsVariables() {
    AppDefinition app = app("/e", "\"env\":{\"MARATHON_APP_ID\":\"mine\",\"ZED\":\"z\"}");

    Map<String, String> env = env(task(app, List.of(31000)));

    assertThat(env).containsEntry("MARATHON_APP_ID", "mine").containsEntry("ZED", "z");
    assertThat(task(app, List.of(31000)).command().environment().variables())
        .filteredOn(v -> v.name().equals("MARATHON_APP_ID")).hasSize(1);
  }

  @Test
  void labelsCarryTheAppsLabelsAndMezzoMarkers() {
    AppDefinition app = app("/lab", "\"labels\":{\"b\":\"2\",\"a\":\"1\",\"MEZZO_APP_ID\":\"forged\"}");

    TaskInfo t = task(app, List.of(31000));

    assertThat(t.labels().labels()).containsExactly(
        new TaskInfo.Label("a", "1"), new TaskInfo.Label("b", "2"),
        new TaskInfo.Label(TaskFactory.APP_ID_LABEL, "/lab"), new TaskInfo.Label(TaskFactory.APP_VERSION_LABEL, V1));
  }

  @Test
  void killPolicyGraceComesFromTaskKillGracePeriodSeconds() {
    assertThat(task(app("/k", "\"taskKillGracePeriodSeconds\":7"), List.of(31000)).killPolicy().gracePeriodSeconds())
        .isEqualTo(7.0);
    assertThat(task(app("/k", ""), List.of(31000)).killPolicy()).isNull();
  }

  @Test
  void healthCheckPortIndexResolvesToTheHostPort() {
    AppDefinition app = app("/h", healthChecks("{\"protocol\":\"MESOS_HTTP\",\"path\":\"/ping\",\"portIndex\":1,"
        + "\"gracePeriodSeconds\":30,\"intervalSeconds\":5,\"timeoutSeconds\":2,\"maxConsecutiveFailures\":4,"
        + "\"delaySeconds\":1}"));

    HealthCheck h = task(app, List.of(31000, 31007)).healthCheck();

    assertThat(h.type()).isEqualTo(CheckInfo.Type.HTTP);
    assertThat(h.http()).isEqualTo(new HealthCheck.Http(31007, "/ping", "http", null));
    assertThat(h.gracePeriodSeconds()).isEqualTo(30.0);
    assertThat(h.intervalSeconds()).isEqualTo(5.0);
    assertThat(h.timeoutSeconds()).isEqualTo(2.0);
    assertThat(h.consecutiveFailures()).isEqualTo(4);
    assertThat(h.delaySeconds()).isEqualTo(1.0);
  }

  @Test
  void httpsChecksProbeWithTheHttpsScheme() {
    for (String protocol : List.of("HTTPS", "MESOS_HTTPS")) {
      AppDefinition app = app("/h", healthChecks("{\"protocol\":\"" + protocol + "\"}"));

      HealthCheck h = task(app, List.of(31000, 31001)).healthCheck();

      assertThat(h.http()).isEqualTo(new HealthCheck.Http(31000, "/", "https", null));
    }
  }

  @Test
  void tcpChecksProbeTheFixedPortWhenGiven() {
    for (var protocol : List.of(io.mezzo.services.app.HealthCheck.Protocol.TCP,
        io.mezzo.services.app.HealthCheck.Protocol.MESOS_TCP)) {
      // Built directly: AppValidator throws a NullPointerException on a check with "port" and no
      // "portIndex" (CheckReader's portIndex default unboxes null); reported to the lead.
      AppDefinition app = Fixtures.withHealthChecks(app("/h", healthChecks()), List.of(
          new io.mezzo.services.app.HealthCheck(protocol, null, null, 9090, null, 300, 60, 20, 3, 15, null)));

      HealthCheck h = task(app, List.of(31000, 31001)).healthCheck();

      assertThat(h.type()).isEqualTo(CheckInfo.Type.TCP);
      assertThat(h.tcp()).isEqualTo(new HealthCheck.Tcp(9090));
      assertThat(h.http()).isNull();
    }
  }

  @Test
  void commandChecksRunUnderAShell() {
    AppDefinition app = app("/h", healthChecks("{\"protocol\":\"COMMAND\",\"command\":{\"value\":\"test -f ok\"}}"));

    HealthCheck h = task(app, List.of(31000, 31001)).healthCheck();

    assertThat(h.type()).isEqualTo(CheckInfo.Type.COMMAND);
    assertThat(h.command().value()).isEqualTo("test -f ok");
    assertThat(h.command().isShell()).isTrue();
  }

  @Test
  void zeroMaxConsecutiveFailuresNeverKills() {
    AppDefinition app = app("/h", healthChecks("{\"protocol\":\"TCP\",\"maxConsecutiveFailures\":0}"));

    assertThat(task(app, List.of(31000, 31001)).healthCheck().consecutiveFailures()).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void theHealthCheckIsCarriedAndNoCheckIsAdded() {
    AppDefinition app = app("/h", healthChecks("{\"protocol\":\"TCP\",\"portIndex\":1}"));

    TaskInfo t = task(app, List.of(31000, 31001));

    assertThat(t.healthCheck().tcp()).isEqualTo(new HealthCheck.Tcp(31001));
    assertThat(t.check()).isNull();
    assertThat(task(app("/none", ""), List.of(31000)).healthCheck()).isNull();
  }

  @Test
  void taskSerializesInTheMesosShape() throws Exception {
    AppDefinition app = app("/prod/web", healthChecks("{\"protocol\":\"HTTP\",\"path\":\"/health\"}")
        + ",\"taskKillGracePeriodSeconds\":3");

    JsonNode json = Json.MAPPER.readTree(Json.writeString(task(app, List.of(31000, 31001))));

    assertThat(json.at("/task_id/value").asText()).isEqualTo("prod_web.u1");
    assertThat(json.at("/agent_id/value").asText()).isEqualTo("agent-1");
    assertThat(json.at("/command/shell").asBoolean()).isTrue();
    assertThat(json.at("/health_check/type").asText()).isEqualTo("HTTP");
    assertThat(json.at("/health_check/http/port").asInt()).isEqualTo(31000);
    assertThat(json.at("/health_check/grace_period_seconds").asDouble()).isEqualTo(300.0);
    assertThat(json.at("/kill_policy/grace_period/nanoseconds").asLong()).isEqualTo(3_000_000_000L);
  }
}
