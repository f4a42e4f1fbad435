package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.auth.Access;
import io.mezzo.core.auth.Caller;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import io.mezzo.core.http.JsonClient;
import io.mezzo.core.json.Json;
import io.mezzo.testkit.MezzoCluster;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/balancers} on a real server, in front of a real server standing for a balancer's admin
 * port and an address where nothing listens.
 */
class BalancersApiTest {
  private final JsonClient http = new JsonClient(Duration.ofSeconds(2), Duration.ofSeconds(10));

  @Test
  void eachBalancersStatsAreShownAndOneThatDoesNotAnswerSaysWhy() throws Exception {
    try (HttpServer lb = HttpServer.builder().bind("127.0.0.1", 0).name("fake-lb-admin")
        .route("GET", "/stats", Access.VIEWER, req -> CompletableFuture.completedFuture(HttpResponse.json(200,
            Map.of("routes", Map.of("/app:0", Map.of("requests_per_second", 2.5))))))
        .start()) {
      String up = "127.0.0.1:" + lb.port();
      String down = "127.0.0.1:" + MezzoCluster.freeLoopbackPort();
      AtomicReference<JsonClient> client = new AtomicReference<>();
      HttpServer.Builder b = HttpServer.builder().bind("127.0.0.1", 0).name("balancers-api");
      BalancersApi.routes(b, List.of(up, down), client::get);
      try (HttpServer server = b.start()) {
        URI uri = URI.create("http://127.0.0.1:" + server.port() + "/v1/balancers");
        assertThat(http.get(uri).join().status()).as("before the host started").isEqualTo(503);
        client.set(BalancersApi.client(Caller.NONE));

        JsonClient.Reply reply = http.get(uri).join();

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode list = Json.MAPPER.readTree(reply.body()).path("balancers");
        assertThat(list).hasSize(2);
        assertThat(list.get(0).path("address").asText()).isEqualTo(up);
        assertThat(list.get(0).path("ok").asBoolean()).isTrue();
        assertThat(list.get(0).path("error").isNull()).isTrue();
        assertThat(list.get(0).path("stats").path("routes").path("/app:0").path("requests_per_second").asDouble())
            .isEqualTo(2.5);
        assertThat(list.get(1).path("address").asText()).isEqualTo(down);
        assertThat(list.get(1).path("ok").asBoolean()).isFalse();
        assertThat(list.get(1).path("error").asText()).startsWith("cannot be reached: java.net.ConnectException");
        assertThat(list.get(1).path("stats").isNull()).isTrue();
      }
    }
  }
}
