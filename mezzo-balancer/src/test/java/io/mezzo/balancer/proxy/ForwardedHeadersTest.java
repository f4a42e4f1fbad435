package io.mezzo.balancer.proxy;

import io.mezzo.core.auth.Access;
import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The X-Forwarded-* headers a backend gets, on real sockets, retries included. */
class ForwardedHeadersTest {
  private final LbFixture fx;

  ForwardedHeadersTest() throws Exception {
    fx = new LbFixture();
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  @Test
  void aRetriedRequestCarriesTheForwardedHeadersOnce() throws Exception {
    HttpServer echo = fx.closeLater(HttpServer.builder()
        .prefixRoute("GET", "/", Access.PUBLIC, req -> CompletableFuture.completedFuture(HttpResponse.text(200,
            req.header("x-forwarded-for") + "|" + req.header("x-forwarded-port") + "|" + req.header("x-forwarded-proto")
                + "|" + req.header("x-forwarded-host") + "|" + req.header("connection"))))
        .start());
    // Answers 503, which the route retries: each request sent there goes again, same head, to the echo.
    HttpServer busy = fx.closeLater(HttpServer.builder()
        .prefixRoute("GET", "/", Access.PUBLIC, req -> CompletableFuture.completedFuture(HttpResponse.text(503, "busy")))
        .start());
    int port = LbFixture.freePort();
    fx.route(Map.of("MEZZO_LB_PORT_0", String.valueOf(port), "MEZZO_LB_RETRY_ON_0", "503"),
        LbFixture.instance("web.busy", busy.port(), true, false), LbFixture.instance("web.echo", echo.port(), true, false));

    for (int i = 0; i < 4; i++) {
      assertThat(get(port)).isEqualTo("10.0.0.1, 127.0.0.1|" + port + "|http|x.example|null");
    }
    assertThat(fx.lb.metrics().prometheus()).containsPattern("mezzo_lb_retries_total\\{[^}]*web\\.busy[^}]*\\} [1-9]");
  }

  /** A GET with a Host, a prior X-Forwarded-For and a hop-by-hop header: the body of the answer. */
  private static String get(int port) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: x.example\r\nX-Forwarded-For: 10.0.0.1\r\n"
          + "Keep-Alive: timeout=5\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return all.substring(all.indexOf("\r\n\r\n") + 4).trim();
    }
  }
}
