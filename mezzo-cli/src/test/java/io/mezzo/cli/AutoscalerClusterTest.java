package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.balancer.Balancer;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.V2Client;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The autoscaler on a real cluster: a master started with {@code --lb-stats} runs it with its services
 * scheduler; a sample-server app with an {@code autoscaling} policy on in-flight requests per instance
 * rises to its maximum under a closed-loop load through the load balancer, and falls back to its
 * minimum after the (short) scale-down window once the load stops, each change explained under
 * {@code /v1/autoscaler/apps/{id}} and published on {@code /v2/events} as an {@code autoscale_event}. Skipped while the services API refuses the {@code autoscaling}
 * field (it is added to app definitions on another branch).
 */
class AutoscalerClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir
  Path dir;

  MezzoCluster cluster;
  Balancer balancer;

  @AfterEach
  void stop() {
    if (balancer != null) {
      balancer.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void instancesFollowTheLoadUpToTheMaximumAndBackToTheMinimum() throws Exception {
    int lbPort = MezzoCluster.freeLoopbackPort();
    LbClusterSupport.AutoscaledCluster started = LbClusterSupport.AutoscaledCluster.start(dir, WAIT);
    cluster = started.cluster();
    balancer = started.balancer();
    V2Client v2 = started.v2();

    String policy = ",\"autoscaling\":{\"minInstances\":1,\"maxInstances\":3,\"evaluationSeconds\":2,"
        + "\"metrics\":[{\"name\":\"inFlight\",\"target\":2}],"
        + "\"behavior\":{\"scaleDown\":{\"stabilizationWindowSeconds\":5}}}";
    String app = LbClusterSupport.sampleApp("/auto", 1, Map.of("mezzo.drain.seconds", "1",
        "MEZZO_LB_PORT_0", String.valueOf(lbPort)), policy)
        .replace("sample-server --port $PORT0", "sample-server --port $PORT0 --latency-ms 200");
    V2Client.Answer posted = v2.post("/v2/apps", app);
    assertThat(posted.status()).as(posted.toString()).isEqualTo(201);
    await().atMost(WAIT).until(() -> LbClusterSupport.healthy(v2, "/auto") == 1);
    List<String> events = new CopyOnWriteArrayList<>();
    try (Socket sse = new Socket("127.0.0.1", cluster.master().port())) {
      sse.getOutputStream().write(("GET /v2/events?event_type=autoscale_event HTTP/1.1\r\nHost: x\r\n"
          + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      Thread reader = new Thread(() -> read(sse, events), "sse-reader");
      reader.setDaemon(true);
      reader.start();
      await("stream attached").atMost(WAIT).until(() -> String.join("", events).contains(": connected"));
      scaleOutAndBack(v2, lbPort);
      await("scale-out and scale-in published").atMost(WAIT).until(() -> {
        String all = String.join("", events);
        return all.matches("(?s).*\"current\":1,\"desired\":[23],\"outcome\":\"scaled\".*")
            && all.matches("(?s).*\"current\":[23],\"desired\":1,\"outcome\":\"scaled\".*");
      });
      assertThat(String.join("", events)).contains("event: autoscale_event", "\"appId\":\"/auto\"");
    }
  }

  private void scaleOutAndBack(V2Client v2, int lbPort) throws Exception {
    try (LoadBalancerClusterTest.Load load = new LoadBalancerClusterTest.Load(lbPort, 8)) {
      // 8 clients waiting 200 ms each: about 8 in flight on one instance, 4x the target: up to the maximum
      await().atMost(WAIT).until(() -> v2.get("/v2/apps/auto").json().path("app").path("instances").asInt() == 3);
      await().atMost(WAIT).until(() -> LbClusterSupport.healthy(v2, "/auto") == 3);
      assertThat(load.failures).isEmpty();
    }
    JsonNode status = cluster.getJson(cluster.master().port(), "/v1/autoscaler/apps/auto");
    // the first scale-out (an app idle at its minimum may first have a decision held by minInstances)
    JsonNode first = null;
    for (JsonNode d : status.path("decisions")) {
      if (first == null && d.path("outcome").asText().equals("scaled")) {
        first = d;
      }
    }
    assertThat(first).as(status.toPrettyString()).isNotNull();
    assertThat(first.path("current").asInt()).isEqualTo(1);
    assertThat(first.path("metrics").path("inFlight").path("value").asDouble()).isGreaterThan(2.2);

    // no load: back to the minimum after the 5 s window
    await().atMost(WAIT).until(() -> v2.get("/v2/apps/auto").json().path("app").path("instances").asInt() == 1);
    JsonNode after = cluster.getJson(cluster.master().port(), "/v1/autoscaler/apps/auto").path("decisions");
    System.out.println("autoscaler decisions on /auto: " + after.toPrettyString());
    JsonNode last = after.get(after.size() - 1);
    assertThat(last.path("desired").asInt()).isEqualTo(1);
    assertThat(last.path("outcome").asText()).isEqualTo("scaled");
  }

  private static void read(Socket s, List<String> into) {
    byte[] buf = new byte[8192];
    try (InputStream in = s.getInputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        into.add(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
    } catch (Exception e) {
      // the test closed the socket
    }
  }
}
