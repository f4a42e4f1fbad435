package io.mezzo.agent.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pull made for a holder ({@link ImageStore#pull(ImageReference, boolean, String)}) comes back
 * retained by it, retained inside the pull: a collection that waited for the pull (the agent's image GC
 * on its own thread, with a threshold every image is past) cannot remove the image between the pull and
 * its use. A gate in front of a real docker-registry holds the first blob GET until the collection waits.
 */
class PullRetainTest {
  @TempDir
  Path work;

  @Test
  void collectionWaitingForAPullSparesTheImageItsHoldersPulled() throws Exception {
    try (LocalRegistry backend = LocalRegistry.start(work.resolve("registry"))) {
      TestImages.Pushed p = TestImages.pushBusybox(backend, "gate/busybox", "1");
      CountDownLatch blobAsked = new CountDownLatch(1);
      CountDownLatch open = new CountDownLatch(1);
      AtomicBoolean gated = new AtomicBoolean();
      HttpClient http = HttpClient.newHttpClient();
      ExecutorService handlers = Executors.newCachedThreadPool();
      HttpServer gate = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      gate.setExecutor(handlers);
      gate.createContext("/v2/", ex -> {
        if (ex.getRequestURI().getPath().contains("/blobs/") && gated.compareAndSet(false, true)) {
          blobAsked.countDown();
          try {
            open.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        RegistryProxy.forward(http, ex, "http://" + backend.hostPort() + ex.getRequestURI().getPath());
      });
      gate.start();
      RegistryOptions everythingGoes = RegistryOptions.defaults().withGc(0, null);
      try (ImageStore store = ImageStore.open(work.resolve("images"), everythingGoes, Clock.systemUTC())) {
        ImageReference ref = ImageReference.parse("127.0.0.1:" + gate.getAddress().getPort() + "/gate/busybox:1");
        CompletableFuture<Image> first = store.pull(ref, false, "task-1");
        blobAsked.await(60, TimeUnit.SECONDS);
        CompletableFuture<Image> joined = store.pull(ref, false, "task-2");
        CompletableFuture<GcResult> gc = new CompletableFuture<>();
        Thread collector = new Thread(() -> gc.complete(store.collect()), "test-gc");
        collector.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> collector.getState() == Thread.State.WAITING);

        open.countDown();

        Image image = first.get(60, TimeUnit.SECONDS);
        assertThat(joined.get(60, TimeUnit.SECONDS).digest()).isEqualTo(p.manifestDigest());
        assertThat(gc.get(60, TimeUnit.SECONDS).removedImages()).isEmpty();
        assertThat(image.rootfs().resolve("bin/busybox")).isRegularFile();
        assertThat(store.list()).singleElement().extracting(ImageInfo::users)
            .isEqualTo(java.util.List.of("task-1", "task-2"));

        store.release(image.digest(), "task-1");
        assertThat(store.collect().removedImages()).isEmpty(); // task-2 still uses it
        store.release(image.digest(), "task-2");
        assertThat(store.collect().removedImages()).containsExactly(p.manifestDigest());
        assertThat(image.rootfs()).doesNotExist();
      } finally {
        open.countDown();
        gate.stop(0);
        handlers.shutdownNow();
      }
    }
  }

}
