package io.mezzo.services.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mezzo.master.Master;
import io.mezzo.master.MasterConfig;
import io.mezzo.master.fuzz.JsonMutations;
import io.mezzo.master.fuzz.JsonMutations.Mutation;
import io.mezzo.services.app.MarathonJson;
import io.mezzo.services.scheduler.ServicesConfig;
import io.mezzo.services.scheduler.ServicesScheduler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;

/**
 * Hostile app definitions for the {@code /v2} API of a real services scheduler, served by a real
 * master on loopback (one of each, with the master's embedded ZooKeeper, for the whole class): the
 * apps of {@code examples/} mutated (wrong types, negative and huge numbers, unknown enum values,
 * constraint garbage, huge labels, bad ids, invalid UTF-8, deep nesting) and POSTed, PUT and PATCHed,
 * also to bad ids in the path. Every answer must be a 2xx or a 4xx with a {@code message} (a 422 lists
 * the fields), never a 5xx; a refused request must leave {@code GET /v2/apps} and the apps and versions
 * stored in ZooKeeper as they were. Seeded; failures print the body sent.
 */
class V2ApiFuzzTest {
  static final Path EXAMPLES = Path.of("..", "examples");
  static final List<String> TEMPLATES = List.of("sample-server.json", "sample-server-unique.json",
      "autoscale-demo.json", "sample-server-lb.json");
  static final List<String> PATH_IDS = List.of("fuzz/put", "fuzz/put-2", "Fuzz/UPPER", "fuzz/../etc", "fuzz/a%20b",
      "fuzz//double", "fuzz/-dash", "fuzz/" + "x".repeat(300), "fuzz/%00", "fuzz/.", "fuzz/%E2%98%83", "fuzz/a..b");

  static Path dir;
  static Master master;
  static ServicesScheduler scheduler;
  static CuratorFramework zk;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  static final List<JsonNode> apps = new ArrayList<>();

  enum Op { POST, PUT, PATCH }

  @BeforeContainer
  static void start() throws Exception {
    dir = Files.createTempDirectory("v2-fuzz");
    Clock clock = Clock.systemUTC();
    EventBus events = new EventBus(clock);
    V2Api api = new V2Api(events, clock);
    master = Master.start(new MasterConfig("127.0.0.1", 0, dir, null, "127.0.0.1", Duration.ofSeconds(60), 5,
        Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofSeconds(2)), api::routes);
    scheduler = ServicesScheduler.start(ServicesConfig.defaults("127.0.0.1:" + master.port(), master.zkConnect()),
        events, clock);
    api.bind(scheduler, "127.0.0.1:" + master.port());
    zk = CuratorFrameworkFactory.newClient(master.zkConnect(), new RetryOneTime(100));
    zk.start();
    for (int i = 0; i < TEMPLATES.size(); i++) {
      ObjectNode app = (ObjectNode) MarathonJson.MAPPER.readTree(EXAMPLES.resolve(TEMPLATES.get(i)).toFile());
      app.put("id", "/fuzz/app-" + i);
      app.put("instances", 0); // no agents here: a deployment to 0 instances is the one that ends
      apps.add(app);
    }
    ObjectNode base = apps.get(0).deepCopy();
    base.put("id", "/fuzz/base");
    Answer created = send("POST", "/v2/apps", MarathonJson.MAPPER.writeValueAsBytes(base));
    assertThat(created.status).as(created.body).isEqualTo(201);
    await().atMost(Duration.ofSeconds(20)).until(() -> send("GET", "/v2/deployments", null).body.equals("[]"));
  }

  @AfterContainer
  static void stop() {
    if (zk != null) {
      zk.close();
    }
    if (scheduler != null) {
      scheduler.close();
    }
    if (master != null) {
      master.close();
    }
  }

  @Provide
  Arbitrary<Mutation> mutation() {
    return JsonMutations.appMutations();
  }

  @Property(tries = 400, seed = "8201")
  void mutatedAppsAreRefusedWith4xxNamingTheFieldAndChangeNothing(@ForAll Op op,
      @ForAll("template") int which, @ForAll("mutation") Mutation m) throws Exception {
    JsonNode template = apps.get(which % apps.size());
    String path;
    JsonNode doc;
    switch (op) {
      case POST -> {
        path = "/v2/apps";
        doc = template;
      }
      case PUT -> {
        path = "/v2/apps/fuzz/put-" + which + "?force=true";
        ObjectNode copy = template.deepCopy();
        copy.remove("id");
        doc = copy;
      }
      default -> {
        path = "/v2/apps/fuzz/base?force=true";
        doc = MarathonJson.MAPPER.readTree("{\"cpus\":0.5,\"instances\":0,\"labels\":{\"a\":\"b\"},"
            + "\"constraints\":[[\"hostname\",\"UNIQUE\"]],\"upgradeStrategy\":{\"minimumHealthCapacity\":1}}");
      }
    }
    byte[] body = JsonMutations.apply(doc, m);
    checkRefusalChangesNothing(op.name(), path, body, op.name());
  }

