package io.mezzo.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mezzo.core.auth.Access;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server's limits on bad and hostile clients, on real sockets speaking raw HTTP/1.1: oversized
 * request lines, headers and bodies get 414, 431 and 413 with a body naming the limit; a client that
 * trickles its request (slowloris) or sends nothing is cut off after the request timeout with a 408;
 * idle kept-alive connections and streams outlive it; connections over the cap are closed on accept.
 */
class HttpServerLimitsTest {
  static final Duration TIMEOUT = Duration.ofMillis(500);

  HttpServer server;
  final AtomicReference<HttpStream> stream = new AtomicReference<>();
  final List<Socket> sockets = new ArrayList<>();
  final ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void start() {
    server = HttpServer.builder().maxRequestBytes(1024).requestTimeout(TIMEOUT).maxConnections(4)
        .route("GET", "/ok", Access.PUBLIC, r -> CompletableFuture.completedFuture(HttpResponse.text(200, "ok")))
        .route("POST", "/echo", Access.PUBLIC, r -> CompletableFuture.completedFuture(
            HttpResponse.text(200, "got " + r.body().length)))
        .route("GET", "/stream", Access.PUBLIC, r -> CompletableFuture.completedFuture(
            HttpResponse.stream(HttpResponse.TEXT, java.util.Map.of(), stream::set)))
        .start();
  }

  @AfterEach
  void stop() throws IOException {
    trickler.shutdownNow();
    for (Socket s : sockets) {
      s.close();
    }
    server.close();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    s.setSoTimeout(10_000);
    sockets.add(s);
    return s;
  }

  /** Reads until the server closes the connection (or 10 s pass). */
  private static String readAll(Socket s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        out.write(buf, 0, n);
      }
    } catch (SocketTimeoutException | java.net.SocketException e) {
      // what arrived is the answer
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Reads one response with a Content-Length body from a kept-alive connection. */
  private static String readResponse(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after: " + head);
      }
      head.append((char) b);
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
    return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  private static void send(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  @Test
  void headersOverTheLimitGet431NamingIt() throws IOException {
    Socket s = connect();
    send(s, "GET /ok HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(HttpServer.MAX_HEADER_BYTES + 10) + "\r\n\r\n");

    String answer = readAll(s);

    assertThat(answer).startsWith("HTTP/1.1 431 ").contains("request headers: more than 32768 bytes");
  }

  @Test
  void requestLineOverTheLimitGets414() throws IOException {
    Socket s = connect();
    send(s, "GET /ok?q=" + "a".repeat(HttpServer.MAX_LINE_BYTES + 10) + " HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(readAll(s)).startsWith("HTTP/1.1 414 ").contains("request line: longer than 8192 bytes");
  }

  @Test
  void bodyOverTheLimitGets413NamingIt() throws IOException {
    Socket s = connect();
    send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n" + "a".repeat(2000));

    assertThat(readAll(s)).startsWith("HTTP/1.1 413 ")
        .contains("request body: more than 1024 bytes (expected: at most 1024)");
  }

  @Test
  void chunkedBodyGrowingOverTheLimitGets413() throws IOException {
    Socket s = connect();
    StringBuilder req = new StringBuilder("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 3; i++) {
      req.append("200\r\n").append("b".repeat(512)).append("\r\n");
    }
    req.append("0\r\n\r\n");
    send(s, req.toString());

    assertThat(readAll(s)).startsWith("HTTP/1.1 413 ").contains("more than 1024 bytes");
  }

  @Test
  void bodyWithinTheLimitIsServed() throws IOException {
    Socket s = connect();
    send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n" + "a".repeat(1024));

    assertThat(readResponse(s)).startsWith("HTTP/1.1 200 ").endsWith("got 1024");
  }

  /** Regression (fuzz): a bad %-escape in the query made the server drop the connection without an answer. */
  @Test
  void malformedPercentEscapeIsA400() throws IOException {
    Socket s = connect();
    send(s, "GET /ok?path=%ZZ HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(readResponse(s)).startsWith("HTTP/1.1 400 ").contains("request target: '/ok?path=%ZZ'")
        .contains("invalid hex byte 'ZZ'");

    send(s, "GET /o%ZZk HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(readResponse(s)).startsWith("HTTP/1.1 400 ");
  }

  @Test
  void slowlorisClientIsCutOffWith408AfterTheRequestTimeout() throws IOException {
    Socket s = connect();
    byte[] request = "GET /ok HTTP/1.1\r\nHost: x\r\nX-Padding: " .concat("p".repeat(200)).concat("\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
    OutputStream out = s.getOutputStream();
    int[] next = {0};
    // one byte every 20 ms: the whole request would take 5 s, ten times the timeout
    trickler.scheduleAtFixedRate(() -> {
      try {
        if (next[0] < request.length) {
          out.write(request[next[0]++]);
          out.flush();
        }
      } catch (IOException closed) {
        throw new IllegalStateException(closed);
      }
    }, 0, 20, TimeUnit.MILLISECONDS);

    String answer = readAll(s);

    assertThat(answer).startsWith("HTTP/1.1 408 ").contains("request: not complete after 500 ms");
    assertThat(next[0]).isLessThan(request.length);
  }

  @Test
  void connectionThatSendsNothingIsClosedSilentlyAfterTheRequestTimeout() throws IOException {
    Socket s = connect();

    assertThat(readAll(s)).isEmpty();
    assertThat(s.getInputStream().read()).isEqualTo(-1);
  }

  @Test
  void keptAliveConnectionMayIdleLongerThanTheRequestTimeout() throws IOException {
    Socket s = connect();
    send(s, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(readResponse(s)).startsWith("HTTP/1.1 200 ");

    await().pollDelay(TIMEOUT.multipliedBy(3)).atMost(Duration.ofSeconds(10)).until(() -> true);
    send(s, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(readResponse(s)).startsWith("HTTP/1.1 200 ").endsWith("ok");
  }

  @Test
  void streamOutlivesTheRequestTimeout() throws IOException {
    Socket s = connect();
    send(s, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> stream.get() != null);

    await().pollDelay(TIMEOUT.multipliedBy(3)).atMost(Duration.ofSeconds(10)).until(() -> true);
    assertThat(stream.get().send("late chunk".getBytes(StandardCharsets.UTF_8))).isTrue();
    stream.get().close();

    assertThat(readAll(s)).startsWith("HTTP/1.1 200 ").contains("late chunk").doesNotContain("408");
  }

  @Test
  void connectionsOverTheCapAreClosedOnAccept() throws IOException {
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Socket s = connect();
      send(s, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(readResponse(s)).startsWith("HTTP/1.1 200 ");
      held.add(s);
    }

    Socket fifth = connect();
    assertThat(readAll(fifth)).isEmpty();

    held.get(0).close();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Socket again = connect();
      send(again, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(readResponse(again)).startsWith("HTTP/1.1 200 ");
    });
  }
}
