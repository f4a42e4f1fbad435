package io.mezzo.services.api;

import io.mezzo.core.auth.Access;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mezzo.core.http.HttpServer;
import io.mezzo.services.app.MarathonJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class EventBusTest {
  private static final Instant NOW = Instant.parse("2026-11-27T05:30:00.123Z");

  private final EventBus bus = new EventBus(Clock.fixed(NOW, ZoneOffset.UTC));
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private HttpServer server;

  @BeforeEach
  void startServer() {
    server = HttpServer.builder().bind("127.0.0.1", 0)
        .route("GET", "/v2/events", Access.PUBLIC, req -> CompletableFuture.completedFuture(bus.subscribe(req)))
        .start();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    server.close();
  }

  /** An SSE reader over java.net.http: {@link #next()} returns one frame, its lines joined by \n. */
  private final class Stream implements AutoCloseable {
    final HttpResponse<InputStream> response;
    final BufferedReader lines;

    Stream(String query, String accept) throws Exception {
      HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v2/events" + query));
      if (accept != null) {
        req.header("Accept", accept);
      }
      response = client.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
      lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
      toClose.add(this);
    }

    String next() throws IOException {
      StringBuilder frame = new StringBuilder();
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.isEmpty()) {
          return frame.toString();
        }
        frame.append(frame.length() == 0 ? "" : "\n").append(line);
      }
      throw new IOException("stream ended after: " + frame);
    }

    /** The next frame, which must be an event: its data as JSON. */
    JsonNode nextEvent() throws IOException {
      String frame = next();
      String[] parts = frame.split("\n");
      assertThat(parts).hasSize(2);
      assertThat(parts[0]).startsWith("event: ");
      assertThat(parts[1]).startsWith("data: ");
      JsonNode data = MarathonJson.MAPPER.readTree(parts[1].substring("data: ".length()));
      assertThat(data.get("eventType").textValue()).isEqualTo(parts[0].substring("event: ".length()));
      return data;
    }

    @Override
    public void close() throws IOException {
      response.body().close();
    }
  }

  private Stream subscribed(String query) throws Exception {
    int before = bus.subscribers();
    Stream s = new Stream(query, "text/event-stream");
    assertThat(s.next()).isEqualTo(": connected");
    await().until(() -> bus.subscribers() == before + 1);
    return s;
  }

  @Test
  void eventsArriveInOrderWithServerSentEventFraming() throws Exception {
    Stream s = subscribed("");
    assertThat(s.response.statusCode()).isEqualTo(200);
    assertThat(s.response.headers().firstValue("content-type")).contains("text/event-stream");
    assertThat(s.next()).isEqualTo("event: event_stream_attached\ndata: {\"remoteAddress\":\"127.0.0.1\","
        + "\"eventType\":\"event_stream_attached\",\"timestamp\":\"2026-11-27T05:30:00.123Z\"}");

    Map<String, Object> update = new LinkedHashMap<>();
    update.put("appId", "/prod/web");
    update.put("taskStatus", "TASK_RUNNING");
    update.put("message", "two\nlines");
    update.put("ports", List.of(31000, 31001));
    update.put("host", null);
    bus.publish("status_update_event", update);
    bus.publish("deployment_info", Map.of("id", "d-1"));
    bus.publish("deployment_success", Map.of("id", "d-1"));

    assertThat(s.next()).isEqualTo("event: status_update_event\ndata: {\"appId\":\"/prod/web\","
        + "\"taskStatus\":\"TASK_RUNNING\",\"message\":\"two\\nlines\",\"ports\":[31000,31001],"
        + "\"eventType\":\"status_update_event\",\"timestamp\":\"2026-11-27T05:30:00.123Z\"}");
    assertThat(s.nextEvent().get("eventType").textValue()).isEqualTo("deployment_info");
    assertThat(s.nextEvent().get("eventType").textValue()).isEqualTo("deployment_success");
  }

  @Test
  void timestampsAreUtcWithMilliseconds() throws Exception {
    EventBus atWholeSecond = new EventBus(Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.ofHours(5)));
    RecordingStream recorder = new RecordingStream();
    atWholeSecond.subscribe(localRequest("text/event-stream")).streamOpener().accept(recorder);
    atWholeSecond.publish("x", Map.of());
    assertThat(recorder.frames.get(recorder.frames.size() - 1))
        .endsWith("\"eventType\":\"x\",\"timestamp\":\"2026-01-02T03:04:05.000Z\"}\n\n");
  }

  @Test
  void eventTypeParametersFilterTheStream() throws Exception {
    Stream all = subscribed("");
    Stream some = subscribed("?event_type=status_update_event&event_type=deployment_success");

    bus.publish("deployment_info", Map.of("n", 1));
    bus.publish("status_update_event", Map.of("n", 2));
    bus.publish("health_status_changed_event", Map.of("n", 3));
    bus.publish("deployment_success", Map.of("n", 4));

    assertThat(some.nextEvent().get("n").intValue()).isEqualTo(2);
    assertThat(some.nextEvent().get("n").intValue()).isEqualTo(4);
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      seen.add(all.nextEvent().get("eventType").textValue());
    }
    assertThat(seen).containsExactly("event_stream_attached", "event_stream_attached", "deployment_info",
        "status_update_event", "health_status_changed_event", "deployment_success");
  }

  @Test
  void jsonOnlyAcceptIsRefusedWith406() throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/v2/events"))
        .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(406);
    assertThat(r.body()).isEqualTo("Accept: application/json (expected: text/event-stream; "
        + "/v2/events answers with server-sent events only)");
    assertThat(bus.subscribers()).isZero();
  }

  @Test
  void acceptHeadersThatAllowEventStreamsAreHonoured() {
    assertThat(EventBus.acceptsEventStream(null)).isTrue();
    assertThat(EventBus.acceptsEventStream("text/event-stream")).isTrue();
    assertThat(EventBus.acceptsEventStream("application/json, Text/Event-Stream; charset=utf-8")).isTrue();
    assertThat(EventBus.acceptsEventStream("*/*")).isTrue();
    assertThat(EventBus.acceptsEventStream("text/*;q=0.5")).isTrue();
    assertThat(EventBus.acceptsEventStream("application/json")).isFalse();
    assertThat(EventBus.acceptsEventStream("text/event-stream;q=0, */*")).isFalse();
    assertThat(EventBus.acceptsEventStream("*/*;q=0")).isFalse();
  }

  @Test
  void aClosedClientIsDroppedAndItsDetachmentPublished() throws Exception {
    Stream watcher = subscribed("");
    assertThat(watcher.nextEvent().get("eventType").textValue()).isEqualTo("event_stream_attached");
    Socket raw = new Socket("127.0.0.1", server.port());
    raw.getOutputStream().write(("GET /v2/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    await().until(() -> bus.subscribers() == 2);
    assertThat(watcher.nextEvent().get("eventType").textValue()).isEqualTo("event_stream_attached");

    raw.close();

    await().until(() -> bus.subscribers() == 1);
    JsonNode detached = watcher.nextEvent();
    assertThat(detached.get("eventType").textValue()).isEqualTo("event_stream_detached");
    assertThat(detached.get("remoteAddress").textValue()).isEqualTo("127.0.0.1");
  }

  @Test
  void keepAliveSendsAPingComment() throws Exception {
    Stream s = subscribed("?event_type=none_of_these");
    bus.keepAlive();
    assertThat(s.next()).isEqualTo(": ping");
  }

  @Test
  @Timeout(120) // a guard against a hang, not a speed check
  void aClientThatDoesNotReadDoesNotBlockPublishersAndIsCutOffOnceTooFarBehind() throws Exception {
    Socket stalled = new Socket("127.0.0.1", server.port());
    stalled.setReceiveBufferSize(4096);
    toClose.add(stalled);
    OutputStream out = stalled.getOutputStream();
    out.write("GET /v2/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    await().until(() -> bus.subscribers() == 1);
    Stream reader = subscribed("?event_type=mark");
    String payload = "x".repeat(8192);

    for (int n = 0; n < 2000; n++) { // 16 MB: far more than MAX_BACKLOG_BYTES and the socket's buffers
      bus.publish("bulk", Map.of("n", n, "payload", payload));
    }
    bus.publish("mark", Map.of("n", 1));

    assertThat(reader.nextEvent().get("n").intValue()).isEqualTo(1);
    await("the stalled client is cut off").until(() -> bus.subscribers() == 1);
  }

  @Test
  void everySubscriberSeesConcurrentPublishersInOneOrder() throws Exception {
    Stream a = subscribed("?event_type=race");
    Stream b = subscribed("?event_type=race");
    int threads = 4;
    int each = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      done.add(pool.submit(() -> {
        go.await();
        for (int n = 0; n < each; n++) {
          bus.publish("race", Map.of("thread", thread, "n", n));
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();

    List<String> seenByA = new ArrayList<>();
    List<String> seenByB = new ArrayList<>();
    for (int i = 0; i < threads * each; i++) {
      JsonNode ea = a.nextEvent();
      seenByA.add(ea.get("thread").intValue() + "/" + ea.get("n").intValue());
      JsonNode eb = b.nextEvent();
      seenByB.add(eb.get("thread").intValue() + "/" + eb.get("n").intValue());
    }
    assertThat(seenByB).isEqualTo(seenByA);
    Map<Integer, Integer> lastPerThread = new HashMap<>();
    for (String e : seenByA) { // each publisher's own events keep their order
      int thread = Integer.parseInt(e.split("/")[0]);
      int n = Integer.parseInt(e.split("/")[1]);
      assertThat(n).isEqualTo(lastPerThread.getOrDefault(thread, -1) + 1);
      lastPerThread.put(thread, n);
    }
  }

  @Test
  void publishRefusesWhatWouldBreakTheFraming() {
    assertThatThrownBy(() -> bus.publish("two\nlines", Map.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("eventType: \"two\nlines\" (expected: a non-empty name on one line, such as status_update_event)");
    assertThatThrownBy(() -> bus.publish("x", Map.of("timestamp", "yesterday")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fields: timestamp (expected: absent; the bus sets it)");
  }

  private static io.mezzo.core.http.HttpRequest localRequest(String accept) {
    return new io.mezzo.core.http.HttpRequest("GET", "/v2/events", Map.of(), Map.of("accept", accept), new byte[0],
        new java.net.InetSocketAddress("127.0.0.1", 40000), io.mezzo.core.auth.Principal.ANYONE);
  }

  /** An in-memory stream recording what is sent, for checks that need no connection. */
  private static final class RecordingStream implements io.mezzo.core.http.HttpStream {
    final List<String> frames = new ArrayList<>();

    @Override
    public boolean send(byte[] chunk) {
      frames.add(new String(chunk, StandardCharsets.UTF_8));
      return true;
    }

    @Override
    public void close() {}

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void onClose(Runnable callback) {}
  }
}
