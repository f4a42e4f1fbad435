package io.mezzo.agent.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.mezzo.testkit.LocalRegistry;
import io.mezzo.testkit.TestImages;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pull killed (SIGKILL) halfway through a layer leaves no half image: a front on loopback passes
 * requests to a real docker-registry but sends only half of the layer blob and then holds the
 * connection; the pulling JVM is killed while it waits; the store opened afterwards has no image, no
 * blob and an empty tmp/, and pulls the image whole.
 */
class CrashMidPullTest {
  @TempDir
  Path work;

  @Test
  void aPullKilledMidLayerLeavesNoHalfImage() throws Exception {
    try (LocalRegistry backend = LocalRegistry.start(work.resolve("registry"))) {
      TestImages.Pushed p = TestImages.pushBusybox(backend, "crash/busybox", "1");
      String layer = p.layerDigests().get(0);
      HttpClient http = HttpClient.newHttpClient();
      CountDownLatch release = new CountDownLatch(1);
      HttpServer front = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      front.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
      front.createContext("/v2/", ex -> {
        try {
          HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + backend.hostPort() + ex.getRequestURI()));
          String accept = ex.getRequestHeaders().getFirst("Accept");
          if (accept != null) {
            b.header("Accept", accept);
          }
          HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
          ex.getResponseHeaders().add("Content-Type", r.headers().firstValue("Content-Type").orElse("application/octet-stream"));
          ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
          if (ex.getRequestURI().getPath().endsWith(layer)) {
            ex.getResponseBody().write(r.body(), 0, r.body().length / 2);
            ex.getResponseBody().flush();
            release.await(60, TimeUnit.SECONDS); // the puller dies waiting for the rest
            ex.close();
            return;
          }
          ex.getResponseBody().write(r.body());
          ex.close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      front.start();
      Path store = work.resolve("images");
      Process puller = null;
      try {
        String ref = "127.0.0.1:" + front.getAddress().getPort() + "/crash/busybox:1";
        puller = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), PullInAnotherProcess.class.getName(), store.toString(), ref)
            .redirectErrorStream(true).redirectOutput(work.resolve("puller.log").toFile()).start();
        await("half of the layer written to tmp/").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> partialBlobs(store) > 0);
        puller.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      } finally {
        release.countDown();
        front.stop(0);
        if (puller != null && puller.isAlive()) {
          puller.destroyForcibly();
        }
      }
      try (ImageStore reopened = ImageStore.open(store, RegistryOptions.defaults(), Clock.systemUTC())) {
        assertThat(reopened.list()).isEmpty();
        assertThat(store.resolve("blobs/sha256").resolve(layer.substring(7))).doesNotExist();
        try (Stream<Path> images = Files.list(store.resolve("images")); Stream<Path> tmp = Files.list(store.resolve("tmp"))) {
          assertThat(images).isEmpty();
          assertThat(tmp).isEmpty();
        }
        Image whole = reopened.pull(ImageReference.parse(p.reference()), false).get(60, TimeUnit.SECONDS);
        assertThat(whole.rootfs().resolve("bin/busybox")).isRegularFile();
      }
    }
  }

  private static long partialBlobs(Path store) throws IOException {
    Path tmp = store.resolve("tmp");
    if (!Files.isDirectory(tmp)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(tmp)) {
      List<Path> parts = s.filter(f -> f.getFileName().toString().endsWith(".part")).toList();
      long n = 0;
      for (Path f : parts) {
        n += Files.size(f) > 0 ? 1 : 0;
      }
      return n;
    }
  }
}
