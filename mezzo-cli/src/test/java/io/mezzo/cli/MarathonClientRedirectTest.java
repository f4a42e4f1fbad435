package io.mezzo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.mezzo.core.auth.Access;
import io.mezzo.core.auth.Caller;
import io.mezzo.core.http.HttpRequest;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The CLI's client follows a standby's 307 to the leader with its method, body and token, and no
 * other redirect: real servers playing a standby, a leader and a stranger record what reaches them.
 */
class MarathonClientRedirectTest {
  /** A request as a server saw it: method, path and query, Authorization header, body. */
  record Seen(String method, String target, String authorization, String body) {}

  final List<HttpServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(HttpServer::close);
  }

  /** A server answering every request with {@code status} and {@code location} (if not null), recording it. */
  private HttpServer server(List<Seen> seen, int status, String location) {
    var b = HttpServer.builder().bind("127.0.0.1", 0).threads(1);
    for (String method : List.of("GET", "PUT", "POST", "DELETE", "PATCH")) {
      b.prefixRoute(method, "/", Access.PUBLIC, (HttpRequest r) -> {
        String query = r.query().isEmpty() ? "" : "?" + r.query().entrySet().iterator().next().getKey() + "="
            + r.query().entrySet().iterator().next().getValue().get(0);
        seen.add(new Seen(r.method(), r.path() + query, r.header("Authorization"), r.bodyText()));
        return CompletableFuture.completedFuture(new HttpResponse(status, HttpResponse.JSON,
            "{\"ok\":true}".getBytes(StandardCharsets.UTF_8), location == null ? Map.of() : Map.of("Location", location),
            null));
      });
    }
    HttpServer s = b.start();
    servers.add(s);
    return s;
  }

  @Test
  void aStandbysRedirectIsFollowedToTheLeaderWithMethodBodyAndToken() throws Exception {
    List<Seen> atLeader = new CopyOnWriteArrayList<>();
    List<Seen> atStandby = new CopyOnWriteArrayList<>();
    HttpServer leader = server(atLeader, 200, null);
    HttpServer standby = server(atStandby, 307, "//127.0.0.1:" + leader.port() + "/v2/apps/web?force=true");
    MarathonClient client = new MarathonClient("127.0.0.1:" + standby.port(), new Caller("ops-secret-0123456789", null),
        Duration.ofSeconds(5));

    MarathonClient.Answer a = client.put("/v2/apps/web", "force=true",
        JsonNodeFactory.instance.objectNode().put("instances", 2));

    assertThat(a.status()).isEqualTo(200);
    assertThat(atStandby).hasSize(1);
    assertThat(atLeader).containsExactly(new Seen("PUT", "/v2/apps/web?force=true",
        "Bearer ops-secret-0123456789", "{\"instances\":2}"));
  }

  @Test
  void otherRedirectsAreNotFollowedAndTheTokenStaysHome() throws Exception {
    List<Seen> atStranger = new CopyOnWriteArrayList<>();
    HttpServer stranger = server(atStranger, 200, null);
    for (var redirect : List.of(Map.entry(302, "//127.0.0.1:" + stranger.port() + "/v2/apps"),
        Map.entry(301, "http://127.0.0.1:" + stranger.port() + "/v2/apps"),
        Map.entry(307, "https://127.0.0.1:" + stranger.port() + "/v2/apps"),
        Map.entry(307, "/v2/elsewhere"))) {
      HttpServer s = server(new CopyOnWriteArrayList<>(), redirect.getKey(), redirect.getValue());
      MarathonClient client = new MarathonClient("127.0.0.1:" + s.port(), new Caller("ops-secret-0123456789", null),
          Duration.ofSeconds(5));

      assertThat(client.get("/v2/apps", null).status()).as(redirect.toString()).isEqualTo(redirect.getKey());
    }
    assertThat(atStranger).isEmpty();
  }

  @Test
  void aRedirectLoopEndsAfterTheLimit() throws Exception {
    List<Seen> seen = new CopyOnWriteArrayList<>();
    int[] port = new int[1];
    HttpServer self = server(seen, 307, null);
    port[0] = self.port();
    self.close();
    servers.remove(self);
    HttpServer loop = HttpServer.builder().bind("127.0.0.1", port[0]).threads(1)
        .prefixRoute("GET", "/", Access.PUBLIC, r -> {
          seen.add(new Seen(r.method(), r.path(), r.header("Authorization"), ""));
          return CompletableFuture.completedFuture(new HttpResponse(307, HttpResponse.TEXT, new byte[0],
              Map.of("Location", "//127.0.0.1:" + port[0] + "/v2/apps"), null));
        }).start();
    servers.add(loop);

    MarathonClient.Answer a = new MarathonClient("127.0.0.1:" + port[0], Duration.ofSeconds(5)).get("/v2/apps", null);

    assertThat(a.status()).isEqualTo(307);
    assertThat(seen).hasSize(1 + MarathonClient.MAX_REDIRECTS);
  }
}
