package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.V2Client;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code /v2} API driven with plain HTTP and the exact JSON of Marathon's documentation
 * examples, answered with Marathon's status codes and shapes: create, read, list with embeds,
 * replace, scale by PATCH, 409 on a change while a deployment holds the app, versions, tasks,
 * queue, info, ping, the event stream, removal, and 422 naming the fields Mezzo refuses.
 */
class MarathonApiTest {
  private static final Path DOCS = Path.of("..", "mezzo-services", "src", "test", "resources", "marathon-docs");
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  static Path dir;

  static MezzoCluster cluster;
  static V2Client v2;

  @BeforeAll
  static void start() {
    cluster = MezzoCluster.builder(dir).agents(1).start();
    v2 = new V2Client(cluster.masterAddress());
    await().atMost(WAIT).until(() -> v2.get("/v2/info").json().path("frameworkId").isTextual());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String doc(String name) throws IOException {
    return Files.readString(DOCS.resolve(name));
  }

  @Test
  void theBasicExampleIsCreatedRunsAndIsRemoved() throws IOException {
    V2Client.Answer created = v2.post("/v2/apps", doc("basic-0.json"));
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    assertThat(created.json().path("id").asText()).isEqualTo("/basic-0");
    assertThat(created.json().path("cmd").asText()).isEqualTo("while [ true ] ; do echo 'Hello Marathon' ; sleep 5 ; done");
    assertThat(created.json().path("deployments").get(0).path("id").asText()).isNotEmpty();
    assertThat(created.json().path("version").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

    assertThat(v2.post("/v2/apps", doc("basic-0.json")).status()).as("POST of an existing id").isEqualTo(409);

    await("running").atMost(WAIT).until(() -> v2.get("/v2/apps/basic-0").json().path("app").path("tasksRunning").asInt() == 1);
    JsonNode listed = v2.get("/v2/apps?embed=apps.tasks").json().path("apps");
    JsonNode basic = find(listed, "/basic-0");
    assertThat(basic.path("tasks")).hasSize(1);
    JsonNode task = basic.path("tasks").get(0);
    assertThat(task.path("appId").asText()).isEqualTo("/basic-0");
    assertThat(task.path("id").asText()).startsWith("basic-0.");
    assertThat(task.path("state").asText()).isEqualTo("TASK_RUNNING");
    assertThat(v2.get("/v2/apps/basic-0/tasks").json().path("tasks")).hasSize(1);
    assertThat(v2.get("/v2/tasks").json().path("tasks").findValues("appId")).extracting(JsonNode::asText).contains("/basic-0");

    V2Client.Answer locked = v2.delete("/v2/apps/basic-0");
    if (locked.status() == 409) { // its deployment may not have seen the instance running yet
      assertThat(locked.json().path("message").asText()).contains("force=true");
      await("deployed").atMost(WAIT).until(() -> v2.get("/v2/deployments").json().isEmpty());
    }
    V2Client.Answer removed = v2.delete("/v2/apps/basic-0");
    assertThat(removed.status()).as("%s", removed).isEqualTo(200);
    assertThat(removed.json().path("deploymentId").asText()).isNotEmpty();
    await("gone").atMost(WAIT).until(() -> v2.get("/v2/apps/basic-0").status() == 404);
    assertThat(v2.get("/v2/apps/basic-0").json().path("message").asText()).isEqualTo("App '/basic-0' does not exist");
  }

  @Test
  void anAppInAGroupIsReplacedScaledAndLockedWhileItsDeploymentRuns() throws IOException {
    // Marathon's example id has an upper-case letter, which Marathon's own id rules refuse, as Mezzo does.
    V2Client.Answer upper = v2.put("/v2/apps/product/service/my-app", doc("my-app.json"));
    assertThat(upper.status()).as("%s", upper).isEqualTo(422);
    assertThat(upper.json().path("message").asText()).contains("myApp");
    String myApp = doc("my-app.json").replace("myApp", "my-app");
    V2Client.Answer put = v2.put("/v2/apps/product/service/my-app", myApp);
    assertThat(put.status()).as("%s", put).isEqualTo(201);
    assertThat(put.json().path("deploymentId").asText()).isNotEmpty();
    await().atMost(WAIT).until(() -> v2.get("/v2/deployments").json().isEmpty());

    // 1000 instances cannot be placed on one agent: the deployment stays and holds the app.
    V2Client.Answer scaled = v2.patch("/v2/apps/product/service/my-app", "{\"instances\": 1000}");
    assertThat(scaled.status()).as("%s", scaled).isEqualTo(200);
    String deploymentId = scaled.json().path("deploymentId").asText();
    JsonNode deployments = v2.get("/v2/deployments").json();
    assertThat(deployments).hasSize(1);
    assertThat(deployments.get(0).path("id").asText()).isEqualTo(deploymentId);
    assertThat(deployments.get(0).path("affectedApps").get(0).asText()).isEqualTo("/product/service/my-app");
    assertThat(deployments.get(0).path("currentActions").get(0).path("action").asText()).isEqualTo("ScaleApplication");

    V2Client.Answer locked = v2.put("/v2/apps/product/service/my-app", myApp);
    assertThat(locked.status()).as("%s", locked).isEqualTo(409);
    assertThat(locked.json().path("message").asText()).contains("force=true");
    assertThat(locked.json().path("deployments").get(0).path("id").asText()).isEqualTo(deploymentId);
    await("queued").atMost(WAIT).until(() -> v2.get("/v2/queue").json().path("queue").size() == 1);

    V2Client.Answer rolledBack = v2.delete("/v2/deployments/" + deploymentId);
    assertThat(rolledBack.status()).as("%s", rolledBack).isEqualTo(200);
    await("rolled back to one instance").atMost(WAIT).until(() -> v2.get("/v2/deployments").json().isEmpty());
    assertThat(v2.get("/v2/apps/product/service/my-app").json().path("app").path("instances").asInt()).isEqualTo(1);

    JsonNode versions = v2.get("/v2/apps/product/service/my-app/versions").json().path("versions");
    assertThat(versions.size()).isEqualTo(3);
    V2Client.Answer first = v2.get("/v2/apps/product/service/my-app/versions/" + versions.get(2).asText());
    assertThat(first.json().path("cmd").asText()).isEqualTo("env && sleep 300");

    assertThat(v2.delete("/v2/apps/product/service/my-app?force=true").status()).isEqualTo(200);
    await().atMost(WAIT).until(() -> v2.get("/v2/apps/product/service/my-app").status() == 404);
  }

  @Test
  void fieldsMezzoDoesNotSupportAreRefusedWith422NamingThem() throws IOException {
    V2Client.Answer refused = v2.post("/v2/apps", doc("rest-v2-full.json"));
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.json().path("message").asText()).isEqualTo("Object is not valid");
    List<String> paths = new ArrayList<>();
    refused.json().path("details").forEach(d -> paths.add(d.path("path").asText()));
    assertThat(paths).contains("/container/image", "/uris", "/constraints/0"); // the pre-1.0 container form
    assertThat(v2.get("/v2/apps/my-app").status()).isEqualTo(404);

    assertThat(v2.post("/v2/apps", "{\"id\": \"x\", \"cmd\": \"true\", \"cpus\": -1}").json().path("details").get(0)
        .path("path").asText()).isEqualTo("/cpus");
    V2Client.Answer notJson = v2.post("/v2/apps", "{\"id\": ");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.json().path("message").asText()).startsWith("Invalid JSON");
  }

