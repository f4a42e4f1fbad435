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
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bearer-token auth as Docker Hub and most registries ask for it: a front on loopback answers 401 with
 * {@code WWW-Authenticate: Bearer realm=...,service=...,scope=...}, hands out a token for the right basic
 * credentials at its realm, and passes requests carrying that token on to a real docker-registry.
 */
class BearerTokenTest {
  private static final String TOKEN = "t0ken-for-mezzo";

  @TempDir
  Path work;

  @Test
  void aBearerChallengeIsAnsweredWithATokenFromTheRealmAndTheTokenIsReused() throws Exception {
    try (LocalRegistry backend = LocalRegistry.start(work.resolve("registry"))) {
      TestImages.Pushed p = TestImages.pushBusybox(backend, "bearer/busybox", "1");
      AtomicInteger tokenRequests = new AtomicInteger();
      HttpServer front = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      String realm = "http://127.0.0.1:" + front.getAddress().getPort() + "/token";
      HttpClient http = HttpClient.newHttpClient();
      front.createContext("/token", ex -> {
        tokenRequests.incrementAndGet();
        String expected = "Basic " + Base64.getEncoder().encodeToString("robot:pw".getBytes(StandardCharsets.UTF_8));
        boolean ok = expected.equals(ex.getRequestHeaders().getFirst("Authorization"))
            && ex.getRequestURI().getRawQuery().contains("scope=repository%3Abearer%2Fbusybox%3Apull")
            && ex.getRequestURI().getRawQuery().contains("service=mezzo-test");
        reply(ex, ok ? 200 : 401, ok ? "{\"token\":\"" + TOKEN + "\",\"expires_in\":300}" : "{}", "application/json");
      });
      front.createContext("/v2/", ex -> {
        if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
          ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"" + realm
              + "\",service=\"mezzo-test\",scope=\"repository:bearer/busybox:pull\"");
          reply(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}", "application/json");
          return;
        }
        try {
          HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://" + backend.hostPort() + ex.getRequestURI()))
              .header("Accept", ex.getRequestHeaders().getFirst("Accept")).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
          ex.getResponseHeaders().add("Content-Type", r.headers().firstValue("Content-Type").orElse("application/octet-stream"));
          ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
          ex.getResponseBody().write(r.body());
          ex.close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      front.start();
      try {
        String ref = "127.0.0.1:" + front.getAddress().getPort() + "/bearer/busybox:1";
        try (ImageStore anonymous = ImageStore.open(work.resolve("anon"), RegistryOptions.defaults(), Clock.systemUTC())) {
          Throwable t = org.assertj.core.api.Assertions.catchThrowable(
              () -> anonymous.pull(ImageReference.parse(ref), false).join());
          assertThat(t).isInstanceOf(CompletionException.class).cause().isInstanceOf(ImagePullException.class)
              .hasMessageStartingWith("auth refused: token service " + realm);
        }
        RegistryOptions options = RegistryOptions.defaults().withCredentials(
            Map.of("127.0.0.1:" + front.getAddress().getPort(), new RegistryOptions.Credentials("robot", "pw")));
        try (ImageStore store = ImageStore.open(work.resolve("images"), options, Clock.systemUTC())) {
          tokenRequests.set(0);
          Image image = store.pull(ImageReference.parse(ref), false).get(60, TimeUnit.SECONDS);
          assertThat(image.digest()).isEqualTo(p.manifestDigest());
          assertThat(image.rootfs().resolve("bin/busybox")).isRegularFile();
          store.pull(ImageReference.parse(ref), true).get(60, TimeUnit.SECONDS);
          assertThat(tokenRequests.get()).isEqualTo(1); // manifests and blobs of both pulls on one token
        }
      } finally {
        front.stop(0);
      }
    }
  }

  private static void reply(HttpExchange ex, int status, String body, String type) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", type);
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }

}
