package io.mezzo.master.api;

import io.mezzo.core.auth.Access;
import static org.assertj.core.api.Assertions.assertThat;

import io.mezzo.core.http.HttpError;
import io.mezzo.core.http.HttpRequest;
import io.mezzo.core.http.HttpResponse;
import io.mezzo.core.http.HttpServer;
import io.mezzo.core.json.Json;
import io.mezzo.core.model.FrameworkId;
import io.mezzo.core.model.OfferId;
import io.mezzo.core.recordio.RecordIo;
import io.mezzo.core.scheduler.Event;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.mesos.v1.scheduler.Protos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link MesosEndpoint} on a real HTTP server in front of JSON-only handlers: content types,
 * Accept negotiation, protobuf bodies and protobuf event streams, errors.
 */
class MesosEndpointTest {
  static HttpServer server;
  static final AtomicReference<HttpRequest> seen = new AtomicReference<>();
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** Events the stream handler writes, framed as Mezzo writes them. */
  static final List<Event> EVENTS = List.of(
      Event.subscribed(new FrameworkId("f1"), 15),
      Event.rescind(new OfferId("o1")),
      Event.heartbeat(),
      Event.error("bye"));

  @BeforeAll
  static void start() {
    server = HttpServer.builder().bind("127.0.0.1", 0)
        .route("POST", "/echo", Access.PUBLIC, MesosEndpoint.scheduler(req -> {
          seen.set(req);
          return CompletableFuture.completedFuture(HttpResponse.empty(202));
        }))
        .route("POST", "/forbidden", Access.PUBLIC, MesosEndpoint.scheduler(req -> {
          throw new HttpError(403, "framework_id: 'x' is not subscribed");
        }))
        .route("POST", "/health", Access.PUBLIC, MesosEndpoint.operator(req -> CompletableFuture.completedFuture(
            HttpResponse.json(200, Map.of("type", "GET_HEALTH", "get_health", Map.of("healthy", true))))))
        .route("POST", "/stream", Access.PUBLIC, MesosEndpoint.scheduler(req -> CompletableFuture.completedFuture(
            HttpResponse.stream(HttpResponse.JSON, Map.of("Mesos-Stream-Id", "s-1"), MesosEndpointTest::writeEvents))))
        .start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** One whole frame, one frame split over two chunks, then two frames in one chunk. */
  private static void writeEvents(io.mezzo.core.http.HttpStream stream) {
    List<byte[]> frames = EVENTS.stream().map(e -> RecordIo.frame(Json.write(e))).toList();
    stream.send(frames.get(0));
    byte[] second = frames.get(1);
    stream.send(Arrays.copyOfRange(second, 0, 1));
    stream.send(Arrays.copyOfRange(second, 1, second.length));
    byte[] both = new byte[frames.get(2).length + frames.get(3).length];
    System.arraycopy(frames.get(2), 0, both, 0, frames.get(2).length);
    System.arraycopy(frames.get(3), 0, both, frames.get(2).length, frames.get(3).length);
    stream.send(both);
    stream.close();
  }

  private static java.net.http.HttpResponse<byte[]> post(String path, String contentType, String accept, byte[] body)
      throws Exception {
    var b = java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (accept != null) {
      b.header("Accept", accept);
    }
    return client.send(b.build(), BodyHandlers.ofByteArray());
  }

  private static String text(java.net.http.HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void protobufCallReachesTheHandlerAsJson() throws Exception {
    byte[] call = Protos.Call.newBuilder().setType(Protos.Call.Type.REVIVE)
        .setFrameworkId(org.apache.mesos.v1.Protos.FrameworkID.newBuilder().setValue("f1")).build().toByteArray();

    var r = post("/echo", "application/x-protobuf", "application/x-protobuf", call);

    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(seen.get().header("Content-Type")).isEqualTo("application/json");
    assertThat(seen.get().bodyText()).isEqualTo("{\"framework_id\":{\"value\":\"f1\"},\"type\":\"REVIVE\"}");
  }

  @Test
  void jsonCallReachesTheHandlerUntouched() throws Exception {
    byte[] body = "{\"type\":\"REVIVE\" , \"framework_id\":{\"value\":\"f1\"}}".getBytes(StandardCharsets.UTF_8);

    var r = post("/echo", "application/json; charset=utf-8", "application/json", body);

    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(seen.get().body()).isEqualTo(body);
    assertThat(seen.get().header("Content-Type")).isEqualTo("application/json; charset=utf-8");
  }

  @Test
  void otherOrMissingContentTypesAre415NamingBothAcceptedTypes() throws Exception {
    for (String type : new String[] {"text/plain", null}) {
      var r = post("/echo", type, null, "{}".getBytes(StandardCharsets.UTF_8));
      assertThat(r.statusCode()).as(String.valueOf(type)).isEqualTo(415);
      assertThat(text(r)).contains("Content-Type").contains("application/json").contains("application/x-protobuf");
    }
  }

  @Test
  void bytesThatAreNotACallAre400NamingTheMessage() throws Exception {
    var r = post("/echo", "application/x-protobuf", null, new byte[] {(byte) 0xff, 0x01, 0x02});

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(text(r)).startsWith("body: not a mesos.v1.scheduler.Call protobuf message").doesNotContain("\tat ");
  }

  @Test
  void responseBodyIsEncodedAsTheApiResponseWhenProtobufIsAccepted() throws Exception {
    byte[] call = org.apache.mesos.v1.master.Protos.Call.newBuilder()
        .setType(org.apache.mesos.v1.master.Protos.Call.Type.GET_HEALTH).build().toByteArray();

    var r = post("/health", "application/x-protobuf", "application/x-protobuf", call);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
    var response = org.apache.mesos.v1.master.Protos.Response.parseFrom(r.body());
    assertThat(response.getGetHealth().getHealthy()).isTrue();
  }

  @Test
  void jsonIsAnsweredWhenAcceptIsAbsentOrAllowsJsonAsMesosDoes() throws Exception {
    for (String accept : new String[] {null, "*/*", "application/json", "application/x-protobuf, application/json"}) {
      var r = post("/health", "application/json", accept, "{\"type\":\"GET_HEALTH\"}".getBytes(StandardCharsets.UTF_8));
      assertThat(r.headers().firstValue("Content-Type")).as(String.valueOf(accept)).hasValue("application/json");
      assertThat(text(r)).contains("\"healthy\":true");
    }
    var q0 = post("/health", "application/json", "application/json;q=0, application/*",
        "{\"type\":\"GET_HEALTH\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(q0.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
  }

  @Test
  void protobufCallMayAskForAJsonAnswer() throws Exception {
    byte[] call = org.apache.mesos.v1.master.Protos.Call.newBuilder()
        .setType(org.apache.mesos.v1.master.Protos.Call.Type.GET_HEALTH).build().toByteArray();

    var r = post("/health", "application/x-protobuf", "application/json", call);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(text(r)).contains("\"healthy\":true");
  }

  @Test
  void acceptAllowingNeitherEncodingIs406() throws Exception {
    var r = post("/health", "application/json", "text/html", "{}".getBytes(StandardCharsets.UTF_8));

    assertThat(r.statusCode()).isEqualTo(406);
    assertThat(text(r)).contains("Accept: 'text/html'").contains("application/x-protobuf");
  }

  @Test
  void errorsStayTextWhateverTheAcceptedEncoding() throws Exception {
    var r = post("/forbidden", "application/json", "application/x-protobuf", "{}".getBytes(StandardCharsets.UTF_8));

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(text(r)).isEqualTo("framework_id: 'x' is not subscribed");
  }

  @Test
  void streamEventsAreReframedAsProtobufEventsInOrder() throws Exception {
    var request = java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/stream"))
        .header("Content-Type", "application/json").header("Accept", "application/x-protobuf")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"type\":\"SUBSCRIBE\"}")).build();
    var r = client.send(request, BodyHandlers.ofInputStream());

    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
    assertThat(r.headers().firstValue("Mesos-Stream-Id")).hasValue("s-1");
    List<Protos.Event> events = new ArrayList<>();
    try (InputStream in = r.body()) {
      RecordIo.Reader reader = new RecordIo.Reader(in);
      byte[] record;
      while ((record = reader.next()) != null) {
        events.add(Protos.Event.parseFrom(record));
      }
    }
    assertThat(events).extracting(e -> e.getType().name())
        .containsExactly("SUBSCRIBED", "RESCIND", "HEARTBEAT", "ERROR");
    assertThat(events.get(0).getSubscribed().getFrameworkId().getValue()).isEqualTo("f1");
    assertThat(events.get(1).getRescind().getOfferId().getValue()).isEqualTo("o1");
    assertThat(events.get(3).getError().getMessage()).isEqualTo("bye");
  }

  @Test
  void jsonStreamIsPassedOnAsJson() throws Exception {
    var request = java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/stream"))
        .header("Content-Type", "application/json").header("Accept", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"type\":\"SUBSCRIBE\"}")).build();
    var r = client.send(request, BodyHandlers.ofInputStream());

    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    List<Event> events = new ArrayList<>();
    try (InputStream in = r.body()) {
      RecordIo.Reader reader = new RecordIo.Reader(in);
      byte[] record;
      while ((record = reader.next()) != null) {
        events.add(Json.read(record, Event.class));
      }
    }
    assertThat(events).isEqualTo(EVENTS);
  }
}
