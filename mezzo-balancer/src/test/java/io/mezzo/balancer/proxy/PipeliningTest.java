package io.mezzo.balancer.proxy;

import io.mezzo.core.auth.Access;
import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 pipelining through the proxy on real sockets: requests a client sends back to back on one
 * connection, without waiting for the answers, are each proxied and answered in the order they came,
 * whatever backend serves them and however long it takes.
 */
class PipeliningTest {
  private LbFixture fx;
  private int port;
  private HttpServer fast;
  private HttpServer fast2;

  @BeforeEach
  void start() throws Exception {
    fx = new LbFixture();
    // A slow and a fast backend, round robin: a later request's answer is ready before an earlier one's.
    HttpServer slow = fx.closeLater(backend("slow", 150));
    fast = fx.closeLater(backend("fast", 0));
    fast2 = fx.closeLater(backend("fast2", 0));
    port = LbFixture.freePort();
    fx.route(Map.of("MEZZO_LB_PORT_0", String.valueOf(port)),
        LbFixture.instance("web.slow", slow.port(), true, false), LbFixture.instance("web.fast", fast.port(), true, false));
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  /** Answers GET with its name and path (after {@code delayMs}); echoes POST bodies after the path. */
  private static HttpServer backend(String name, long delayMs) {
    return HttpServer.builder()
        .prefixRoute("GET", "/", Access.PUBLIC, req -> {
          CompletableFuture<HttpResponse> f = new CompletableFuture<>();
          CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS)
              .execute(() -> f.complete(HttpResponse.text(200, req.path())));
          return f;
        })
        .prefixRoute("POST", "/", Access.PUBLIC, req -> {
          CompletableFuture<HttpResponse> f = new CompletableFuture<>();
          CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS)
              .execute(() -> f.complete(HttpResponse.text(200, req.path() + " " + req.bodyText())));
          return f;
        })
        .start();
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    assertThat(pipelined("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
        + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n"
        + "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        .containsExactly("200 /a", "200 /b", "200 /c");
    assertThat(pipelined("GET /d HTTP/1.1\r\nHost: x\r\n\r\n"
        + "POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
        + "GET /f HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        .containsExactly("200 /d", "200 /e hello", "200 /f");
  }

  @Test
  void manyPipelinedRequestsAreAllAnswered() throws Exception {
    fx.route(Map.of("MEZZO_LB_PORT_0", String.valueOf(port)),
        LbFixture.instance("web.fast", fast.port(), true, false), LbFixture.instance("web.fast2", fast2.port(), true, false));
    StringBuilder all = new StringBuilder();
    List<String> expected = new ArrayList<>();
    // 100 (Netty's HTTP codec allows 128 unanswered), more than the first read takes (2 KiB): reading resumes.
    for (int i = 0; i < 100; i++) {
      all.append("GET /r").append(i).append(" HTTP/1.1\r\nHost: x\r\n").append(i == 99 ? "Connection: close\r\n" : "")
          .append("\r\n");
      expected.add("200 /r" + i);
    }
    assertThat(pipelined(all.toString())).containsExactlyElementsOf(expected);
  }

  /** Sends {@code requests} in one write and reads every answer until the proxy closes: "status body" each. */
  private List<String> pipelined(String requests) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.setTcpNoDelay(true);
      s.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      List<String> answers = new ArrayList<>();
      String statusLine;
      while ((statusLine = line(in)) != null) {
        int length = 0;
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
          if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
            length = Integer.parseInt(h.substring(15).trim());
          }
        }
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8).trim();
        answers.add(statusLine.split(" ")[1] + " " + body);
      }
      return answers;
    }
  }

  /** One CRLF-terminated line, without the CRLF; null at the end of the stream. */
  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.US_ASCII);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
  }
}
