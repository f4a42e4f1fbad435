package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.balancer.Balancer;
import io.mezzo.testkit.LocalRegistry;
import io.mezzo.testkit.MezzoCluster;
import io.mezzo.testkit.TestImages;
import io.mezzo.testkit.V2Client;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Marathon app whose instances are containers of an image pulled from a real local registry, run by
 * the agents' OCI runtime (runc) on the host's network: busybox's httpd listens on {@code $PORT0} inside
 * the container and the load balancer in front of the cluster serves it.
 */
class ContainerClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir
  Path dir;

  MezzoCluster cluster;
  Balancer balancer;
  LocalRegistry registry;

  @AfterEach
  void stop() {
    if (balancer != null) {
      balancer.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void dockerAppFromARegistryServesHttpThroughTheLoadBalancer() throws Exception {
    registry = LocalRegistry.start(dir.resolve("registry"));
    String image = TestImages.pushBusybox(registry, "web/busybox", "1").reference();
    cluster = MezzoCluster.builder(dir.resolve("cluster")).agentResources("cpus:2;mem:2048;disk:1024").start();
    V2Client v2 = new V2Client(cluster.masterAddress());
    await().atMost(WAIT).until(() -> v2.get("/v2/info").json().path("frameworkId").isTextual());
    int lbPort = MezzoCluster.freeLoopbackPort();
    balancer = Balancer.start(cluster.masterAddress(), "127.0.0.1", MezzoCluster.freeLoopbackPort(), null, 0);

    String app = "{\"id\":\"/web\",\"instances\":2,\"cpus\":0.1,\"mem\":32,"
        + "\"cmd\":\"mkdir -p $MESOS_SANDBOX/www && echo served by $HOSTNAME-$PORT0 > $MESOS_SANDBOX/www/index.html"
        + " && exec httpd -f -p $PORT0 -h $MESOS_SANDBOX/www\","
        + "\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"" + image + "\"},"
        + "\"portMappings\":[{\"containerPort\":0,\"hostPort\":0,\"name\":\"http\"}]},"
        + "\"labels\":{\"MEZZO_LB_PORT_0\":\"" + lbPort + "\",\"mezzo.drain.seconds\":\"1\"},"
        + "\"healthChecks\":[{\"protocol\":\"MESOS_HTTP\",\"path\":\"/\",\"portIndex\":0,\"gracePeriodSeconds\":60,"
        + "\"intervalSeconds\":1,\"timeoutSeconds\":5,\"maxConsecutiveFailures\":3}]}";
    assertThat(v2.post("/v2/apps", app).status()).isEqualTo(201);

    await("two healthy containers").atMost(WAIT).until(() -> LbClusterSupport.healthy(v2, "/web") == 2);
    await("the lb serves them").atMost(WAIT).ignoreExceptions().until(() -> {
      LbClusterSupport.Answer a = LbClusterSupport.get(lbPort, "web", "/");
      return a.status() == 200 && a.body().startsWith("served by ");
    });
  }

  @Test
  void appWhoseImageCannotBePulledFailsItsLaunchesWithThePreparationReason() throws Exception {
    registry = LocalRegistry.start(dir.resolve("registry"));
    cluster = MezzoCluster.builder(dir.resolve("cluster")).agentResources("cpus:2;mem:2048;disk:1024").start();
    V2Client v2 = new V2Client(cluster.masterAddress());
    await().atMost(WAIT).until(() -> v2.get("/v2/info").json().path("frameworkId").isTextual());

    String app = "{\"id\":\"/missing\",\"instances\":1,\"cpus\":0.1,\"mem\":32,\"backoffSeconds\":1,"
        + "\"container\":{\"docker\":{\"image\":\"" + registry.hostPort() + "/no/such:1\"}}}";
    assertThat(v2.post("/v2/apps", app).status()).isEqualTo(201);

    await("the failure is reported").atMost(WAIT).until(() -> v2.get("/v2/apps/missing?embed=app.lastTaskFailure").json()
        .path("app").path("lastTaskFailure").path("message").asText().contains("unknown image"));
    assertThat(v2.get("/v2/apps/missing?embed=app.lastTaskFailure").json().path("app").path("lastTaskFailure").path("state").asText())
        .isEqualTo("TASK_FAILED");
  }
  @Test
  void agentsWithRegistryFlagsPullFromAnAuthenticatingRegistryAndCollectTheImageOnceTheAppIsGone() throws Exception {
    registry = LocalRegistry.start(dir.resolve("registry"), "mezzo", "s3cret");
    TestImages.Pushed pushed = TestImages.pushBusybox(registry, "private/busybox", "1");
    Path credentials = java.nio.file.Files.writeString(dir.resolve("registry-credentials.json"),
        "{\"" + registry.hostPort() + "\": {\"username\": \"mezzo\", \"password\": \"s3cret\"}}");
    cluster = MezzoCluster.builder(dir.resolve("cluster")).agents(1).agentResources("cpus:2;mem:2048;disk:1024")
        .agentOption("--registry-credentials", credentials.toString())
        .agentOption("--image-gc-interval", "200ms")
        .agentOption("--image-gc-max-bytes", "0")
        .start();
    V2Client v2 = new V2Client(cluster.masterAddress());
    await().atMost(WAIT).until(() -> v2.get("/v2/info").json().path("frameworkId").isTextual());
    Path imageDir = cluster.workDir().resolve("agent-1/images/images").resolve(pushed.manifestDigest().substring(7));

    String app = "{\"id\":\"/private\",\"instances\":1,\"cpus\":0.1,\"mem\":32,\"cmd\":\"exec sleep 1000\","
        + "\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"" + pushed.reference() + "\"}}}";
    assertThat(v2.post("/v2/apps", app).status()).isEqualTo(201);

    await("the container runs").atMost(WAIT)
        .until(() -> v2.get("/v2/apps/private").json().path("app").path("tasksRunning").asInt() == 1);
    assertThat(imageDir.resolve("rootfs/bin/busybox")).isRegularFile(); // pulled with the agent's credentials

    await("the app is deleted once deployed").atMost(WAIT) // 409 while its deployment is in progress
        .until(() -> v2.delete("/v2/apps/private").status() == 200);

    await("the image is collected").atMost(WAIT).until(() -> !java.nio.file.Files.exists(imageDir));
  }
}
