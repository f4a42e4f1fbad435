package io.mezzo.services.store;

import io.mezzo.master.registry.EmbeddedZooKeeper;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.services.app.AppDefinition;
import io.mezzo.services.app.AppValidationException;
import io.mezzo.services.app.AppValidator;
import io.mezzo.services.app.MarathonJson;
import io.mezzo.services.deploy.Deployment;
import io.mezzo.services.instance.Instance;
import io.mezzo.services.instance.InstanceState;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.ZooDefs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServicesStoreTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Instant T0 = Instant.parse("2026-11-27T05:30:00.123Z");

  @TempDir
  static Path zkDir;
  private static EmbeddedZooKeeper zk;
  private static CuratorFramework raw;

  private String root;
  private ServicesStore store;

  @BeforeAll
  static void startZooKeeper() throws Exception {
    zk = EmbeddedZooKeeper.start(zkDir, 0);
    raw = CuratorFrameworkFactory.newClient(zk.connectString(), new RetryOneTime(100));
    raw.start();
    raw.blockUntilConnected();
  }

  @AfterAll
  static void stopZooKeeper() {
    raw.close();
    zk.close();
  }

  @BeforeEach
  void openStore() {
    root = "/mezzo/t-" + UUID.randomUUID();
    store = ServicesStore.connect(zk.connectString(), root, TIMEOUT);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ServicesStoreTest.class.getResourceAsStream("/marathon-docs/" + name)) {
      return new String(Objects.requireNonNull(in, name).readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * An app with a non-default value in every field AppDefinition has (cmd form). No health check
   * names a fixed {@code port}: AppValidator cannot read one yet (a NullPointerException, reported).
   */
  private static final String RICH_APP = """
      {
        "id": "/prod/web/frontend",
        "cmd": "exec ./server --port $PORT0 --admin $PORT1",
        "cpus": 0.75,
        "mem": 300.5,
        "disk": 64,
        "instances": 7,
        "portDefinitions": [
          {"port": 10001, "protocol": "tcp", "name": "http", "labels": {"VIP_0": "/web:80"}},
          {"port": 10002, "protocol": "udp,tcp", "name": "admin"},
          {"port": 0, "protocol": "udp"}
        ],
        "requirePorts": true,
        "env": {"MODE": "prod", "QUOTED": "a \\"b\\" c\\nd", "UNICODE": "caf\u00e9 \u2603"},
        "labels": {"team": "web", "tier": "front"},
        "constraints": [
          ["hostname", "UNIQUE"], ["rack", "CLUSTER", "r1"], ["zone", "GROUP_BY", "3"],
          ["hostname", "LIKE", "web-[0-9]+"], ["hostname", "UNLIKE", "db.*"], ["rack", "MAX_PER", "2"],
          ["os", "IS", "linux"], ["@hostname", "GROUP_BY"]
        ],
        "healthChecks": [
          {"protocol": "HTTP", "path": "/health", "portIndex": 0, "gracePeriodSeconds": 30,
           "intervalSeconds": 5, "timeoutSeconds": 2, "maxConsecutiveFailures": 4, "delaySeconds": 1,
           "ignoreHttp1xx": true}
        ],
        "readinessChecks": [
          {"name": "ready", "protocol": "HTTPS", "path": "/ready", "portName": "http", "intervalSeconds": 7,
           "timeoutSeconds": 3, "httpStatusCodesForReady": [200, 204], "preserveLastResponse": true}
        ],
        "upgradeStrategy": {"minimumHealthCapacity": 0.5, "maximumOverCapacity": 0.25},
        "backoffSeconds": 2.5,
        "backoffFactor": 1.5,
        "maxLaunchDelaySeconds": 600,
        "killSelection": "OLDEST_FIRST",
        "unreachableStrategy": {"inactiveAfterSeconds": 60, "expungeAfterSeconds": 120},
        "taskKillGracePeriodSeconds": 9,
        "role": "web",
        "container": {"type": "MESOS", "docker": {"image": "reg:5000/web:1", "forcePullImage": true},
                      "volumes": [{"containerPath": "/data", "hostPath": "data", "mode": "RO"}]},
        "autoscaling": {"minInstances": 2, "maxInstances": 10,
                        "metrics": [{"name": "requestsPerSecond", "target": 70.5}],
                        "behavior": {"scaleDown": {"stabilizationWindowSeconds": 120}}}
      }
      """;

  private static Instance instance(String id, InstanceState state) {
    return new Instance(id, "/prod/web", "2026-11-27T05:00:00Z", "agent-1", "host-1.example", List.of(31000, 31001),
        state, true, T0, T0.plusSeconds(3), T0.plusMillis(3500), "running fine");
  }

  @Test
  void richAppRoundTripsEveryField() {
    AppDefinition rich = AppValidator.parse(RICH_APP);
    AppDefinition plain = AppValidator.parse("{\"id\": \"/plain\", \"args\": [\"sleep\", \"1\"]}");
    for (RecordComponent c : AppDefinition.class.getRecordComponents()) {
      if (!c.getName().equals("args") && !c.getName().equals("id")) {
        assertThat(value(c, rich)).as("the rich app sets %s", c.getName()).isNotEqualTo(value(c, plain));
      }
    }
    AppDefinition withArgs = AppValidator.parse(RICH_APP
        .replace("\"cmd\": \"exec ./server --port $PORT0 --admin $PORT1\"", "\"args\": [\"./server\", \"--port\", \"$PORT0\"]")
        .replace("/prod/web/frontend", "/prod/web/args")
        .replace("{\"inactiveAfterSeconds\": 60, \"expungeAfterSeconds\": 120}", "\"disabled\""));

    store.putApp(rich, "2026-11-27T05:30:00.123Z");
    store.putApp(withArgs, "2026-11-27T05:31:00Z");
    store.putApp(plain, "2026-11-27T05:32:00.5Z");

    assertThat(store.apps()).containsExactly(
        new StoredApp(plain, "2026-11-27T05:32:00.5Z"),
        new StoredApp(withArgs, "2026-11-27T05:31:00Z"),
        new StoredApp(rich, "2026-11-27T05:30:00.123Z"));
    assertThat(store.version("/prod/web/frontend", "2026-11-27T05:30:00.123Z")).contains(rich);
    AppDefinition back = store.apps().get(2).app();
    JsonNode backTree = MarathonJson.MAPPER.valueToTree(back);
    JsonNode richTree = MarathonJson.MAPPER.valueToTree(rich);
    assertThat(backTree).isEqualTo(richTree);
  }

  private static Object value(RecordComponent c, AppDefinition app) {
    try {
      return c.getAccessor().invoke(app);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void marathonDocExamplesRoundTrip() throws IOException {
    List<AppDefinition> stored = new ArrayList<>();
    for (String doc : List.of("basic-0.json", "health-checks.json", "my-app.json", "rest-v2-full.json")) {
      // my-app's id is not a valid Marathon id; rest-v2-full has fields Mezzo refuses: keep the rest
      ObjectNode tree = (ObjectNode) MarathonJson.MAPPER.readTree(resource(doc).replace("myApp", "my-app"));
      AppDefinition app;
      try {
        app = AppValidator.validate(tree);
      } catch (AppValidationException refused) {
        refused.details().keySet().forEach(path -> tree.remove(path.split("/")[1]));
        app = AppValidator.validate(tree);
      }
      store.putApp(app, "2026-11-27T05:30:00.000Z");
      stored.add(app);
    }

    assertThat(store.apps()).extracting(StoredApp::app).containsExactlyInAnyOrderElementsOf(stored);
    assertThat(stored).extracting(AppDefinition::id).contains("/my-app", "/product/service/my-app");
  }

  @Test
  void reopenedStoreSeesEverything() {
    AppDefinition app = AppValidator.parse(RICH_APP);
    Deployment deployment = new Deployment("d-1", app.id(), Deployment.Action.RestartApplication,
        "2026-11-27T05:00:00Z", "2026-11-27T05:30:00.123Z", T0, "d-0");
    Deployment fresh = new Deployment("d-2", "/other", Deployment.Action.StartApplication, null,
        "2026-11-27T05:31:00Z", T0.plusSeconds(60), null);
    Instance running = instance("prod_web.1", InstanceState.RUNNING);
    Instance bare = new Instance("prod_web.2", "/prod/web", "v1", null, null, null, InstanceState.PROVISIONED,
        null, null, null, null, null);
    store.putFrameworkId("fw-42");
    store.putApp(app.withInstances(1), "2026-11-27T05:00:00Z");
    store.putApp(app, "2026-11-27T05:30:00.123Z");
    store.putDeployment(deployment);
    store.putDeployment(fresh);
    store.putInstance(running);
    store.putInstance(bare);
    store.close();

    store = ServicesStore.connect(zk.connectString(), root, TIMEOUT);

    assertThat(store.frameworkId()).contains("fw-42");
    assertThat(store.apps()).containsExactly(new StoredApp(app, "2026-11-27T05:30:00.123Z"));
    assertThat(store.versions(app.id())).containsExactly("2026-11-27T05:00:00Z", "2026-11-27T05:30:00.123Z");
    assertThat(store.version(app.id(), "2026-11-27T05:00:00Z")).contains(app.withInstances(1));
    assertThat(store.deployments()).containsExactly(deployment, fresh);
    assertThat(store.instances()).containsExactly(running, bare);
  }

  @Test
  void emptyStoreHasNothing() {
    assertThat(store.frameworkId()).isEmpty();
    assertThat(store.apps()).isEmpty();
    assertThat(store.versions("/none")).isEmpty();
    assertThat(store.version("/none", "v1")).isEmpty();
    assertThat(store.deployments()).isEmpty();
    assertThat(store.instances()).isEmpty();
  }

  @Test
  void updatesReplaceAndRemovalsAreIdempotent() {
    Instance staged = instance("prod_web.1", InstanceState.STAGING);
    Instance running = staged.withState(InstanceState.RUNNING, T0.plusSeconds(9), "up");
    store.putInstance(staged);
    store.putInstance(running);
    store.putFrameworkId("fw-1");
    store.putFrameworkId("fw-2");
    assertThat(store.instances()).containsExactly(running);
    assertThat(store.frameworkId()).contains("fw-2");

    store.removeInstance("prod_web.1");
    store.removeInstance("prod_web.1");
    store.removeDeployment("never-stored");
    store.removeApp("/never/stored");
    assertThat(store.instances()).isEmpty();
  }

  @Test
  void anAppStoredBeforeAutoscalingExistedStillReadsBackWithoutAPolicy() throws Exception {
    // format 1 as written before the autoscaling field existed: the app's Marathon JSON with no such member
    ObjectNode data = MarathonJson.MAPPER.valueToTree(AppValidator.parse(
        "{\"id\": \"/old\", \"cmd\": \"sleep 1\", \"cpus\": 0.5, \"instances\": 3}"));
    assertThat(data.has("autoscaling")).isFalse();
    data.put("version", "2026-11-27T05:30:00Z");
    data.putObject("versionInfo").put("lastConfigChangeAt", "2026-11-27T05:00:00Z");
    ObjectNode envelope = MarathonJson.MAPPER.createObjectNode().put("format", 1).put("kind", "app");
    envelope.set("data", data);
    raw.create().creatingParentsIfNeeded()
        .forPath(root + "/apps/%2Fold", MarathonJson.MAPPER.writeValueAsBytes(envelope));

    StoredApp old = store.apps().get(0);

    assertThat(old.app().id()).isEqualTo("/old");
    assertThat(old.app().instances()).isEqualTo(3);
    assertThat(old.app().autoscaling()).isNull();
    assertThat(old.configVersion()).isEqualTo("2026-11-27T05:00:00Z");
    assertThat(MarathonJson.MAPPER.valueToTree(old.app()).has("autoscaling")).isFalse();
  }

  @Test
  void anAutoscaledAppRoundTripsItsPolicyAndLoadsEvenWithItsCountOutsideTheBounds() throws Exception {
    AppDefinition app = AppValidator.parse("{\"id\": \"/auto\", \"cmd\": \"sleep 1\", \"instances\": 2,"
        + " \"autoscaling\": {\"minInstances\": 2, \"maxInstances\": 6, \"cooldownSeconds\": 30,"
        + " \"metrics\": [{\"name\": \"cpu\", \"target\": 0.6}]}}");
    // a kill with scale=true lowers the count without validation: the stored app must still load
    AppDefinition killedWithScale = app.withInstances(1);
    store.putApp(app, "2026-11-27T05:30:00Z");
    store.putApp(killedWithScale, "2026-11-27T05:31:00Z", "2026-11-27T05:30:00Z");

    assertThat(store.apps()).containsExactly(new StoredApp(killedWithScale, "2026-11-27T05:31:00Z",
        "2026-11-27T05:30:00Z"));
    assertThat(store.version("/auto", "2026-11-27T05:30:00Z")).contains(app);
    JsonNode stored = MarathonJson.MAPPER.readTree(raw.getData().forPath(root + "/apps/%2Fauto"));
    assertThat(stored.at("/data/autoscaling/maxInstances").intValue()).isEqualTo(6);
    assertThat(stored.at("/data/autoscaling/metrics/0/target").doubleValue()).isEqualTo(0.6);
  }

  @Test
  void appIdsAreStoredAsPercentEncodedNodeNames() throws Exception {
    store.putApp(AppValidator.parse("{\"id\": \"/prod/web\", \"cmd\": \"sleep 1\"}"), "2026-11-27T05:30:00Z");

    assertThat(raw.getChildren().forPath(root + "/apps")).containsExactly("%2Fprod%2Fweb");
    assertThat(raw.getChildren().forPath(root + "/versions/%2Fprod%2Fweb")).containsExactly("2026-11-27T05:30:00Z");
    JsonNode node = MarathonJson.MAPPER.readTree(raw.getData().forPath(root + "/apps/%2Fprod%2Fweb"));
    assertThat(node.get("format").intValue()).isEqualTo(1);
    assertThat(node.get("kind").textValue()).isEqualTo("app");
    assertThat(node.at("/data/id").textValue()).isEqualTo("/prod/web");
    assertThat(node.at("/data/version").textValue()).isEqualTo("2026-11-27T05:30:00Z");
  }

  @Test
  void unknownStoredFormatIsRefusedWithUpgradeAdvice() throws Exception {
    raw.create().forPath(root + "/apps/%2Ffuture", ("{\"format\":7,\"kind\":\"app\",\"data\":{\"id\":\"/future\","
        + "\"cmd\":\"x\",\"version\":\"v\"}}").getBytes(StandardCharsets.UTF_8));
    raw.create().forPath(root + "/instances/odd", "{\"format\":1,\"kind\":\"deployment\",\"data\":{}}"
        .getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(store::apps).isInstanceOf(StoreException.class)
        .hasMessage("zk: " + root + "/apps/%2Ffuture: stored format 7 (expected: 1); upgrade Mezzo");
    assertThatThrownBy(store::instances).isInstanceOf(StoreException.class)
        .hasMessage("zk: " + root + "/instances/odd: kind: \"deployment\" (expected: \"instance\")");
  }

  @Test
  void aStoredAppThatNoLongerValidatesIsRefusedNamingTheField() throws Exception {
    raw.create().forPath(root + "/apps/%2Fbad", ("{\"format\":1,\"kind\":\"app\",\"data\":{\"id\":\"/bad\","
        + "\"cmd\":\"x\",\"cpus\":-1,\"version\":\"v\"}}").getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(store::apps).isInstanceOf(StoreException.class)
        .hasMessageContaining(root + "/apps/%2Fbad").hasMessageContaining("/cpus");
  }

  @Test
  void removeAppRemovesTheCurrentDefinitionAndEveryVersion() throws Exception {
    AppDefinition web = AppValidator.parse("{\"id\": \"/prod/web\", \"cmd\": \"sleep 1\"}");
    AppDefinition db = AppValidator.parse("{\"id\": \"/prod/db\", \"cmd\": \"sleep 1\"}");
    for (int v = 1; v <= 3; v++) {
      store.putApp(web.withInstances(v), "v" + v);
    }
    store.putApp(db, "v1");

    store.removeApp("/prod/web");

    assertThat(store.apps()).extracting(a -> a.app().id()).containsExactly("/prod/db");
    assertThat(store.versions("/prod/web")).isEmpty();
    assertThat(store.version("/prod/web", "v2")).isEmpty();
    assertThat(raw.getChildren().forPath(root + "/versions")).containsExactly("%2Fprod%2Fdb");
    assertThat(store.versions("/prod/db")).containsExactly("v1");
  }

  @Test
  void versionsAreListedOldestFirstAndOnlyTheNewestFiftyKept() {
    AppDefinition app = AppValidator.parse("{\"id\": \"/prod/web\", \"cmd\": \"sleep 1\"}");
    // put order, not string order: "...:00Z" sorts after "...:00.5Z" as text
    List<String> versions = IntStream.rangeClosed(1, 55)
        .mapToObj(n -> T0.plusSeconds(n).plusMillis(n % 2 == 0 ? 0 : 500).toString()).toList();
    for (int n = 0; n < versions.size(); n++) {
      store.putApp(app.withInstances(n), versions.get(n));
    }
    store.putApp(app.withInstances(99), versions.get(54)); // putting a kept version again keeps its place

    assertThat(store.versions("/prod/web")).containsExactlyElementsOf(versions.subList(5, 55));
    assertThat(store.version("/prod/web", versions.get(4))).isEmpty();
    assertThat(store.version("/prod/web", versions.get(5))).contains(app.withInstances(5));
    assertThat(store.version("/prod/web", versions.get(54))).contains(app.withInstances(99));
    assertThat(store.apps()).containsExactly(new StoredApp(app.withInstances(99), versions.get(54)));
  }

  @Test
  void batchPutWritesAllInstancesInOneGo() {
    store.putInstance(instance("a.1", InstanceState.STAGING));
    List<Instance> batch = List.of(instance("a.1", InstanceState.RUNNING), instance("a.2", InstanceState.PROVISIONED),
        instance("a.3", InstanceState.PROVISIONED));

    store.putInstances(batch);

    assertThat(store.instances()).containsExactlyElementsOf(batch);
  }

  @Test
  void batchWithOneUnwritableInstanceLeavesNothing() throws Exception {
    Instance locked = instance("a.3", InstanceState.RUNNING);
    // a node this client may read but not write: the batch's update of it fails inside ZooKeeper
    raw.create().withACL(ZooDefs.Ids.READ_ACL_UNSAFE).forPath(root + "/instances/a.3",
        StoredFormat.wrap(StoredFormat.Kind.INSTANCE, StoredFormat.instance(locked)));
    Instance before = instance("a.0", InstanceState.STAGING);
    store.putInstance(before);

    List<Instance> batch = List.of(instance("a.1", InstanceState.PROVISIONED), before.withState(InstanceState.RUNNING,
        T0.plusSeconds(5), "up"), locked.withState(InstanceState.KILLING, T0.plusSeconds(5), "kill"));
    assertThatThrownBy(() -> store.putInstances(batch)).isInstanceOf(StoreException.class)
        .hasMessageContaining(root + "/instances/a.3: NOAUTH").hasMessageContaining("nothing of it was written");

    assertThat(store.instances()).containsExactly(before, locked);
  }

  @Test
  void batchRefusesTheSameInstanceTwice() {
    Instance one = instance("a.1", InstanceState.STAGING);
    assertThatThrownBy(() -> store.putInstances(List.of(one, one))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch: instance a.1 twice (expected: distinct ids)");
  }

  @Test
  void manyInstancesReadBack() {
    List<Instance> all = new ArrayList<>();
    for (int n = 0; n < 600; n++) {
      all.add(instance(String.format("prod_web.%04d", n), InstanceState.RUNNING));
    }
    store.putInstances(all.subList(0, 300));
    all.subList(300, 600).forEach(store::putInstance);

    assertThat(store.instances()).containsExactlyElementsOf(all);
  }

  @Test
  void badRootOrTimeoutIsRefusedNamingIt() {
    assertThatThrownBy(() -> ServicesStore.connect(zk.connectString(), "mezzo/services", TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("root: \"mezzo/services\" (expected: an absolute ZooKeeper path without a trailing '/', "
            + "such as /mezzo/services)");
    assertThatThrownBy(() -> ServicesStore.connect(zk.connectString(), "/m", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout: PT0S (expected: a positive duration)");
  }

  @Test
  void unreachableZooKeeperFailsTheConnect() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String nowhere = "127.0.0.1:" + port;
    assertThatThrownBy(() -> ServicesStore.connect(nowhere, "/m", Duration.ofMillis(500)))
        .isInstanceOf(StoreException.class)
        .hasMessage("zk: cannot connect to " + nowhere + " within PT0.5S (expected: a reachable ZooKeeper)");
  }

  @Test
  void writesFailNamingThePathOnceZooKeeperIsGone(@TempDir Path dir) throws Exception {
    EmbeddedZooKeeper own = EmbeddedZooKeeper.start(dir, 0);
    try (ServicesStore short1 = ServicesStore.connect(own.connectString(), "/s", Duration.ofMillis(500))) {
      short1.putFrameworkId("fw-1");
      own.close();

      assertThatThrownBy(() -> short1.putDeployment(new Deployment("d-9", "/a", Deployment.Action.ScaleApplication,
          "v1", "v2", T0, null))).isInstanceOf(StoreException.class).hasMessageStartingWith("zk: cannot write /s/deployments/d-9: ");
      assertThatThrownBy(short1::instances).isInstanceOf(StoreException.class)
          .hasMessageStartingWith("zk: cannot list /s/instances: ");
    }
  }
}
