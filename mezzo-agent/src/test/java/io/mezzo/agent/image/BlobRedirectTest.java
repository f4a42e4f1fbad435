package io.mezzo.agent.image;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registries that keep blobs elsewhere answer a blob GET with a redirect to a signed storage URL: the
 * store follows it and keeps its registry credentials to itself. A front on loopback asks for basic
 * auth and redirects blob GETs to a "storage" server on another port that records what it was sent;
 * both pass on to a real docker-registry.
 */
class BlobRedirectTest {
  @TempDir
  Path work;

  @Test
  void blobRedirectsAreFollowedWithoutTheRegistrysCredentials() throws Exception {
    try (LocalRegistry backend = LocalRegistry.start(work.resolve("registry"))) {
      TestImages.Pushed p = TestImages.pushBusybox(backend, "redirect/busybox", "1");
      HttpClient http = HttpClient.newHttpClient();
      List<String> storageAuth = new CopyOnWriteArrayList<>();
      HttpServer storage = server();
      storage.createContext("/storage/", ex -> {
        storageAuth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
        RegistryProxy.forward(http, ex, "http://" + backend.hostPort() + ex.getRequestURI().getPath().replace("/storage", ""));
      });
      HttpServer front = server();
      String basic = "Basic " + Base64.getEncoder().encodeToString("robot:pw".getBytes(StandardCharsets.UTF_8));
      front.createContext("/v2/", ex -> {
        if (!basic.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
          ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"test\"");
          ex.sendResponseHeaders(401, -1);
          ex.close();
        } else if (ex.getRequestURI().getPath().contains("/blobs/")) {
          ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + storage.getAddress().getPort() + "/storage"
              + ex.getRequestURI().getPath() + "?signature=abc");
          ex.sendResponseHeaders(307, -1);
          ex.close();
        } else {
          RegistryProxy.forward(http, ex, "http://" + backend.hostPort() + ex.getRequestURI().getPath());
        }
      });
      storage.start();
      front.start();
      try {
        String registry = "127.0.0.1:" + front.getAddress().getPort();
        RegistryOptions options = RegistryOptions.defaults()
            .withCredentials(Map.of(registry, new RegistryOptions.Credentials("robot", "pw")));
        try (ImageStore store = ImageStore.open(work.resolve("images"), options, Clock.systemUTC())) {
          Image image = store.pull(ImageReference.parse(registry + "/redirect/busybox:1"), false).get(60, TimeUnit.SECONDS);
          assertThat(image.digest()).isEqualTo(p.manifestDigest());
          assertThat(image.rootfs().resolve("bin/busybox")).isRegularFile();
        }
        assertThat(storageAuth).hasSize(2).containsOnly("null"); // config and layer, no credentials
      } finally {
        front.stop(0);
        storage.stop(0);
      }
    }
  }

  private static HttpServer server() throws IOException {
    return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
  }

}