  @Test
  void infoPingAndTheEventStreamAnswerLikeMarathon() throws Exception {
    assertThat(v2.get("/v2/ping").text()).isEqualTo("pong");
    JsonNode info = v2.get("/v2/info").json();
    assertThat(info.path("frameworkId").asText()).isNotEmpty();
    assertThat(info.path("leader").asText()).isEqualTo(cluster.masterAddress());

    int port = Integer.parseInt(cluster.masterAddress().split(":")[1]);
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(("GET /v2/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      await().atMost(WAIT).until(() -> v2.post("/v2/apps", "{\"id\":\"/events/probe\",\"cmd\":\"sleep 60\",\"cpus\":0.1,"
          + "\"mem\":16,\"instances\":1}").status() == 201);
      StringBuilder seen = new StringBuilder();
      byte[] buf = new byte[8192];
      while (!seen.toString().contains("event: deployment_success")) {
        int n = s.getInputStream().read(buf);
        assertThat(n).as("stream open; so far: %s", seen).isPositive();
        seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
      assertThat(seen.toString()).contains("text/event-stream", "event: deployment_info", "event: status_update_event",
          "\"appId\":\"/events/probe\"");
    }
    assertThat(v2.delete("/v2/apps/events/probe?force=true").status()).isEqualTo(200);
  }

  private static JsonNode find(JsonNode apps, String id) {
    for (JsonNode a : apps) {
      if (a.path("id").asText().equals(id)) {
        return a;
      }
    }
    throw new AssertionError("no app " + id + " in " + apps);
  }
}