  @Property(tries = 100, seed = "8202")
  void badIdsInThePathAreRefusedWith4xx(@ForAll("pathId") String id, @ForAll("template") int which) throws Exception {
    ObjectNode app = apps.get(which % apps.size()).deepCopy();
    app.remove("id");
    checkRefusalChangesNothing("PUT", "/v2/apps/" + id + "?force=true", MarathonJson.MAPPER.writeValueAsBytes(app),
        "PUT path");
  }

  @Provide
  Arbitrary<Integer> template() {
    return Arbitraries.integers().between(0, 3);
  }

  @Provide
  Arbitrary<String> pathId() {
    return Arbitraries.of(PATH_IDS);
  }

  @Example
  void validChangesAreStillAccepted() throws Exception {
    ObjectNode app = apps.get(1).deepCopy();
    app.put("id", "/fuzz/valid");
    Answer a = send("PUT", "/v2/apps/fuzz/valid?force=true", MarathonJson.MAPPER.writeValueAsBytes(app));
    assertThat(a.status).as(a.body).isIn(200, 201);
  }

  /**
   * Regression: a PATCH adding 20,000 labels (730 KB, under the body limit) made an app and version
   * too big for one ZooKeeper transaction: CONNECTIONLOSS, a 500, and a store that "may or may not"
   * have written it.
   */
  @Example
  void appTooBigForZooKeeperIsA422() throws Exception {
    ObjectNode labels = MarathonJson.MAPPER.createObjectNode();
    for (int i = 0; i < 20_000; i++) {
      labels.put("label-" + i, "v".repeat(20));
    }
    ObjectNode patch = MarathonJson.MAPPER.createObjectNode();
    patch.set("labels", labels);
    String before = snapshot();

    Answer a = send("PATCH", "/v2/apps/fuzz/base?force=true", MarathonJson.MAPPER.writeValueAsBytes(patch));

    assertThat(a.status).as(a.body).isEqualTo(422);
    assertThat(a.body).contains("app: ").contains("(expected: at most 262144");
    assertThat(snapshot()).isEqualTo(before);
  }

  // ---------------------------------------------------------------- checks

  record Answer(int status, String body) {}

  static Answer send(String method, String path, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + master.port() + path))
        .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Answer(r.statusCode(), r.body());
  }

  private static void checkRefusalChangesNothing(String method, String path, byte[] body, String label)
      throws Exception {
    String before = snapshot();
    Answer a = send(method, path, body);
    String sent = method + " " + (path.length() > 200 ? path.substring(0, 200) + "..." : path) + " "
        + JsonMutations.show(body);
    Statistics.label("answer").collect(label, a.status);
    assertThat(a.status).as("answer %s to %s", a.body, sent).isBetween(200, 499);
    if (a.status >= 400) {
      JsonNode error = MarathonJson.MAPPER.readTree(a.body);
      assertThat(error.path("message").asText()).as("the refusal of %s", sent).isNotBlank();
      if (a.status == 422 && error.has("details")) {
        assertThat(error.path("details").get(0).path("path").asText()).as("422 names the field: %s", a.body)
            .isNotBlank();
      }
      assertThat(snapshot()).as("apps after %d %s to %s", a.status, a.body, sent).isEqualTo(before);
    }
  }

  /** The app definitions as served and as stored (the apps and versions nodes' names and content hashes). */
  static String snapshot() throws Exception {
    Answer list = send("GET", "/v2/apps", null);
    assertThat(list.status).as(list.body).isEqualTo(200);
    Map<String, String> out = new TreeMap<>();
    for (JsonNode app : MarathonJson.MAPPER.readTree(list.body).path("apps")) {
      ObjectNode definition = app.deepCopy();
      for (String volatileField : new String[] {"deployments", "tasks", "tasksStaged", "tasksRunning", "tasksHealthy",
          "tasksUnhealthy", "lastTaskFailure", "taskStats", "readinessCheckResults"}) {
        definition.remove(volatileField);
      }
      out.put("api " + app.path("id").asText(), definition.toString());
    }
    for (String subtree : new String[] {"apps", "versions"}) {
      dump(ServicesConfig.DEFAULT_ROOT + "/" + subtree, out);
    }
    return out.toString();
  }

  private static void dump(String path, Map<String, String> out) throws Exception {
    if (zk.checkExists().forPath(path) == null) {
      return;
    }
    byte[] data = zk.getData().forPath(path);
    out.put("zk " + path, data == null ? "-" : HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
    for (String child : zk.getChildren().forPath(path)) {
      dump(path + "/" + child, out);
    }
  }
}
