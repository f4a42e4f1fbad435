package io.mezzo.agent.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a registry may answer that docker-registry itself never would: a manifest over the 4 MiB limit,
 * a manifest that is not JSON, one whose layers are not a list. A small HTTP server on loopback plays
 * the registry.
 */
class ManifestLimitsTest {
  @TempDir
  Path work;

  private HttpServer server;

  private String serve(String contentType, Supplier<byte[]> body) throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v2/", ex -> {
      byte[] b = body.get();
      ex.getResponseHeaders().add("Content-Type", contentType);
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
    return "127.0.0.1:" + server.getAddress().getPort() + "/fake/image:1";
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private ImagePullException pullFailure(String ref) {
    try (ImageStore store = ImageStore.open(work.resolve("images"), RegistryOptions.defaults(), Clock.systemUTC())) {
      Throwable t = catchThrowable(() -> store.pull(ImageReference.parse(ref), false).join());
      assertThat(t).isInstanceOf(CompletionException.class).hasCauseInstanceOf(ImagePullException.class);
      return (ImagePullException) t.getCause();
    }
  }

  @Test
  void aManifestOverFourMebibytesIsRefused() throws Exception {
    byte[] big = new byte[(4 << 20) + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    ImagePullException e = pullFailure(serve(RegistryClient.OCI_MANIFEST, () -> big));
    assertThat(e.kind()).isEqualTo(ImagePullException.Kind.MALFORMED_MANIFEST);
    assertThat(e.getMessage()).contains("(expected: <= 4194304)");
  }

  @Test
  void aManifestThatIsNotJsonIsMalformed() throws Exception {
    ImagePullException e = pullFailure(serve(RegistryClient.OCI_MANIFEST, () -> "<html>".getBytes(StandardCharsets.UTF_8)));
    assertThat(e.getMessage()).startsWith("malformed manifest: ").contains("not JSON");
  }

  @Test
  void layersThatAreNotAListAreMalformed() throws Exception {
    String m = "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:" + "0".repeat(64) + "\"},\"layers\":\"oops\"}";
    ImagePullException e = pullFailure(serve(RegistryClient.OCI_MANIFEST, () -> m.getBytes(StandardCharsets.UTF_8)));
    assertThat(e.getMessage()).startsWith("malformed manifest: ").contains(".layers: \"oops\" (expected: an array of descriptors)");
  }
}
